"""The curated public surface of lhotse_lite.models.matchbox.

Import hygiene is tested in tests/models/test_models_import_hygiene.py.
"""

import lhotse_lite.models.matchbox as matchbox

EXPECTED = {
    # The names of the seed reference (NeMo's matchbox package) ...
    "ConvASREncoder",
    "ConvASRDecoderClassification",
    "ConvBlock",
    "MaskedConv1d",
    "GroupShuffle",
    "compute_new_kernel_size",
    "get_same_padding",
    "init_weights",
    "tds_normal_",
    "tds_uniform_",
    # ... presets, the container model, block configs and NeMo checkpoint loading.
    "matchboxnet",
    "matchboxnet_3x1x64",
    "matchboxnet_3x2x64",
    "matchboxnet_6x2x64",
    "MatchboxNet",
    "BlockConfig",
    "matchboxnet_blocks",
    "load_nemo_matchboxnet",
    "matchboxnet_from_nemo_config",
    "select_nemo_weights",
    "write_nemo_archive",
    # NeMo's squeeze-excite layer and the padding rule of future_context.
    "SqueezeExcite",
    "get_asymmetric_padding",
}


def test_all_is_pinned():
    assert set(matchbox.__all__) == EXPECTED
    assert all(hasattr(matchbox, name) for name in matchbox.__all__)


def test_models_namespace_reexports_encoder_and_decoder():
    from lhotse_lite.models import ConvASRDecoderClassification, ConvASREncoder

    assert ConvASREncoder is matchbox.ConvASREncoder
    assert ConvASRDecoderClassification is matchbox.ConvASRDecoderClassification
