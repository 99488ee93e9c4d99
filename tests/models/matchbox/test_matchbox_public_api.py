"""The curated public surface of lhotse_lite.models.matchbox and its import hygiene."""

import subprocess
import sys

import lhotse_lite.models.matchbox as matchbox

EXPECTED = {
    # The names of the seed reference (NeMo's matchbox package) ...
    "ConvASREncoder", "ConvASRDecoderClassification", "ConvBlock", "MaskedConv1d", "GroupShuffle",
    "compute_new_kernel_size", "get_same_padding", "init_weights", "tds_normal_", "tds_uniform_",
    # ... presets, the container model, block configs and NeMo checkpoint loading.
    "matchboxnet", "matchboxnet_3x1x64", "matchboxnet_3x2x64", "matchboxnet_6x2x64", "MatchboxNet",
    "BlockConfig", "matchboxnet_blocks", "load_nemo_matchboxnet", "matchboxnet_from_nemo_config",
    "select_nemo_weights", "write_nemo_archive",
}


def test_all_is_pinned():
    assert set(matchbox.__all__) == EXPECTED
    assert all(hasattr(matchbox, name) for name in matchbox.__all__)


def test_models_namespace_reexports_encoder_and_decoder():
    from lhotse_lite.models import ConvASRDecoderClassification, ConvASREncoder

    assert ConvASREncoder is matchbox.ConvASREncoder
    assert ConvASRDecoderClassification is matchbox.ConvASRDecoderClassification


def test_models_do_not_import_manifests():
    code = "import sys, lhotse_lite.models.matchbox; print(' '.join(sorted(sys.modules)))"
    modules = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    forbidden = [m for m in modules if m.startswith(("lhotse_lite.manifest", "lhotse_lite.supervision",
                                                      "lhotse_lite.audio", "lhotse_lite.cut", "lhotse_lite.features.manifest"))]
    assert forbidden == []
