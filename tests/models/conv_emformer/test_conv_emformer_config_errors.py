"""ConvEmformer configuration, weight initialisation and bad-input errors."""

import math

import pytest
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.conv_emformer import ConvEmformer, ConvEmformerLayerState, weight_init_gains


def _model(**kwargs) -> ConvEmformer:
    torch.manual_seed(0)
    config = dict(segment_length=4, kernel_size=3, right_context_length=2)
    config.update(kwargs)
    return ConvEmformer(16, 2, 24, 2, **config)


# ---------------------------------------------------------------- weight initialisation


def _xavier_bound(weight: torch.Tensor, gain: float) -> float:
    fan_out, fan_in = weight.shape
    return gain * math.sqrt(6.0 / (fan_in + fan_out))  # Glorot & Bengio 2010, uniform variant


@pytest.mark.parametrize(
    "strategy, gains",
    [("depthwise", [1.0, 1 / math.sqrt(2), 1 / math.sqrt(3), 0.5]), ("constant", [1 / math.sqrt(2)] * 4)],
)
def test_weight_init_strategies_scale_query_and_key_value(strategy, gains):
    torch.manual_seed(0)
    model = ConvEmformer(128, 4, 32, 4, 4, 3, weight_init_scale_strategy=strategy)
    assert weight_init_gains(strategy, 4) == pytest.approx(gains)
    for layer, gain in zip(model.emformer_layers, gains):
        for linear in (layer.attention.emb_to_query, layer.attention.emb_to_key_value):
            bound = _xavier_bound(linear.weight, gain)
            largest = linear.weight.abs().max().item()
            assert 0.98 * bound < largest <= bound


def test_no_weight_init_strategy_keeps_pytorch_default():
    torch.manual_seed(0)
    model = ConvEmformer(128, 4, 32, 2, 4, 3, weight_init_scale_strategy=None)
    weight = model.emformer_layers[1].attention.emb_to_key_value.weight
    default_bound = 1.0 / math.sqrt(128)  # kaiming_uniform(a=sqrt(5)) of nn.Linear: 1 / sqrt(fan_in)
    assert 0.98 * default_bound < weight.abs().max().item() <= default_bound


# ---------------------------------------------------------------- configuration errors


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(ffn_activation="tanh"), "unknown ConvEmformer activation 'tanh'"),
        (dict(conv_activation="swish"), "Available: gelu, relu, silu"),
        (dict(weight_init_scale_strategy="xavier"), "weight_init_scale_strategy 'xavier'"),
        (dict(segment_length=0), "segment_length must be an int >= 1, got 0"),
        (dict(kernel_size=0), "kernel_size must be an int >= 1"),
        (dict(left_context_length=-1), "left_context_length must be an int >= 0, got -1"),
        (dict(dropout=1.5), "dropout must be in"),
    ],
)
def test_bad_configuration_raises_config_error(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        _model(**kwargs)


def test_heads_must_divide_input_dim():
    with pytest.raises(ValueError, match=r"input_dim \(18\) must be a positive multiple of num_heads \(4\)"):
        ConvEmformer(18, 4, 24, 1, 4, 3)


# ---------------------------------------------------------------- bad input


def test_forward_rejects_wrong_feature_dim_with_both_shapes():
    with pytest.raises(ShapeError, match=r"expected input \(batch, time, 16\), got shape \[2, 10, 12\]"):
        _model()(torch.rand(2, 10, 12), torch.tensor([8, 8]))


def test_forward_rejects_input_without_utterance_frames():
    with pytest.raises(ShapeError, match=r"T \+ 2, 16\) with T >= 1, got \[2, 2, 16\]"):
        _model()(torch.rand(2, 2, 16), torch.tensor([0, 0]))


def test_forward_rejects_lengths_longer_than_input():
    # up to the input's full length (right context included) is accepted, as in torchaudio
    assert _model()(torch.rand(2, 10, 16), torch.tensor([8, 10]))[0].shape == (2, 8, 16)
    with pytest.raises(ShapeError, match=r"lengths must be in \[0, 10\].*got tensor\(\[ 8, 11\]\)"):
        _model()(torch.rand(2, 10, 16), torch.tensor([8, 11]))
    with pytest.raises(ShapeError, match=r"lengths must be in \[0, 10\].*got tensor\(\[-1,  8\]\)"):
        _model()(torch.rand(2, 10, 16), torch.tensor([-1, 8]))


def test_forward_rejects_lengths_of_wrong_shape():
    with pytest.raises(ShapeError, match=r"expected lengths of shape \[2\].*got \[3\]"):
        _model()(torch.rand(2, 10, 16), torch.tensor([8, 8, 8]))


def test_infer_rejects_wrong_chunk_length_with_both_shapes():
    message = r"expected input \(batch, segment_length \+ right_context_length = 6, 16\), got \[1, 5, 16\]"
    with pytest.raises(ShapeError, match=message):
        _model().infer(torch.rand(1, 5, 16), torch.tensor([5]))


def test_infer_rejects_wrong_feature_dim():
    with pytest.raises(ShapeError, match=r"got shape \[1, 6, 15\]"):
        _model().infer(torch.rand(1, 6, 15), torch.tensor([6]))


def test_infer_rejects_lengths_longer_than_chunk():
    with pytest.raises(ShapeError, match=r"lengths must be in \[0, 6\]"):
        _model().infer(torch.rand(1, 6, 16), torch.tensor([7]))


def test_infer_rejects_states_of_another_model():
    _, _, states = _model().infer(torch.rand(1, 6, 16), torch.tensor([6]))
    with pytest.raises(ShapeError, match=r"one state per layer \(2\), got 1"):
        _model().infer(torch.rand(1, 6, 16), torch.tensor([6]), states[:1])


def test_state_from_list_needs_five_tensors():
    with pytest.raises(ShapeError, match="5 tensors"):
        ConvEmformerLayerState.from_list([torch.zeros(1)] * 4)


def test_errors_are_value_errors_for_torchaudio_callers():
    with pytest.raises(ValueError):
        _model().infer(torch.rand(1, 5, 16), torch.tensor([5]))
    with pytest.raises(ValueError):
        _model(ffn_activation="tanh")


def test_dropout_is_active_in_training_only():
    model = _model(dropout=0.5, max_memory_size=2)
    x, lengths = torch.rand(2, 10, 16), torch.tensor([8, 8])
    model.train()
    assert not torch.equal(model(x, lengths)[0], model(x, lengths)[0])
    model.eval()
    assert torch.equal(model(x, lengths)[0], model(x, lengths)[0])
