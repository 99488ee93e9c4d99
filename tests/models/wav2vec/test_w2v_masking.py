"""compute_mask, sample_negatives and w2v_mask_collate_fn: shapes, padding, reproducibility, quirks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec import W2VLatentExtractor, compute_mask, sample_negatives, w2v_mask_collate_fn


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- compute_mask


@settings(max_examples=60, deadline=None)
@given(
    lens=st.lists(st.integers(1, 60), min_size=1, max_size=5),
    extra=st.integers(0, 5),
    mask_prob=st.floats(0.0, 1.0),
    mask_length=st.integers(1, 12),
    seed=st.integers(0, 2**31),
)
def test_compute_mask_properties(lens, extra, mask_prob, mask_length, seed):
    frames = max(lens) + extra
    mask = compute_mask((len(lens), frames), lens, mask_prob, mask_length, generator=_gen(seed))
    assert mask.shape == (len(lens), frames) and mask.dtype == torch.bool
    counts = mask.sum(dim=1).tolist()
    for row, length in enumerate(lens):
        assert not mask[row, length:].any()  # never in the padding
    if mask_prob == 0.0:
        assert sum(counts) == 0
        return
    # SpeechBrain's span count: int(p * L_min / l + u + 1) with u in [0, 1)
    low = int(mask_prob * min(lens) / mask_length + 1)
    high = int(mask_prob * min(lens) / mask_length + 2)
    targets = {min(n * mask_length, length) for n in (low, high) for length in lens}
    for row, length in enumerate(lens):
        assert counts[row] in {min(n * mask_length, length) for n in (low, high)}
    assert set(counts) <= targets
    if max(low, high) * mask_length <= min(lens):
        assert len(set(counts)) == 1  # same count in every row


def test_compute_mask_is_reproducible_with_a_generator():
    a = compute_mask((4, 100), [100, 80, 90, 70], 0.65, 10, generator=_gen(7))
    b = compute_mask((4, 100), [100, 80, 90, 70], 0.65, 10, generator=_gen(7))
    c = compute_mask((4, 100), [100, 80, 90, 70], 0.65, 10, generator=_gen(8))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_compute_mask_makes_spans():
    # one span of 10 in 200 frames: int(0.01 * 200 / 10 + u + 1) = 1 span
    mask = compute_mask((1, 200), [200], 0.01, 10, generator=_gen(3))
    idx = torch.nonzero(mask[0]).flatten()
    assert idx.tolist() == list(range(int(idx[0]), int(idx[0]) + 10))


def test_compute_mask_full_masking_does_not_fail():
    # int(1.0 * 5 / 4 + u + 1) = 2 or 3 spans of 4; SpeechBrain's
    # np.random.choice(5 - 4, num_mask, replace=False) fails for the short row; we mask all of it
    mask = compute_mask((2, 12), [12, 5], 1.0, 4, generator=_gen())
    assert mask.sum(dim=1).tolist() in ([8, 5], [12, 5])


@pytest.mark.parametrize(
    "args, error",
    [
        (((2, 10), [10], 0.5, 2), ShapeError),
        (((1, 10), [11], 0.5, 2), ShapeError),
        (((1, 10), [0], 0.5, 2), ShapeError),
        (((1, 10), [10], 1.5, 2), ConfigError),
        (((1, 10), [10], 0.5, 0), ConfigError),
    ],
)
def test_compute_mask_bad_arguments(args, error):
    with pytest.raises(error):
        compute_mask(*args)


# ---------------------------------------------------------------- sample_negatives


def _frame_ids(batch, time):
    """y whose single channel is the flat frame index b * time + t."""
    return torch.arange(batch * time, dtype=torch.float32).view(batch, time, 1)


def test_sample_negatives_shape_and_gradient():
    y = torch.randn(3, 7, 5, requires_grad=True)
    negs = sample_negatives(y, 4, generator=_gen())
    assert negs.shape == (4, 3, 7, 5)
    negs.sum().backward()
    assert y.grad.abs().sum() > 0


def test_fixed_negatives_stay_in_their_utterance_and_skip_the_target():
    batch, time = 4, 9
    negs = sample_negatives(_frame_ids(batch, time), 50, generator=_gen()).squeeze(-1).long()
    utt, frame = negs // time, negs % time
    assert torch.equal(utt, torch.arange(batch).view(1, batch, 1).expand_as(utt))
    assert not (frame == torch.arange(time).view(1, 1, time)).any()
    # all 8 other frames are candidates (50 seeded draws of a uniform choice among 8)
    assert set(frame[:, 0, 0].tolist()) == set(range(1, time))
    assert set(frame[:, 3, 4].tolist()) == set(range(time)) - {4}


def test_fixed_negatives_respect_sample_lens():
    batch, time = 3, 10
    lens = [10, 4, 2]
    negs = sample_negatives(_frame_ids(batch, time), 30, sample_lens=lens, generator=_gen()).squeeze(-1).long()
    for b, length in enumerate(lens):
        frames = negs[:, b] - b * time
        assert frames.min() >= 0 and frames.max() < length
        for t in range(length):
            assert not (frames[:, t] == t).any()
    # with 2 real frames the only negative of frame 0 is frame 1 and vice versa
    assert (negs[:, 2, 0] == 2 * time + 1).all() and (negs[:, 2, 1] == 2 * time).all()


def test_sample_negatives_is_reproducible():
    y = torch.randn(2, 6, 3)
    assert torch.equal(sample_negatives(y, 5, generator=_gen(1)), sample_negatives(y, 5, generator=_gen(1)))


def test_speechbrain_compat_reproduces_the_reference_indexing():
    # SpeechBrain draws randint(0, T - 1), shifts draws >= t by one, then offsets row b by b * (T - 1)
    batch, time, num_neg = 3, 5, 4
    y = _frame_ids(batch, time)
    draws = torch.randint(0, time - 1, (batch, time * num_neg), generator=_gen(2))
    t = np.repeat(np.arange(time), num_neg)
    expected = draws.numpy() + (draws.numpy() >= t) + np.arange(batch)[:, None] * (time - 1)
    expected = torch.from_numpy(expected).float().view(batch, time, num_neg).permute(2, 0, 1)
    negs = sample_negatives(y, num_neg, generator=_gen(2), speechbrain_compat=True).squeeze(-1)
    assert torch.equal(negs, expected)


def test_speechbrain_compat_shows_the_known_quirks():
    batch, time = 4, 6
    negs = sample_negatives(_frame_ids(batch, time), 200, generator=_gen(), speechbrain_compat=True)
    negs = negs.squeeze(-1).long()
    own = torch.arange(batch).view(1, batch, 1) * time + torch.arange(time).view(1, 1, time)
    crossing = (negs // time) != torch.arange(batch).view(1, batch, 1)
    assert crossing.any()  # negatives from the previous utterance
    assert (negs == own).any()  # negatives equal to the target frame
    fixed = sample_negatives(_frame_ids(batch, time), 200, generator=_gen()).squeeze(-1).long()
    assert not ((fixed // time) != torch.arange(batch).view(1, batch, 1)).any()
    assert not (fixed == own).any()


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(y=torch.zeros(2, 5), num_neg=2), ShapeError),
        (dict(y=torch.zeros(2, 1, 3), num_neg=2), ShapeError),
        (dict(y=torch.zeros(2, 5, 3), num_neg=0), ConfigError),
        (dict(y=torch.zeros(2, 5, 3), num_neg=2, sample_lens=[5, 1]), ShapeError),
        (dict(y=torch.zeros(2, 5, 3), num_neg=2, sample_lens=[5]), ShapeError),
    ],
)
def test_sample_negatives_bad_arguments(kwargs, error):
    with pytest.raises(error):
        sample_negatives(**kwargs)


# ---------------------------------------------------------------- w2v_mask_collate_fn


def test_collate_pads_and_masks_within_each_utterance():
    out_len = W2VLatentExtractor([4, 4], [10, 3], [5, 2]).get_output_lengths
    sigs = [torch.randn(400), torch.randn(1000), torch.randn(250)]
    batch = [{"id": f"utt{i}", "sig": s} for i, s in enumerate(sigs)]
    wavs, wav_lens, mask = w2v_mask_collate_fn(batch, out_len, 0.5, 3, generator=_gen())
    assert wavs.shape == (3, 1000)
    for i, sig in enumerate(sigs):
        assert torch.equal(wavs[i, : sig.numel()], sig)
        assert not wavs[i, sig.numel() :].any()
    torch.testing.assert_close(wav_lens, torch.tensor([0.4, 1.0, 0.25]))
    latent = [int(out_len(torch.tensor(s.numel()))) for s in sigs]
    assert mask.shape == (3, max(latent)) and mask.dtype == torch.bool
    for i, n in enumerate(latent):
        assert not mask[i, n:].any()
        assert mask[i, :n].any()


def test_collate_accepts_plain_signals_and_is_reproducible():
    out_len = W2VLatentExtractor([4], [4], [2]).get_output_lengths
    batch = [np.random.default_rng(0).standard_normal(50).astype("float32"), torch.randn(30)]
    a = w2v_mask_collate_fn(batch, out_len, 0.5, 2, generator=_gen(4))
    b = w2v_mask_collate_fn(batch, out_len, 0.5, 2, generator=_gen(4))
    for x, y in zip(a, b):
        assert torch.equal(x, y)
    assert a[0].dtype == torch.float32


def test_collate_errors():
    out_len = W2VLatentExtractor([4], [10], [5]).get_output_lengths
    with pytest.raises(ShapeError, match="empty"):
        w2v_mask_collate_fn([], out_len, 0.5, 2)
    with pytest.raises(ShapeError, match="too short"):
        w2v_mask_collate_fn([torch.randn(100), torch.randn(5)], out_len, 0.5, 2)
    with pytest.raises(ShapeError, match="'sig'"):
        w2v_mask_collate_fn([{"id": "a", "audio": torch.randn(100)}], out_len, 0.5, 2)
    with pytest.raises(ShapeError, match="1-D"):
        w2v_mask_collate_fn([torch.randn(2, 100)], out_len, 0.5, 2)
