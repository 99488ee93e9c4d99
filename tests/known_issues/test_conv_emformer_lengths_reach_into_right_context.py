"""``ConvEmformer.forward`` accepts lengths up to the input's full length, right context included, as
torchaudio does.

torchaudio's own docstring example draws ``lengths = torch.randint(1, 200, (10,))`` for a ``(10, 200, 80)``
input with ``right_context_length=4``, so about 15% of its draws have an item longer than
``T = 200 - 4``. We raised ``ShapeError`` for them; torchaudio runs, and its padding rule (item ``b`` sees
its first ``lengths[b] + T - max(lengths)`` frames) then hides right-context keys of items more than ``T``
frames shorter than the longest one. We follow the same rule over the whole key sequence.
"""

import torch

from lhotse_lite.models.conv_emformer import ConvEmformer
from tests.reference.reference_code import torchaudio_conv_emformer

ARGS = (16, 2, 24, 2, 4, 3)  # input_dim, heads, ffn_dim, layers, segment_length, kernel_size
KWARGS = dict(right_context_length=3, left_context_length=2, max_memory_size=2)


def test_lengths_past_the_utterance_give_torchaudio_outputs():
    torch.manual_seed(0)
    reference = torchaudio_conv_emformer().ConvEmformer(*ARGS, **KWARGS).eval()
    ours = ConvEmformer(*ARGS, **KWARGS).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.rand(3, 8 + 3, 16)  # T = 8 utterance frames + 3 right-context frames
    # each batch has an item longer than T; in the first, item 2 is 9 > T frames shorter than item 0, so a
    # right-context key is hidden too
    for lengths in ([11, 5, 2], [9, 9, 1], [10, 8, 3]):
        lengths = torch.tensor(lengths)
        with torch.no_grad():
            expected, expected_lengths = reference(x, lengths)
            actual, actual_lengths = ours(x, lengths)
        assert torch.equal(actual_lengths, lengths) and torch.equal(expected_lengths, lengths)
        torch.testing.assert_close(actual, expected, rtol=0.0, atol=1e-5)
