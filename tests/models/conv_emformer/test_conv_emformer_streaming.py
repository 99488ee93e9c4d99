"""Streaming == training for ConvEmformer, TorchScript == eager, and the look-ahead dependency check."""

from typing import Dict, List, Optional

import pytest
import torch

from lhotse_lite.models.conv_emformer import ConvEmformer, ConvEmformerLayerState
from lhotse_lite.streaming import infer_dependency_matrix

# torch.jit.script is deprecated upstream but is what the issue asks for; its warning is expected here.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

DIM, HEADS, FFN, LAYERS = 16, 2, 24, 2
TOLERANCE = 1e-5

# Configurations of the streaming == forward matrix: every option on and off, each activation, left
# context shorter and longer than a segment, right context shorter, equal to and longer than a segment,
# kernels shorter and longer than a segment, memory larger than the number of segments.
CONFIGS: Dict[str, dict] = {
    "plain": dict(segment_length=4, kernel_size=3),
    "right": dict(segment_length=4, kernel_size=3, right_context_length=2),
    "left_short": dict(segment_length=4, kernel_size=3, left_context_length=3, right_context_length=2),
    "left_long": dict(segment_length=4, kernel_size=3, left_context_length=6, right_context_length=1),
    "left_only": dict(segment_length=4, kernel_size=3, left_context_length=4),
    "memory_clamp": dict(segment_length=4, kernel_size=3, right_context_length=2, max_memory_size=2),
    "memory_tanh": dict(segment_length=4, kernel_size=3, right_context_length=2, max_memory_size=2, tanh_on_mem=True),
    "memory_no_right": dict(segment_length=4, kernel_size=3, max_memory_size=1, left_context_length=2),
    "memory_all": dict(
        segment_length=4,
        kernel_size=3,
        left_context_length=4,
        right_context_length=3,
        max_memory_size=1,
        tanh_on_mem=True,
    ),
    "memory_larger_than_stream": dict(
        segment_length=4, kernel_size=3, left_context_length=2, right_context_length=2, max_memory_size=10
    ),
    "ffn_gelu_conv_relu": dict(
        segment_length=4,
        kernel_size=3,
        left_context_length=3,
        right_context_length=2,
        max_memory_size=2,
        ffn_activation="gelu",
        conv_activation="relu",
    ),
    "ffn_silu_conv_gelu_long_kernel": dict(
        segment_length=4,
        kernel_size=7,
        left_context_length=5,
        right_context_length=2,
        max_memory_size=3,
        ffn_activation="silu",
        conv_activation="gelu",
    ),
    "kernel_1": dict(segment_length=4, kernel_size=1, left_context_length=2, right_context_length=2),
    "right_equals_segment": dict(segment_length=4, kernel_size=5, right_context_length=4, max_memory_size=2),
    "right_longer_than_segment": dict(segment_length=3, kernel_size=3, right_context_length=5),
    "segment_1": dict(
        segment_length=1, kernel_size=3, left_context_length=2, right_context_length=1, max_memory_size=2
    ),
    "init_none": dict(
        segment_length=4,
        kernel_size=3,
        right_context_length=2,
        max_memory_size=2,
        weight_init_scale_strategy=None,
    ),
    "init_constant_dropout_eval": dict(
        segment_length=4,
        kernel_size=3,
        left_context_length=2,
        right_context_length=2,
        max_memory_size=2,
        weight_init_scale_strategy="constant",
        dropout=0.3,
    ),
}


def _build(seed: int = 0, **config) -> ConvEmformer:
    torch.manual_seed(seed)
    return ConvEmformer(DIM, HEADS, FFN, LAYERS, **config).eval()


def stream(model: ConvEmformer, x: torch.Tensor, num_segments: int) -> torch.Tensor:
    """Feed ``x[:, i*S : i*S + S + R]`` one chunk at a time, carrying the states."""
    s, r = model.segment_length, model.right_context_length
    lengths = torch.full((x.size(0),), s + r, device=x.device)
    states: Optional[List[ConvEmformerLayerState]] = None
    outputs = []
    for i in range(num_segments):
        out, out_lengths, states = model.infer(x[:, i * s : i * s + s + r], lengths, states)
        assert out_lengths.tolist() == [s] * x.size(0)
        outputs.append(out)
    return torch.cat(outputs, dim=1)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_streaming_equals_forward(name):
    config = CONFIGS[name]
    model = _build(**config)
    num_segments = 5
    s, r = config["segment_length"], config.get("right_context_length", 0)
    torch.manual_seed(1)
    x = torch.randn(3, num_segments * s + r, DIM)
    with torch.no_grad():
        expected, _ = model(x, torch.full((3,), num_segments * s))
        streamed = stream(model, x, num_segments)
    assert streamed.shape == expected.shape == (3, num_segments * s, DIM)
    torch.testing.assert_close(streamed, expected, rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("num_frames", [17, 20, 23])
def test_flushing_a_zero_padded_tail_equals_forward_with_lengths(num_frames):
    # A stream of ``num_frames`` frames that all need an output: pad it with zeros to whole segments
    # plus R look-ahead frames, and pass the true number of valid frames of every chunk.
    config = CONFIGS["memory_all"]
    model = _build(**config)
    s, r = config["segment_length"], config["right_context_length"]
    num_segments = -(-num_frames // s)
    x = torch.zeros(2, num_segments * s + r, DIM)
    x[:, :num_frames] = torch.randn(2, num_frames, DIM)
    with torch.no_grad():
        expected, _ = model(x, torch.full((2,), num_frames))
        states = None
        outputs = []
        for i in range(num_segments):
            valid = min(num_frames - i * s, s)
            chunk = x[:, i * s : i * s + s + r]
            out, out_lengths, states = model.infer(chunk, torch.full((2,), valid + r), states)
            assert out_lengths.tolist() == [valid, valid]
            outputs.append(out[:, :valid])
    torch.testing.assert_close(torch.cat(outputs, dim=1), expected[:, :num_frames], rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("name", ["memory_all", "ffn_silu_conv_gelu_long_kernel", "right_longer_than_segment"])
def test_streaming_equals_forward_exactly_in_float64(name):
    config = CONFIGS[name]
    model = _build(**config).double()
    s, r = config["segment_length"], config.get("right_context_length", 0)
    x = torch.randn(2, 4 * s + r, DIM, dtype=torch.float64)
    with torch.no_grad():
        expected, _ = model(x, torch.full((2,), 4 * s))
        streamed = stream(model, x, 4)
    torch.testing.assert_close(streamed, expected, rtol=0.0, atol=1e-12)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_streaming_equals_forward_on_cuda():
    config = CONFIGS["memory_all"]
    model = _build(**config).cuda()
    s, r = config["segment_length"], config["right_context_length"]
    x = torch.randn(2, 4 * s + r, DIM, device="cuda")
    with torch.no_grad():
        expected, _ = model(x, torch.full((2,), 4 * s))  # lengths may stay on the CPU
        streamed = stream(model, x, 4)
    assert streamed.device.type == "cuda"
    torch.testing.assert_close(streamed, expected, rtol=0.0, atol=TOLERANCE)


def test_memory_is_bounded_by_clamp_or_tanh():
    for tanh_on_mem, bound in ((False, 10.0), (True, 1.0)):
        model = _build(segment_length=2, kernel_size=3, max_memory_size=2, tanh_on_mem=tanh_on_mem)
        with torch.no_grad():
            for layer in model.emformer_layers:
                layer.attention.out_proj.weight.mul_(1000.0)
            states = None
            for _ in range(3):
                _, _, states = model.infer(torch.randn(1, 2, DIM) * 10, torch.tensor([2]), states)
        memory = states[1].memory
        assert memory.abs().max() <= bound
        assert memory.abs().max() > 0.9 * bound  # the bound is reached: squashing is really applied


def test_infer_does_not_modify_the_states_it_is_given():
    model = _build(segment_length=4, kernel_size=3, left_context_length=2, right_context_length=1, max_memory_size=2)
    with torch.no_grad():
        _, _, states = model.infer(torch.randn(2, 5, DIM), torch.full((2,), 5))
        before = [[t.clone() for t in s] for s in states]
        model.infer(torch.randn(2, 5, DIM), torch.full((2,), 5), states)
    for old, state in zip(before, states):
        assert all(torch.equal(a, b) for a, b in zip(old, state))


def test_batched_forward_equals_one_by_one():
    model = _build(segment_length=4, kernel_size=3, left_context_length=3, right_context_length=2, max_memory_size=2)
    torch.manual_seed(2)
    x = torch.randn(2, 14, DIM)  # up to 12 utterance frames + 2 right-context frames
    lengths = torch.tensor([12, 8])
    with torch.no_grad():
        batched, _ = model(x, lengths)
        first, _ = model(x[:1], lengths[:1])
        second, _ = model(x[1:, :10], lengths[1:])  # 8 frames + the 2 look-ahead frames that follow
    torch.testing.assert_close(batched[:1], first, rtol=0.0, atol=TOLERANCE)
    torch.testing.assert_close(batched[1:, :8], second, rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("name", ["memory_all", "ffn_silu_conv_gelu_long_kernel"])
def test_torchscript_equals_eager(name):
    config = CONFIGS[name]
    model = _build(**config)
    scripted = torch.jit.script(model)
    s, r = config["segment_length"], config.get("right_context_length", 0)
    x = torch.randn(2, 3 * s + r, DIM)
    lengths = torch.full((2,), 3 * s)
    with torch.no_grad():
        torch.testing.assert_close(scripted(x, lengths)[0], model(x, lengths)[0], rtol=0.0, atol=1e-6)
        eager_states: Optional[List[ConvEmformerLayerState]] = None
        script_states = None
        for i in range(3):
            chunk = x[:, i * s : i * s + s + r]
            eager_out, _, eager_states = model.infer(chunk, torch.full((2,), s + r), eager_states)
            script_out, _, script_states = scripted.infer(chunk, torch.full((2,), s + r), script_states)
            torch.testing.assert_close(script_out, eager_out, rtol=0.0, atol=1e-6)
    for eager_state, script_state in zip(eager_states, script_states):
        assert script_state._fields == ConvEmformerLayerState._fields
        for a, b in zip(eager_state, script_state):
            torch.testing.assert_close(a, b, rtol=0.0, atol=1e-6)


def test_torchscript_reports_shape_errors():
    scripted = torch.jit.script(_build(segment_length=4, kernel_size=3, right_context_length=2))
    with pytest.raises(torch.jit.Error, match=r"ShapeError.*expected input"):
        scripted.infer(torch.randn(1, 5, DIM), torch.tensor([5]))


@pytest.mark.parametrize(
    "config",
    [
        dict(segment_length=4, kernel_size=3, right_context_length=2, left_context_length=3, max_memory_size=2),
        dict(segment_length=3, kernel_size=5, right_context_length=0, max_memory_size=1),
        dict(segment_length=2, kernel_size=3, right_context_length=3),
    ],
    ids=["right2_left3_mem2", "no_right_context", "right_longer_than_segment"],
)
def test_no_output_depends_on_input_beyond_its_right_context(config):
    model = _build(**config)
    s, r = config["segment_length"], config["right_context_length"]
    num_segments = 4
    utt_len = num_segments * s

    def run(x: torch.Tensor) -> torch.Tensor:
        return model(x, torch.full((x.size(0),), utt_len))[0]

    deps = infer_dependency_matrix(run, (1, utt_len + r, DIM), num_trials=2, generator=torch.Generator().manual_seed(0))
    assert deps.shape == (utt_len + r, utt_len)
    for out_frame in range(utt_len):
        horizon = (out_frame // s + 1) * s + r  # first input frame the output must not see
        beyond = deps[horizon:, out_frame]
        assert not beyond.any(), f"output {out_frame} sees input beyond frame {horizon - 1}"
        assert deps[horizon - 1, out_frame], f"output {out_frame} ignores the last frame it may see"
