"""Regression: ``ConvEmformer.forward`` differed from torchaudio's on padded batches.

With the seed's example configuration (``left_context_length=0``, no memory) and a batch whose longest
item is shorter than the input (``max(lengths) < T``), the first segment agreed with torchaudio and
every later frame differed. The cause was the key padding mask, not the left context or the
convolution: torchaudio (``emformer._gen_padding_mask``) counts the keys before the utterance as
``queries - max(lengths) - summaries``, so item ``b``'s attention sees its first
``lengths[b] + T - max(lengths)`` utterance frames, and a batch of one item is not masked at all; we hid
exactly the frames at or beyond ``lengths[b]``. Both rules agree when the longest item fills the batch
(``max(lengths) == T``), which is why tests on full-length batches passed, and on the first segment of a
left-context-free model, whose queries only see frames that are valid under both rules. We now follow
torchaudio's rule (``masks.key_padding_mask``), in ``forward`` and in ``infer``.
"""

import torch

from lhotse_lite.models.conv_emformer import ConvEmformer
from tests.reference.reference_code import torchaudio_conv_emformer

ARGS = (16, 2, 24, 2, 4, 3)  # input_dim, heads, ffn_dim, layers, segment_length, kernel_size
KWARGS = dict(right_context_length=2)  # left_context_length=0 and max_memory_size=0, as in the seed's example


def _model() -> ConvEmformer:
    torch.manual_seed(0)
    return ConvEmformer(*ARGS, **KWARGS).eval()


def test_padding_is_counted_from_the_end_of_the_batch():
    model = _model()
    x = torch.randn(3, 16 + 2, 16)  # T = 16 utterance frames
    with torch.no_grad():
        shorter, _ = model(x, torch.tensor([9, 5, 3]))
        shifted, _ = model(x, torch.tensor([16, 12, 10]))  # the same lengths + (T - max(lengths))
    # (exact masking would give different outputs: item 0 would see 9 frames here and 16 there)
    torch.testing.assert_close(shorter, shifted, rtol=0.0, atol=0.0)


def test_a_single_item_is_not_masked():
    model = _model()
    x = torch.randn(1, 16 + 2, 16)
    with torch.no_grad():
        torch.testing.assert_close(model(x, torch.tensor([3]))[0], model(x, torch.tensor([16]))[0], rtol=0.0, atol=0.0)


def test_default_configuration_matches_torchaudio_on_a_padded_batch():
    torch.manual_seed(0)
    reference = torchaudio_conv_emformer().ConvEmformer(*ARGS, **KWARGS).eval()
    ours = ConvEmformer(*ARGS, **KWARGS).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.rand(10, 48 + 2, 16)
    lengths = torch.randint(4, 43, (10,), generator=torch.Generator().manual_seed(0))  # all < T = 48
    with torch.no_grad():
        torch.testing.assert_close(ours(x, lengths)[0], reference(x, lengths)[0], rtol=0.0, atol=1e-4)
        their_states = our_states = None
        for i in range(-(-int(lengths.max()) // 4)):
            chunk, chunk_lengths = x[:, i * 4 : i * 4 + 6], torch.clamp(lengths - i * 4, 0, 4) + 2
            expected, _, their_states = reference.infer(chunk, chunk_lengths, their_states)
            actual, _, our_states = ours.infer(chunk, chunk_lengths, our_states)
            torch.testing.assert_close(actual, expected, rtol=0.0, atol=1e-4)
