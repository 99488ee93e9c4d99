"""ConvEmformer == torchaudio 2.7.1's prototype ConvEmformer, on random weights loaded into both.

``forward`` is compared on every output frame of padded batches (padded frames included: torchaudio's
padding rule is ours), chained ``infer`` on every frame of every chunk of a stream, and the streaming
states on the entries either side reads. The reference is torchaudio's own code, loaded from its wheel
(see ``reference_code.py``).
"""

from typing import List, Optional

import pytest
import torch

from lhotse_lite.models.conv_emformer import ConvEmformer, ConvEmformerLayerState
from tests.reference.reference_code import torchaudio_conv_emformer

TOLERANCE = 1e-4  # float32; the worst differences measured are quoted in docs/models_conv_emformer.rst
DIM = 16

# (positional args after input_dim, keyword args): left context 0 and > 0 (shorter and longer than a
# segment), memory 0 and > 0 (also larger than the stream), right context 0, shorter and longer than a
# segment, tanh_on_mem, every activation in both modules, kernels shorter and longer than a segment.
CONFIGS = {
    "nothing": ((2, 24, 2, 4, 3), dict()),
    "right_only": ((2, 24, 2, 4, 3), dict(right_context_length=2)),
    "left_right": ((2, 24, 2, 4, 3), dict(left_context_length=3, right_context_length=2)),
    "memory_clamp": ((2, 24, 2, 4, 3), dict(right_context_length=2, max_memory_size=2)),
    "memory_tanh_long_left": (
        (2, 24, 3, 4, 5),
        dict(left_context_length=6, right_context_length=3, max_memory_size=3, tanh_on_mem=True),
    ),
    "gelu_relu_no_right": (
        (2, 24, 2, 4, 3),
        dict(left_context_length=2, max_memory_size=1, ffn_activation="gelu", conv_activation="relu"),
    ),
    "silu_gelu_long_right": (
        (4, 24, 2, 3, 7),
        dict(left_context_length=5, right_context_length=5, ffn_activation="silu", conv_activation="gelu"),
    ),
    "memory_larger_than_stream": (
        (2, 24, 2, 4, 3),
        dict(left_context_length=2, right_context_length=1, max_memory_size=10, weight_init_scale_strategy=None),
    ),
}
NUM_SEGMENTS = 5
# Valid frames per item of a 5-segment batch: the longest item fills the batch, or it does not (then
# torchaudio's padding rule shows), or the batch has one item (then nothing is masked).
LENGTHS = {"longest_fills": [1.0, 0.7, 0.25, 0.05], "none_fills": [0.85, 0.3, 0.6], "single": [0.55]}


def _perturbed(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Random weights everywhere (LayerNorm gains and biases too), so every parameter matters."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.2 * torch.randn(parameter.shape, generator=generator))
    return model.eval()


def _models(args: tuple, kwargs: dict, input_dim: int = DIM, seed: int = 0):
    """torchaudio's model with random weights, and ours with those weights loaded strictly."""
    torch.manual_seed(seed)
    reference = _perturbed(torchaudio_conv_emformer().ConvEmformer(input_dim, *args, **kwargs), seed)
    ours = ConvEmformer(input_dim, *args, **kwargs).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    return reference, ours


def _batch(model: ConvEmformer, fractions: List[float], seed: int = 1):
    utt_len = NUM_SEGMENTS * model.segment_length
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(len(fractions), utt_len + model.right_context_length, DIM, generator=generator)
    lengths = torch.tensor([max(1, round(f * utt_len)) for f in fractions])
    return x, lengths


def _stream(model, x: torch.Tensor, lengths: torch.Tensor):
    """Chained infer over the chunks ``x[:, i*S : i*S + S + R]`` until the longest item ends; returns the
    outputs and the states after every chunk, as lists of five tensors per layer (copied: torchaudio
    updates its state lists in place)."""
    s, r = model.segment_length, model.right_context_length
    num_chunks = -(-int(lengths.max()) // s)
    states: Optional[list] = None
    outputs, all_states = [], []
    for i in range(num_chunks):
        chunk_lengths = torch.clamp(lengths - i * s, 0, s) + r
        out, out_lengths, states = model.infer(x[:, i * s : i * s + s + r], chunk_lengths, states)
        assert out_lengths.tolist() == (chunk_lengths - r).tolist()
        outputs.append(out)
        all_states.append([list(state) for state in states])
    return torch.cat(outputs, dim=1), all_states


def _read_part(state: List[torch.Tensor], model: ConvEmformer) -> List[torch.Tensor]:
    """The state entries the next infer call reads: the last min(M, segments) memory elements, the last
    min(L, frames) left-context keys/values, the frame count and the conv cache."""
    memory, keys, values, past, cache = state
    seen = int(past[0, 0])
    n_mem = min(model.max_memory_size, -(-seen // model.segment_length))
    n_lc = min(model.left_context_length, seen)
    return [memory[memory.size(0) - n_mem :], keys[keys.size(0) - n_lc :], values[values.size(0) - n_lc :], past, cache]


@pytest.mark.parametrize("lengths_name", list(LENGTHS))
@pytest.mark.parametrize("name", list(CONFIGS))
def test_forward_matches_torchaudio(name, lengths_name):
    reference, ours = _models(*CONFIGS[name])
    x, lengths = _batch(ours, LENGTHS[lengths_name])
    with torch.no_grad():
        expected, expected_lengths = reference(x, lengths)
        actual, actual_lengths = ours(x, lengths)
    assert torch.equal(actual_lengths, expected_lengths)
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_our_weights_load_into_torchaudio_and_give_the_same_output(name):
    args, kwargs = CONFIGS[name]
    torch.manual_seed(3)
    ours = _perturbed(ConvEmformer(DIM, *args, **kwargs), seed=3)
    reference = torchaudio_conv_emformer().ConvEmformer(DIM, *args, **kwargs).eval()
    reference.load_state_dict(ours.state_dict(), strict=True)
    x, lengths = _batch(ours, LENGTHS["longest_fills"])
    with torch.no_grad():
        torch.testing.assert_close(ours(x, lengths)[0], reference(x, lengths)[0], rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("lengths_name", list(LENGTHS))
@pytest.mark.parametrize("name", list(CONFIGS))
def test_chained_infer_matches_torchaudio(name, lengths_name):
    reference, ours = _models(*CONFIGS[name])
    x, lengths = _batch(ours, LENGTHS[lengths_name])
    with torch.no_grad():
        expected, expected_states = _stream(reference, x, lengths)
        actual, actual_states = _stream(ours, x, lengths)
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
    # After the last chunk torchaudio's left-context cache is stale when the longest item had fewer
    # than L frames left (docs/models_conv_emformer.rst); the stream has ended there.
    for theirs_per_layer, ours_per_layer in zip(expected_states[:-1], actual_states[:-1]):
        for theirs, mine in zip(theirs_per_layer, ours_per_layer):
            for a, b in zip(_read_part(mine, ours), _read_part(theirs, ours)):
                torch.testing.assert_close(a, b, rtol=0.0, atol=TOLERANCE)


def test_states_convert_to_and_from_torchaudio_lists():
    reference, ours = _models(*CONFIGS["memory_tanh_long_left"])
    x, _ = _batch(ours, [1.0, 1.0])
    s, r = ours.segment_length, ours.right_context_length
    with torch.no_grad():
        _, _, their_states = reference.infer(x[:, : s + r], torch.full((2,), s + r))
        states = [ConvEmformerLayerState.from_list(state) for state in their_states]
        expected, _, _ = reference.infer(x[:, s : 2 * s + r], torch.full((2,), s + r), their_states)
        actual, _, _ = ours.infer(x[:, s : 2 * s + r], torch.full((2,), s + r), states)
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)


def test_the_seed_example_matches_torchaudio():
    """The seed's example configuration on the issue's input: (10, 200, 80) with lengths in [16, 178]."""
    reference, ours = _models((4, 1024, 12, 16, 8), dict(right_context_length=4), input_dim=80)
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(10, 200, 80, generator=generator)
    lengths = torch.randint(16, 179, (10,), generator=generator)
    with torch.no_grad():
        torch.testing.assert_close(ours(x, lengths)[0], reference(x, lengths)[0], rtol=0.0, atol=TOLERANCE)
        expected, _ = _stream(reference, x[:4], lengths[:4])  # 4 items keep the 12-layer stream short
        actual, _ = _stream(ours, x[:4], lengths[:4])
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)


def test_kernel_1_forward_matches_torchaudio():
    # forward only: torchaudio's infer fails on its second call with kernel_size=1 (its conv cache
    # keeps the whole utterance), docs/models_conv_emformer.rst
    reference, ours = _models((2, 24, 2, 4, 1), dict(left_context_length=2, right_context_length=2, max_memory_size=2))
    x, lengths = _batch(ours, LENGTHS["none_fills"])
    with torch.no_grad():
        torch.testing.assert_close(ours(x, lengths)[0], reference(x, lengths)[0], rtol=0.0, atol=TOLERANCE)


# torchaudio's docstring example draws forward lengths with torch.randint(1, 200, (10,)) for a 200-frame
# input, so lengths run past T = time - right_context_length into the right context; here they are drawn
# from [1, time] (the input's full length included), in many draws per configuration.
NUM_DRAWS = 40


@pytest.mark.parametrize("name", list(CONFIGS))
def test_forward_with_lengths_drawn_as_torchaudio_example_matches(name):
    reference, ours = _models(*CONFIGS[name])
    time = NUM_SEGMENTS * ours.segment_length + ours.right_context_length
    generator = torch.Generator().manual_seed(11)
    past_t = 0
    with torch.no_grad():
        for _ in range(NUM_DRAWS):
            x = torch.rand(10, time, DIM, generator=generator)
            lengths = torch.randint(1, time + 1, (10,), generator=generator)
            past_t += int((lengths > time - ours.right_context_length).any())
            expected, expected_lengths = reference(x, lengths)
            actual, actual_lengths = ours(x, lengths)
            assert torch.equal(actual_lengths, expected_lengths)
            torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
    if ours.right_context_length > 0:
        assert past_t > NUM_DRAWS // 4  # the draws do reach into the right context


def test_forward_on_torchaudio_docstring_example_matches():
    """torchaudio's docstring example verbatim (80 features, 12 layers, (10, 200) input, lengths from
    torch.randint(1, 200, (10,))), over several draws."""
    reference, ours = _models((4, 1024, 12, 16, 8), dict(right_context_length=4), input_dim=80)
    generator = torch.Generator().manual_seed(4)
    with torch.no_grad():
        for _ in range(4):
            x = torch.rand(10, 200, 80, generator=generator)
            lengths = torch.randint(1, 200, (10,), generator=generator)
            lengths[0] = 197  # past T = 196, as about 15% of torchaudio's example draws are
            expected, expected_lengths = reference(x, lengths)
            actual, actual_lengths = ours(x, lengths)
            assert torch.equal(actual_lengths, expected_lengths)
            torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
        # the example's infer call: float lengths (torch.ones(4) * 20) of the whole chunk
        x = torch.rand(4, 20, 80, generator=generator)
        expected, expected_lengths, _ = reference.infer(x, torch.ones(4) * 20, None)
        actual, actual_lengths, _ = ours.infer(x, torch.ones(4) * 20, None)
    assert torch.equal(actual_lengths, expected_lengths) and actual_lengths.dtype == expected_lengths.dtype
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_infer_with_random_chunk_lengths_matches(name):
    """Each chunk's lengths drawn from [0, S + R] (the chunk's full length), int and float, along a stream.

    Every call starts from torchaudio's state (converted with ``from_list``): after a chunk whose longest
    item is shorter than ``L``, torchaudio's left-context cache holds other frames than ours
    (docs/models_conv_emformer.rst), so chaining our own states would compare that choice, not lengths.
    """
    reference, ours = _models(*CONFIGS[name])
    s, r = ours.segment_length, ours.right_context_length
    generator = torch.Generator().manual_seed(12)
    with torch.no_grad():
        for draw in range(NUM_DRAWS // 8):
            their_states = None
            for _ in range(4):
                x = torch.rand(5, s + r, DIM, generator=generator)
                lengths = torch.randint(0, s + r + 1, (5,), generator=generator)
                if draw % 2:
                    lengths = lengths.float()
                our_states = (
                    None
                    if their_states is None
                    else [ConvEmformerLayerState.from_list([t.clone() for t in state]) for state in their_states]
                )
                actual, actual_lengths, _ = ours.infer(x, lengths, our_states)
                expected, expected_lengths, their_states = reference.infer(x, lengths, their_states)
                assert torch.equal(actual_lengths, expected_lengths)
                torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
