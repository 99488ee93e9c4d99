"""Block-processing geometry: right-context blocks, summaries and masks, checked against hand-made tables."""

import torch

from lhotse_lite.models.conv_emformer.masks import (
    attention_mask,
    key_padding_mask,
    num_segments,
    right_context_blocks,
    segment_summaries,
)


def _rows(text: str) -> torch.Tensor:
    """Parse a table of 0/1 (1 = allowed) into a bool 'blocked' mask."""
    allowed = [[c == "1" for c in line.split("|")[1].replace(" ", "")] for line in text.strip().splitlines()]
    return ~torch.tensor(allowed)


def test_mask_with_memory_left_and_right_context():
    # U = 6, S = 2 -> 3 segments; R = 1, L = 1, max_memory_size = 1.
    # keys: m0 m1 | r0 r1 r2 | u0 u1 u2 u3 u4 u5 ; queries: r0 r1 r2 | u0..u5 | s0 s1 s2
    expected = _rows(
        """
        r0 | 00 100 110000
        r1 | 10 010 011100
        r2 | 01 001 000111
        u0 | 00 100 110000
        u1 | 00 100 110000
        u2 | 10 010 011100
        u3 | 10 010 011100
        u4 | 01 001 000111
        u5 | 01 001 000111
        s0 | 00 100 110000
        s1 | 00 010 011100
        s2 | 00 001 000111
        """
    )
    assert torch.equal(attention_mask(6, 2, 1, 1, 1), expected)


def test_mask_with_two_memories_and_partial_last_segment():
    # U = 5, S = 2 -> segments [0, 1], [2, 3], [4]; R = 0, L = 0, max_memory_size = 2.
    # keys: m0 m1 | u0..u4 ; queries: u0..u4 | s0 s1 s2
    expected = _rows(
        """
        u0 | 00 11000
        u1 | 00 11000
        u2 | 10 00110
        u3 | 10 00110
        u4 | 11 00001
        s0 | 00 11000
        s1 | 00 00110
        s2 | 00 00001
        """
    )
    assert torch.equal(attention_mask(5, 2, 0, 0, 2), expected)


def test_mask_left_context_longer_than_segment():
    # U = 6, S = 2, L = 3: segment 2 sees u1..u5, segment 1 sees u0..u3.
    mask = attention_mask(6, 2, 0, 3, 0)
    assert (~mask[4]).nonzero().flatten().tolist() == [1, 2, 3, 4, 5]
    assert (~mask[2]).nonzero().flatten().tolist() == [0, 1, 2, 3]


def test_right_context_blocks_follow_each_segment_and_last_uses_tail():
    x = torch.arange(12.0).view(12, 1, 1)  # U = 9, R = 3, S = 4 -> segments [0-3], [4-7], [8]
    blocks = right_context_blocks(x, 9, 4, 3).flatten().tolist()
    assert blocks == [4.0, 5.0, 6.0, 8.0, 9.0, 10.0, 9.0, 10.0, 11.0]
    assert right_context_blocks(x, 12, 4, 0).shape == (0, 1, 1)


def test_segment_summaries_average_each_segment():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 10.0]).view(5, 1, 1)
    assert segment_summaries(x, 2).flatten().tolist() == [1.5, 3.5, 10.0]
    assert num_segments(5, 2) == 3 and num_segments(4, 2) == 2


def test_key_padding_mask_hides_frames_beyond_lengths():
    mask = key_padding_mask(torch.tensor([2, 4, 0]), 2, 4)
    expected = torch.tensor([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(mask, expected)


def test_key_padding_mask_counts_padding_from_the_end_of_the_batch_like_torchaudio():
    # max(lengths) = 3 < U = 5: every item sees 2 frames more than its length; one item: no mask
    mask = key_padding_mask(torch.tensor([3, 1, 0]), 1, 5)
    expected = torch.tensor([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(mask, expected)
    assert key_padding_mask(torch.tensor([2]), 1, 5) is None
