"""Ours == SpeechBrain's, weights copied through convert_speechbrain_state_dict (skipped without it)."""

import pytest
import torch

from lhotse_lite.models.wav2vec import (
    EncoderWrapper,
    TransformerEncoder,
    W2VLatentExtractor,
    W2VTargetQuantiser,
    convert_speechbrain_state_dict,
    sample_negatives,
)
from lhotse_lite.streaming import split_fixed_chunks, split_wav_lens

sb_w2v = pytest.importorskip("speechbrain.lobes.models.wav2vec", reason="SpeechBrain is the optional reference")
sb_transformer = pytest.importorskip("speechbrain.lobes.models.transformer.Transformer")
sb_streaming = pytest.importorskip("speechbrain.utils.streaming")


def test_latent_extractor_matches():
    torch.manual_seed(0)
    ref, ours = sb_w2v.W2VLatentExtractor().eval(), W2VLatentExtractor().eval()
    ours.load_state_dict(convert_speechbrain_state_dict(ref.state_dict()))
    x = torch.randn(3, 5000)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ref(x), atol=1e-4, rtol=1e-4)
    lengths = torch.tensor([400, 1000, 5000, 16000, 160000])
    assert torch.equal(ours.get_output_lengths(lengths), ref.get_output_lengths(lengths))


def test_target_quantiser_matches_in_eval():
    torch.manual_seed(0)
    ref, ours = sb_w2v.W2VTargetQuantiser().eval(), W2VTargetQuantiser().eval()
    ours.load_state_dict(ref.state_dict())  # same keys, no conversion needed
    x = torch.randn(4, 12, 512)
    (a, meta_a), (b, meta_b) = ref(x), ours(x)
    torch.testing.assert_close(b, a)
    for key in meta_a:
        assert float(meta_b[key]) == pytest.approx(float(meta_a[key]), rel=1e-5)


def test_encoder_wrapper_matches():
    torch.manual_seed(0)
    ref_enc = sb_transformer.TransformerEncoder(d_model=32, num_layers=2, nhead=4, d_ffn=64)
    ref = sb_w2v.EncoderWrapper(24, 32, ref_enc).eval()
    ours = EncoderWrapper(24, 32, TransformerEncoder(32, 2, 4, 64)).eval()
    ours.load_state_dict(convert_speechbrain_state_dict(ref.state_dict()))
    latents = torch.randn(3, 10, 24)
    mask = torch.zeros(3, 10, dtype=torch.bool)
    mask[:, 2:5] = True
    wav_lens = torch.tensor([1.0, 0.8, 0.55])
    with torch.no_grad():
        a = ref(latents.clone(), wav_lens=wav_lens, mask=mask)
        b = ours(latents, wav_lens=wav_lens, mask=mask)
    torch.testing.assert_close(b["embeddings"], a["embeddings"], atol=1e-5, rtol=1e-5)
    assert int(a["num_masked"]) == int(b["num_masked"])


def test_negatives_in_compat_mode_match_bit_for_bit():
    y = torch.randn(3, 7, 4)
    torch.manual_seed(5)
    expected = sb_w2v.sample_negatives(y, 6)
    torch.manual_seed(5)
    assert torch.equal(sample_negatives(y, 6, speechbrain_compat=True), expected)


def test_streaming_helpers_match_on_dim_1():
    x = torch.randn(3, 20, 5)
    ref = sb_streaming.split_fixed_chunks(x, 8, dim=1)
    ours = split_fixed_chunks(x, 8, dim=1)
    assert all(torch.equal(a, b) for a, b in zip(ref, ours)) and len(ref) == len(ours)
    wav_lens = torch.tensor([1.0, 0.65, 0.85])
    for a, b in zip(sb_streaming.split_wav_lens([8, 8, 4], wav_lens), split_wav_lens([8, 8, 4], wav_lens)):
        torch.testing.assert_close(a, b)
