"""The curated public surface of lhotse_lite.models.wav2vec and lhotse_lite.streaming."""

import subprocess
import sys

import lhotse_lite.models
import lhotse_lite.models.wav2vec as wav2vec
import lhotse_lite.streaming as streaming


def test_wav2vec_all_is_pinned():
    assert sorted(wav2vec.__all__) == sorted(
        [
            "W2VLatentExtractor",
            "GumbelVectorQuantizer",
            "W2VTargetQuantiser",
            "EncoderWrapper",
            "TransformerEncoder",
            "SinusoidalPositionalEncoding",
            "compute_mask",
            "sample_negatives",
            "w2v_mask_collate_fn",
            "contrastive_loss",
            "w2v_pretraining_loss",
            "lengths_to_padding_mask",
            "convert_speechbrain_state_dict",
        ]
    )
    for name in wav2vec.__all__:
        assert getattr(wav2vec, name).__doc__


def test_streaming_all_is_pinned():
    assert streaming.__all__ == [
        "split_fixed_chunks",
        "split_wav_lens",
        "infer_dependency_matrix",
        "plot_dependency_matrix",
    ]


def test_models_namespace_reexports_resolve():
    for name in ("W2VLatentExtractor", "W2VTargetQuantiser", "EncoderWrapper"):
        assert getattr(lhotse_lite.models, name) is getattr(wav2vec, name)


def test_importing_streaming_does_not_import_matplotlib():
    code = "import sys, lhotse_lite.streaming; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
