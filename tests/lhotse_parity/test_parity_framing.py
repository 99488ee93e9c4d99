"""Lhotse's framing helpers ``_get_strided_batch`` and ``_get_strided_batch_streaming`` of
``lhotse.features.kaldi.layers``: the same frames and remainders on random inputs.

Where they differ on purpose (docs/coming_from_lhotse.rst): with ``snip_edges=False``, an even window
length and an odd shift, Lhotse's frames start one sample after Kaldi's (ours are Kaldi's, checked
against the definition here); no frame gives ``(batch, 0, window_length)`` here.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
from lhotse.features.kaldi import layers as theirs

from lhotse_lite.errors import ShapeError
from lhotse_lite.features.kaldi import layers as ours

# (window_length, window_shift) where Lhotse's left padding (L - S) // 2 is Kaldi's L // 2 - S // 2
SAME_PADDING = [(400, 160), (200, 80), (401, 160), (25, 10), (7, 3), (9, 3), (12, 4), (5, 5), (1102, 442)]


@pytest.mark.parametrize("length,shift", SAME_PADDING)
@pytest.mark.parametrize("snip_edges", [True, False])
def test_strided_batch_equals_lhotses(length, shift, snip_edges):
    rng = np.random.default_rng(length * 1000 + shift)
    for _ in range(5):
        batch, n = int(rng.integers(1, 4)), int(rng.integers(length, 5 * length + 3))
        x = torch.from_numpy(rng.standard_normal((batch, n)).astype(np.float32))
        expected = theirs._get_strided_batch(x, length, shift, snip_edges)
        got = ours._get_strided_batch(x, length, shift, snip_edges)
        assert got.shape == expected.shape and torch.equal(got, expected), (batch, n)


def _kaldi_frames(x: np.ndarray, length: int, shift: int) -> np.ndarray:
    """Kaldi's snip_edges=False frames from their definition (frame f starts at f*S + S//2 - L//2, mirrored)."""
    n = x.shape[1]
    count = (n + shift // 2) // shift
    idx = np.arange(count)[:, None] * shift + shift // 2 - length // 2 + np.arange(length)[None, :]
    idx = np.mod(idx, 2 * n)  # mirrored repeatedly: -1 -> 0, n -> n - 1, -n - 1 -> 0 ...
    idx = np.where(idx >= n, 2 * n - 1 - idx, idx)
    return x[:, idx]


@pytest.mark.parametrize("length,shift", [(400, 161), (1102, 441), (10, 3)])
def test_even_length_odd_shift_frames_are_kaldis(length, shift):
    x = torch.randn(2, 3 * length + 7)
    got = ours._get_strided_batch(x, length, shift, False)
    np.testing.assert_array_equal(got.numpy(), _kaldi_frames(x.numpy(), length, shift))
    lhotse_frames = theirs._get_strided_batch(x, length, shift, False)
    assert lhotse_frames.shape == got.shape and not torch.equal(lhotse_frames, got)
    assert torch.equal(lhotse_frames[:, 1:-2, :-1], got[:, 1:-2, 1:])  # Lhotse's start one sample later


def test_no_frame_and_short_signals():
    x = torch.randn(3, 50)
    assert theirs._get_strided_batch(x, 100, 40, True).shape == (0, 0, 0)
    assert ours._get_strided_batch(x, 100, 40, True).shape == (3, 0, 100)
    short = ours._get_strided_batch(x[:, :20], 100, 40, False)  # Lhotse fails: the padding exceeds the signal
    np.testing.assert_array_equal(short.numpy(), _kaldi_frames(x[:, :20].numpy(), 100, 40))
    for lib in (theirs, ours):
        with pytest.raises(AssertionError):
            lib._get_strided_batch(x[0], 100, 40, True)


@pytest.mark.parametrize("length,shift", [(400, 160), (401, 160), (25, 10), (12, 4), (5, 5)])
@pytest.mark.parametrize("snip_edges", [True, False])
def test_streaming_equals_lhotses(length, shift, snip_edges):
    rng = np.random.default_rng(length + shift)
    x = torch.from_numpy(rng.standard_normal((2, 20 * length)).astype(np.float32))
    cuts = sorted(rng.choice(np.arange(length, x.shape[1]), size=6, replace=False).tolist())
    chunks = [x[:, a:b] for a, b in zip([0, *cuts], [*cuts, x.shape[1]])]
    rest = {"lhotse": None, "ours": None}
    frames = {"lhotse": [], "ours": []}
    for chunk in chunks:
        for name, lib in (("lhotse", theirs), ("ours", ours)):
            f, rest[name] = lib._get_strided_batch_streaming(
                chunk, shift, length, prev_remainder=rest[name], snip_edges=snip_edges
            )
            frames[name].append(f)
        assert torch.equal(rest["ours"], rest["lhotse"])
        if frames["lhotse"][-1].numel():
            assert torch.equal(frames["ours"][-1], frames["lhotse"][-1])
        else:  # Lhotse's (batch, 0, 0) when no frame fits
            assert frames["ours"][-1].shape == (2, 0, length)
    streamed = torch.cat(frames["ours"], dim=1)
    offline = ours._get_strided_batch(x, length, shift, snip_edges)
    assert torch.equal(streamed, offline[:, : streamed.size(1)])


def test_streaming_edge_cases():
    x = torch.randn(2, 1000)
    frames, rest = ours._get_strided_batch_streaming(x[:, :50], 160, 400, snip_edges=True)
    assert frames.shape == (2, 0, 400) and torch.equal(rest, x[:, :50])  # Lhotse: (2, 0, 0)
    assert theirs._get_strided_batch_streaming(x[:, :50], 160, 400, snip_edges=True)[0].shape == (2, 0, 0)
    with pytest.raises(ShapeError, match="at least 120 samples"):  # Lhotse pads with fewer samples silently
        ours._get_strided_batch_streaming(x[:, :100], 160, 400)
    with pytest.raises(AssertionError):
        ours._get_strided_batch_streaming(x, 400, 160)  # shift > length: Lhotse asserts too
    with pytest.raises(AssertionError):
        ours._get_strided_batch_streaming(x, 160, 400, prev_remainder=torch.zeros(3, 10))
