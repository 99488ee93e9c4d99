"""Squeeze-excitation and future_context on their own: padding independence, lengths, TorchScript, errors.

Equality with NeMo's code is tested in tests/reference/test_nemo_jasper_block.py.
"""

import logging

import pytest
import torch

from lhotse_lite.errors import ConfigError
from lhotse_lite.models.matchbox import BlockConfig, ConvASREncoder, ConvBlock, get_asymmetric_padding
from lhotse_lite.models.matchbox.conv_geometry import get_asymtric_padding
from lhotse_lite.models.matchbox.squeeze_excite import SqueezeExcite

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _perturbed(module: torch.nn.Module) -> torch.nn.Module:
    torch.manual_seed(0)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.add_(0.3 * torch.randn(parameter.shape))
        for sub in module.modules():
            if isinstance(sub, torch.nn.BatchNorm1d):
                sub.running_mean.normal_(0.0, 0.2)
                sub.running_var.uniform_(0.5, 1.5)
    return module.eval()


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(se=True, se_reduction_ratio=4),
        dict(se=True, se_reduction_ratio=2, se_context_window=4),
        dict(future_context=1),
        dict(se=True, se_reduction_ratio=8, future_context=3, stride=2, stride_last=True, residual_mode="stride_add"),
    ],
    ids=["se", "se_window", "future", "se_future_stride"],
)
@pytest.mark.parametrize("conv_mask", [True, False])
def test_valid_frames_do_not_depend_on_padding(kwargs, conv_mask):
    """An item's valid outputs are the same alone and in a padded batch (with garbage in the padding), and
    in scripted and eager mode."""
    block = _perturbed(
        ConvBlock(
            8, 8, repeat=2, kernel_size=7, separable=True, conv_mask=True, dropout=0.0, activation="relu", **kwargs
        )
    )
    if not conv_mask:  # unmasked convolutions see the padding; compare the squeeze-excite gate alone then
        block = _perturbed(
            ConvBlock(
                8,
                8,
                repeat=1,
                kernel_size=1,
                residual=False,
                conv_mask=False,
                dropout=0.0,
                activation="relu",
                **{k: v for k, v in kwargs.items() if k.startswith("se")},
            )
        )
    x = torch.randn(1, 8, 13)
    batch = torch.cat([torch.randn(1, 8, 20), torch.cat([x, 1e3 * torch.randn(1, 8, 7)], dim=2)])
    with torch.no_grad():
        [alone], alone_lengths = block(([x], torch.tensor([13])))
        [padded], lengths = block(([batch], torch.tensor([20, 13])))
        [scripted], _ = torch.jit.script(block)(([batch], torch.tensor([20, 13])))
    n = int(alone_lengths[0])
    assert int(lengths[1]) == n
    torch.testing.assert_close(padded[1:, :, :n], alone[:, :, :n], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(scripted, padded, rtol=1e-6, atol=1e-6)


def test_squeeze_excite_gates_each_channel_by_its_valid_mean():
    se = _perturbed(SqueezeExcite(4, 2))
    x, lengths = torch.randn(2, 4, 6), torch.tensor([6, 3])
    y, same = se(x, lengths)
    mean = torch.stack([x[0].mean(-1), x[1, :, :3].mean(-1)])  # (B, C)
    gate = torch.sigmoid(se.fc[2](torch.relu(se.fc[0](mean))))
    expected = x * gate.unsqueeze(-1) * (torch.arange(6) < lengths.unsqueeze(1)).unsqueeze(1)
    torch.testing.assert_close(y, expected)
    assert same is lengths


def test_training_window_equal_to_the_sequence_uses_all_frames():
    """NeMo cannot draw a window start when the window is exactly as long as the input (torch.randint(0, 0)
    fails); the only window is then the whole input."""
    se = _perturbed(SqueezeExcite(4, 2, context_window=6)).train()
    x, lengths = torch.randn(2, 4, 6), torch.tensor([6, 3])
    y, _ = se(x, lengths)
    torch.testing.assert_close(y, se.eval()(x, lengths)[0])
    se.change_context_window(-1)
    assert se.context_window == -1


def test_asymmetric_padding_rule():
    assert get_asymtric_padding is get_asymmetric_padding  # NeMo's spelling
    assert get_asymmetric_padding(11, 1, 1, 0) == (10, 0)  # causal
    assert get_asymmetric_padding(11, 2, 1, 5) == (5, 5)  # the symmetric split, as a pair
    assert get_asymmetric_padding(29, 1, 2, 3) == (51, 6)  # 2 * 29 - 1 - 6: one frame more than "same"
    with pytest.raises(ConfigError, match="stride OR dilation"):
        get_asymmetric_padding(5, 2, 2, 1)


def test_asymmetric_padding_warnings(caplog):
    with caplog.at_level(logging.WARNING, logger="lhotse_lite.models.matchbox.conv_geometry"):
        assert get_asymmetric_padding(5, 1, 1, 5) == 2
        assert get_asymmetric_padding(5, 1, 1, 3) == (1, 3)
        assert get_asymmetric_padding(5, 1, 2, 1) == (7, 2)  # NeMo warns here too; we do not
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "symmetric padding (2 frames each side)" in messages[0] and "more future than past" in messages[1]


def test_dilated_future_context_lengthens_the_output():
    block = ConvBlock(4, 4, repeat=2, kernel_size=5, dilation=2, residual=False, conv_mask=True, future_context=1)
    [out], lengths = block.eval()(([torch.randn(2, 4, 10)], torch.tensor([10, 6])))
    assert out.shape[-1] == 12 and lengths.tolist() == [12, 8]


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op:UserWarning")
def test_encoder_passes_block_settings_and_layer_indices(caplog):
    encoder = ConvASREncoder(
        feat_in=4,
        jasper=[
            {
                "filters": 8,
                "kernel": [5],
                "se": True,
                "se_reduction_ratio": 2,
                "se_context_size": 3,
                "se_interpolation_mode": "area",
                "future_context": 1,
            },
            {"filters": 8, "kernel": [3], "stride": [2]},
        ],
    )
    first, second = encoder.encoder
    se = first.mconv[-1]
    assert isinstance(se, SqueezeExcite) and se.fc[0].out_features == 4 and se.context_window == 3
    assert se.interpolation_mode == "area" and first.future_context == 1
    assert (first.layer_idx, second.layer_idx) == (0, 1) and encoder.subsampling_factor == 2
    assert BlockConfig(filters=8).se_reduction_ratio == 8  # NeMo's encoder default (its JasperBlock's is 16)
    with caplog.at_level(logging.WARNING, logger="lhotse_lite.models.matchbox.squeeze_excite"):
        assert ConvBlock(8, 8, se=True).mconv[-1].fc[0].out_features == 0  # 8 // 16, as NeMo builds it
    assert "0 hidden units, so every gate is a constant sigmoid(0) = 0.5" in caplog.text


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(se=True, se_reduction_ratio=0), "se_reduction_ratio must be an int >= 1, got 0"),
        (dict(se=True, se_context_window=2.5), "se_context_window must be an int"),
        (dict(future_context="1"), "future_context must be an int"),
        (dict(quantize=True), r"quantize=True needs NVIDIA's pytorch_quantization"),
        (dict(repeat=2, dilation=2, residual=True, future_context=1), "residual branch no longer fits"),
    ],
)
def test_block_option_errors(bad, message):
    with pytest.raises(ConfigError, match=message):
        ConvBlock(8, 8, kernel_size=5, **bad)
