"""lhotse_lite.streaming == SpeechBrain 1.1.2's ``speechbrain.utils.streaming``.

The reference is SpeechBrain's own code, loaded from its wheel (see ``reference_code.py``).
"""

import pytest
import torch

from lhotse_lite.streaming import infer_dependency_matrix, split_fixed_chunks, split_wav_lens
from tests.reference.reference_code import speechbrain


@pytest.mark.parametrize(
    "shape, chunk_size",
    [
        ((3, 20, 5), 8),
        ((3, 20, 5), 4),
        ((3, 20, 5), 1),
        ((3, 20, 5), 20),
        ((3, 20, 5), 64),
        ((2, 10000), 128),
        ((1, 7), 3),
    ],
)
def test_split_fixed_chunks_matches_on_the_time_dimension(shape, chunk_size):
    x = torch.randn(shape)
    expected = speechbrain().streaming.split_fixed_chunks(x, chunk_size, dim=1)
    actual = split_fixed_chunks(x, chunk_size, dim=1)
    assert len(actual) == len(expected)
    assert all(torch.equal(a, b) for a, b in zip(actual, expected))


def test_split_fixed_chunks_splits_the_dimension_it_is_given():
    # SpeechBrain counts the chunks along ``dim`` but always splits dimension 1 (documented difference).
    x = torch.randn(2, 6, 10)
    expected = speechbrain().streaming.split_fixed_chunks(x, 4, dim=-1)
    assert [c.shape[1] for c in expected] == [4, 2, 0]
    assert [c.shape for c in split_fixed_chunks(x, 4, dim=-1)] == [(2, 6, 4), (2, 6, 4), (2, 6, 2)]


@pytest.mark.parametrize("chunk_lens", [[8, 8, 4], [5], [1] * 7, [3, 5, 2, 10]])
def test_split_wav_lens_matches(chunk_lens):
    wav_lens = torch.tensor([1.0, 0.65, 0.85, 0.0, 0.123, 0.5])
    expected = speechbrain().streaming.split_wav_lens(chunk_lens, wav_lens)
    actual = split_wav_lens(chunk_lens, wav_lens)
    assert len(actual) == len(expected)
    for a, b in zip(actual, expected):
        torch.testing.assert_close(a, b, rtol=0.0, atol=0.0)


def _conv_model(kernel_size: int, left: int, right: int):
    """A 1-D convolution over ``(batch, time, feature)`` padded ``left`` frames before, ``right`` after."""
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(3, 2, kernel_size)

    def model(x: torch.Tensor) -> torch.Tensor:
        padded = torch.nn.functional.pad(x.transpose(1, 2), (left, right))
        return conv(padded).transpose(1, 2)

    return model


@pytest.mark.parametrize(
    "kernel_size, left, right, in_stride",
    [
        (4, 3, 0, 1),  # causal
        (4, 3, 0, 3),  # causal, every third input frame
        (5, 2, 2, 1),  # looks 2 frames ahead
    ],
)
def test_infer_dependency_matrix_matches_bit_for_bit(kernel_size, left, right, in_stride):
    model = _conv_model(kernel_size, left, right)
    torch.manual_seed(7)  # same global random state: the same base input and perturbations are drawn
    expected = speechbrain().streaming.infer_dependency_matrix(model, (2, 12, 3), in_stride)
    torch.manual_seed(7)
    actual = infer_dependency_matrix(model, (2, 12, 3), in_stride)
    assert torch.equal(actual, expected)
    assert torch.equal(infer_dependency_matrix(model, (2, 12, 3), in_stride, generator=torch.Generator()), expected)
    if right == 0:  # causal: output t depends on inputs t - 3 .. t, never on a later one
        frames = torch.arange(0, 12, in_stride).unsqueeze(1)
        t = torch.arange(12).unsqueeze(0)
        assert torch.equal(actual, (frames <= t) & (frames > t - kernel_size))
