"""wav2vec 2.0 pieces == SpeechBrain 1.1.2's ``speechbrain.lobes.models.wav2vec``, on random weights.

State dicts go both ways with ``strict=True``: SpeechBrain's through ``convert_speechbrain_state_dict``
into ours, and ours back through the inverse of that renaming (which therefore must be one-to-one). The
reference is SpeechBrain's own code, loaded from its wheel (see ``reference_code.py``).
"""

import random

import numpy as np
import pytest
import torch

from lhotse_lite.models.wav2vec import (
    EncoderWrapper,
    TransformerEncoder,
    W2VLatentExtractor,
    W2VTargetQuantiser,
    compute_mask,
    convert_speechbrain_state_dict,
    sample_negatives,
    w2v_mask_collate_fn,
)
from tests.reference.reference_code import speechbrain

TOLERANCE = 1e-4  # float32; the worst differences measured are quoted in docs/models_wav2vec.rst


def _perturbed(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Random weights everywhere (layer-norm gains and biases too), so every parameter matters."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.add_(0.1 * torch.randn(parameter.shape, generator=generator))
    return model.eval()


def _load_both_ways(reference: torch.nn.Module, ours: torch.nn.Module, seed: int) -> None:
    """Load the reference's weights into ours (strict), then ours into the reference (strict), checking
    that the key renaming is one-to-one and round-trips every tensor."""
    theirs = reference.state_dict()
    converted = convert_speechbrain_state_dict(theirs)
    ours.load_state_dict(converted, strict=True)
    inverse = {new: old for old, new in zip(theirs, convert_speechbrain_state_dict(dict.fromkeys(theirs, 0)))}
    assert len(inverse) == len(ours.state_dict())
    _perturbed(ours, seed)
    back = {inverse[key]: value.clone() for key, value in ours.state_dict().items()}
    for key in set(theirs) - set(back):  # SpeechBrain's sinusoid table, a non-persistent buffer here
        back[key] = theirs[key]
    reference.load_state_dict(back, strict=True)


@pytest.mark.parametrize(
    "config",
    [
        {},  # the wav2vec 2.0 base extractor (7 blocks of 512 channels)
        dict(out_channels=[32, 48, 40], kernel_sizes=[10, 3, 2], strides=[5, 2, 2], conv_init="normal"),
    ],
    ids=["default", "small"],
)
def test_latent_extractor_matches(config):
    sb = speechbrain()
    torch.manual_seed(0)
    reference = sb.wav2vec.W2VLatentExtractor(**config).eval()
    ours = W2VLatentExtractor(**config).eval()
    _load_both_ways(reference, ours, seed=1)
    x = torch.randn(3, 5000, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        for normalize_signal in (True, False):
            torch.testing.assert_close(
                ours(x, normalize_signal), reference(x, normalize_signal), rtol=0.0, atol=TOLERANCE
            )
    lengths = torch.tensor([400, 1000, 5000, 16000, 160000, 12345])
    torch.testing.assert_close(ours.get_output_lengths(lengths), reference.get_output_lengths(lengths))


def test_output_lengths_of_too_short_inputs_are_zero_not_negative():
    # SpeechBrain lets the length go negative below the receptive field; we stop at 0 (documented).
    reference, ours = speechbrain().wav2vec.W2VLatentExtractor(), W2VLatentExtractor()
    lengths = torch.tensor([1, 10, 399, 400])
    expected = reference.get_output_lengths(lengths)
    assert expected.tolist()[:2] == [-1, -1]
    assert torch.equal(ours.get_output_lengths(lengths), torch.clamp(expected, min=0))


@pytest.mark.parametrize(
    "config", [{}, dict(in_dim=24, out_dim=16, num_vars=7, temperature_decay=(1.5, 0.5, 0.9))], ids=["default", "small"]
)
def test_target_quantiser_matches_in_eval(config):
    sb = speechbrain()
    torch.manual_seed(0)
    reference = sb.wav2vec.W2VTargetQuantiser(**config).eval()
    ours = W2VTargetQuantiser(**config).eval()
    _load_both_ways(reference, ours, seed=1)
    x = torch.randn(4, 12, ours.quantiser.input_dim, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        (expected, their_meta), (actual, our_meta) = reference(x), ours(x)
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
    assert sorted(our_meta) == sorted(their_meta)
    for key, value in their_meta.items():
        torch.testing.assert_close(our_meta[key].double(), torch.as_tensor(value).double(), rtol=1e-5, atol=1e-6)


def test_target_quantiser_matches_in_training_with_the_same_random_state():
    # Same logits layout, so torch's Gumbel noise is drawn in the same order: the hard choices agree.
    sb = speechbrain()
    reference = sb.wav2vec.W2VTargetQuantiser(in_dim=24, out_dim=16, num_vars=7).train()
    ours = W2VTargetQuantiser(in_dim=24, out_dim=16, num_vars=7).train()
    _load_both_ways(reference, ours, seed=1)
    reference.train(), ours.train()
    for steps in (0, 1000, 10**6):
        reference.quantiser.update_temp(steps), ours.update_temp(steps)
        assert ours.quantiser.curr_temp == pytest.approx(reference.quantiser.curr_temp, rel=1e-12)
        x = torch.randn(3, 9, 24)
        torch.manual_seed(steps)
        expected, their_meta = reference(x)
        torch.manual_seed(steps)
        actual, our_meta = ours(x)
        torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
        assert float(our_meta["temp"]) == pytest.approx(their_meta["temp"])


def _encoders(normalize_before: bool, activation: str):
    sb = speechbrain()
    torch.manual_seed(0)
    sb_encoder = sb.transformer.TransformerEncoder(
        num_layers=2,
        nhead=4,
        d_ffn=64,
        d_model=32,
        normalize_before=normalize_before,
        activation={"relu": torch.nn.ReLU, "gelu": torch.nn.GELU}[activation],
    )
    reference = sb.wav2vec.EncoderWrapper(24, 32, sb_encoder).eval()
    ours = EncoderWrapper(
        24, 32, TransformerEncoder(32, 2, 4, 64, activation=activation, normalize_before=normalize_before)
    ).eval()
    _load_both_ways(reference, ours, seed=1)
    return reference, ours


@pytest.mark.parametrize("normalize_before, activation", [(False, "relu"), (True, "gelu")])
def test_encoder_wrapper_matches_with_masking_and_padding(normalize_before, activation):
    reference, ours = _encoders(normalize_before, activation)
    generator = torch.Generator().manual_seed(3)
    latents = torch.randn(3, 10, 24, generator=generator)
    mask = torch.rand(3, 10, generator=generator) < 0.4
    padding = torch.arange(10).unsqueeze(0) >= torch.tensor([[10], [7], [3]])
    calls = [
        dict(),
        dict(mask=mask),
        dict(wav_lens=torch.tensor([1.0, 0.8, 0.55]), mask=mask),
        dict(padding_mask=padding),
    ]
    with torch.no_grad():
        for kwargs in calls:
            expected = reference(latents.clone(), **kwargs)
            actual = ours(latents.clone(), **kwargs)
            assert sorted(actual) == sorted(expected)
            assert actual["embeddings"].shape == (3, 10, 32)
            torch.testing.assert_close(actual["embeddings"], expected["embeddings"], rtol=0.0, atol=TOLERANCE)
            if "mask" in kwargs:
                assert int(actual["num_masked"]) == int(expected["num_masked"]) == int(mask.sum())
                torch.testing.assert_close(actual["ratio_masked"], expected["ratio_masked"])


def test_negatives_in_compat_mode_match_bit_for_bit():
    sb = speechbrain()
    y = torch.randn(3, 7, 4)
    for seed in range(5):
        torch.manual_seed(seed)
        expected = sb.wav2vec.sample_negatives(y, 6)
        torch.manual_seed(seed)
        assert torch.equal(sample_negatives(y, 6, speechbrain_compat=True), expected)


def _drawn_frames(negatives: torch.Tensor, time: int):
    """(utterance, frame) of every negative drawn from ``y[b, t] = b * time + t``."""
    index = negatives[..., 0].round().long()  # (num_neg, batch, time)
    return index // time, index % time


def test_negatives_sampling_statistics():
    """Both draw uniformly among the other frames of utterance 0; for utterance b > 0 SpeechBrain's window
    is shifted b frames back (a fraction b / (T - 1) of its negatives come from utterance b - 1, and
    1 / (T - 1) are the target frame itself), ours stays in the utterance, as documented."""
    sb = speechbrain()
    batch, time, num_neg = 4, 12, 3000
    y = torch.arange(batch * time, dtype=torch.float32).view(batch, time, 1)
    torch.manual_seed(0)
    their_utt, their_frame = _drawn_frames(sb.wav2vec.sample_negatives(y, num_neg), time)
    our_utt, our_frame = _drawn_frames(sample_negatives(y, num_neg, generator=torch.Generator().manual_seed(0)), time)
    target = torch.arange(time).view(1, 1, time)
    uniform = 1.0 / (time - 1)
    for utt_index, frame_index in ((their_utt, their_frame), (our_utt, our_frame)):
        first = frame_index[:, 0]  # utterance 0: (num_neg, time) draws, never the target
        assert bool((utt_index[:, 0] == 0).all()) and not bool((first == target[0]).any())
        for t in range(time):
            counts = torch.bincount(first[:, t], minlength=time).double() / num_neg
            others = torch.cat([counts[:t], counts[t + 1 :]])
            assert float((others - uniform).abs().max()) < 0.025  # ~5 standard errors
    for b in range(1, batch):
        leak = float((their_utt[:, b] == b - 1).double().mean())
        own = float(((their_utt[:, b] == b) & (their_frame[:, b] == target[0])).double().mean())
        assert leak == pytest.approx(b * uniform - b / (time * (time - 1)), abs=0.01)
        assert own == pytest.approx((time - b) / time * uniform, abs=0.005)
        assert bool((our_utt[:, b] == b).all()) and not bool((our_frame[:, b] == target[0]).any())


def test_mask_statistics_and_collation_match():
    sb = speechbrain()
    lengths = [60, 52, 41]
    ours = [compute_mask((3, 60), lengths, 0.65, 10, generator=torch.Generator().manual_seed(s)) for s in range(200)]
    np.random.seed(0)
    random.seed(0)
    theirs = [torch.as_tensor(sb.wav2vec.compute_mask((3, 60), lengths, 0.65, 10)) for _ in range(200)]
    for masks in (ours, theirs):
        counts = torch.stack([m.sum(dim=1) for m in masks]).double()  # (draws, batch): same per row
        assert bool((counts == counts[:, :1]).all())
        # num_mask = int(0.65 * 41 / 10 + u + 1) is 3 or 4 spans (p = 0.335 / 0.665) of 10 frames
        assert set(counts[:, 0].tolist()) <= {30.0, 40.0}
        assert float(counts.mean()) == pytest.approx(36.65, abs=1.2)  # ~3.5 standard errors
        assert not any(bool(m[row, n:].any()) for m in masks for row, n in enumerate(lengths))
    # When the spans cannot all fit in the shortest utterance SpeechBrain fails; ours masks all of it.
    # (int(0.65 * 12 / 10 + u + 1) = 1 or 2 spans of 10 frames: 20 > 12 with probability 0.78)
    with pytest.raises(ValueError, match="larger sample than population"):
        for _ in range(100):
            sb.wav2vec.compute_mask((2, 31), [31, 12], 0.65, 10)
    assert bool(compute_mask((2, 31), [31, 12], 0.65, 10)[1, :12].all())
    samples = [{"id": name, "sig": torch.rand(n)} for name, n in (("a", 16000), ("b", 12000), ("c", 9000))]
    out_len = W2VLatentExtractor().get_output_lengths
    wavs, wav_lens, mask = w2v_mask_collate_fn(samples, out_len, 0.3, 10)
    their_wavs, their_lens, their_mask = sb.wav2vec.w2v_mask_collate_fn(samples, out_len, 0.3, 10)
    assert torch.equal(wavs, their_wavs) and mask.shape == their_mask.shape
    torch.testing.assert_close(wav_lens, their_lens.float())
