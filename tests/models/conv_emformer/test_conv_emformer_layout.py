"""ConvEmformer sizes, shapes and state-dict layout against torchaudio's (shared/reference-layouts.md)."""

import math
from typing import Dict, List

import pytest
import torch

from lhotse_lite.models import ConvEmformer
from lhotse_lite.models.conv_emformer import ConvEmformerLayerState

# Documented example of torchaudio's ConvEmformer and its measured sizes (reference-layouts.md).
EXAMPLE_ARGS = (80, 4, 1024, 12, 16, 8)
EXAMPLE_KWARGS = {"right_context_length": 4}
EXAMPLE_PARAMS = 4_523_136
EXAMPLE_PARAMS_PER_LAYER = 376_928
EXAMPLE_NUM_KEYS = 384


def reference_layer_keys(i: int, d: int, f: int, k: int) -> Dict[str, List[int]]:
    """State-dict keys and shapes of torchaudio's layer ``i``, written out from reference-layouts.md."""
    p = f"emformer_layers.{i}."
    keys = {
        p + "attention.emb_to_key_value.weight": [2 * d, d],
        p + "attention.emb_to_key_value.bias": [2 * d],
        p + "attention.emb_to_query.weight": [d, d],
        p + "attention.emb_to_query.bias": [d],
        p + "attention.out_proj.weight": [d, d],
        p + "attention.out_proj.bias": [d],
        p + "layer_norm_input.weight": [d],
        p + "layer_norm_input.bias": [d],
        p + "layer_norm_output.weight": [d],
        p + "layer_norm_output.bias": [d],
        p + "conv.pre_conv.0.weight": [d],
        p + "conv.pre_conv.0.bias": [d],
        p + "conv.pre_conv.1.weight": [2 * d, d],
        p + "conv.pre_conv.1.bias": [2 * d],
        p + "conv.conv.weight": [d, 1, k],
        p + "conv.conv.bias": [d],
        p + "conv.post_conv.0.weight": [d],
        p + "conv.post_conv.0.bias": [d],
        p + "conv.post_conv.2.weight": [d, d],
        p + "conv.post_conv.2.bias": [d],
    }
    for ffn in ("ffn0", "ffn1"):
        keys[f"{p}{ffn}.module.0.weight"] = [d]
        keys[f"{p}{ffn}.module.0.bias"] = [d]
        keys[f"{p}{ffn}.module.1.weight"] = [f, d]
        keys[f"{p}{ffn}.module.1.bias"] = [f]
        keys[f"{p}{ffn}.module.4.weight"] = [d, f]
        keys[f"{p}{ffn}.module.4.bias"] = [d]
    return keys


@pytest.fixture(scope="module")
def example_model() -> ConvEmformer:
    torch.manual_seed(0)
    return ConvEmformer(*EXAMPLE_ARGS, **EXAMPLE_KWARGS).eval()


def test_parameter_count_matches_torchaudio(example_model):
    assert sum(p.numel() for p in example_model.parameters()) == EXAMPLE_PARAMS
    for layer in example_model.emformer_layers:
        assert sum(p.numel() for p in layer.parameters()) == EXAMPLE_PARAMS_PER_LAYER


def test_state_dict_keys_and_shapes_match_reference(example_model):
    expected: Dict[str, List[int]] = {}
    for i in range(12):
        expected.update(reference_layer_keys(i, 80, 1024, 8))
    assert len(expected) == EXAMPLE_NUM_KEYS
    actual = {name: list(t.shape) for name, t in example_model.state_dict().items()}
    assert actual == expected
    assert sum(math.prod(s) for s in expected.values()) == EXAMPLE_PARAMS


def test_reference_checkpoint_loads_strictly():
    torch.manual_seed(1)
    model = ConvEmformer(32, 4, 64, 3, 4, 5, right_context_length=2, max_memory_size=2)
    checkpoint = {}
    for i in range(3):
        checkpoint.update({k: torch.randn(s) for k, s in reference_layer_keys(i, 32, 64, 5).items()})
    result = model.load_state_dict(checkpoint, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, checkpoint[name])


def test_forward_shapes_of_documented_example(example_model):
    x = torch.rand(10, 200, 80)
    lengths = torch.randint(1, 197, (10,))
    with torch.no_grad():
        out, out_lengths = example_model(x, lengths)
    assert out.shape == (10, 196, 80)
    assert torch.equal(out_lengths, lengths)
    assert torch.isfinite(out).all()


def test_infer_shapes_and_state_layout_of_documented_example(example_model):
    x = torch.rand(4, 20, 80)
    lengths = torch.ones(4) * 20  # float lengths, as in torchaudio's example
    with torch.no_grad():
        out, out_lengths, states = example_model.infer(x, lengths, None)
    assert out.shape == (4, 16, 80)
    assert out_lengths.tolist() == [16.0] * 4
    assert len(states) == 12
    for state in states:
        assert isinstance(state, ConvEmformerLayerState)
        assert [list(t.shape) for t in state] == [[0, 4, 80], [0, 4, 80], [0, 4, 80], [1, 4], [4, 80, 7]]
        assert state.past_length.dtype == torch.int32
        assert state.past_length.tolist() == [[16] * 4]


def test_state_shapes_with_memory_and_left_context():
    model = ConvEmformer(16, 2, 32, 2, 4, 3, left_context_length=6, right_context_length=1, max_memory_size=3)
    _, _, states = model.infer(torch.rand(2, 5, 16), torch.full((2,), 5))
    assert [list(t.shape) for t in states[1]] == [[3, 2, 16], [6, 2, 16], [6, 2, 16], [1, 2], [2, 16, 2]]


def test_state_converts_to_and_from_torchaudio_lists():
    model = ConvEmformer(16, 2, 32, 2, 4, 3, left_context_length=2, right_context_length=1, max_memory_size=2)
    model.eval()
    x = torch.rand(1, 13, 16)
    _first, _, states = model.infer(x[:, 0:5], torch.tensor([5]))
    as_lists = [s.to_list() for s in states]
    assert all(isinstance(t, list) and len(t) == 5 for t in as_lists)
    again = [ConvEmformerLayerState.from_list(t) for t in as_lists]
    out_a, _, _ = model.infer(x[:, 4:9], torch.tensor([5]), states)
    out_b, _, _ = model.infer(x[:, 4:9], torch.tensor([5]), again)
    assert torch.equal(out_a, out_b)


def test_public_surface_is_pinned():
    import lhotse_lite.models.conv_emformer as package

    assert package.__all__ == ["ConvEmformer", "ConvEmformerLayerState", "init_state", "weight_init_gains"]
    assert ConvEmformerLayerState._fields == (
        "memory",
        "left_context_key",
        "left_context_val",
        "past_length",
        "conv_cache",
    )
    import lhotse_lite.models

    assert lhotse_lite.models.ConvEmformer is ConvEmformer


def test_half_precision_state_follows_the_model_dtype():
    model = ConvEmformer(16, 2, 24, 1, 4, 3, left_context_length=2, right_context_length=2, max_memory_size=2)
    model = model.to(torch.bfloat16).eval()
    with torch.no_grad():
        out, _, states = model.infer(torch.randn(2, 6, 16, dtype=torch.bfloat16), torch.full((2,), 6))
    assert out.dtype == torch.bfloat16 and torch.isfinite(out.float()).all()
    assert [t.dtype for t in states[0]] == [torch.bfloat16] * 3 + [torch.int32, torch.bfloat16]
