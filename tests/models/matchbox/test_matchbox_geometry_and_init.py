"""Kernel/padding/length arithmetic, GroupShuffle order and the initialisation modes."""

import math

import pytest
import torch
from torch import nn

from lhotse_lite.errors import ConfigError
from lhotse_lite.models.matchbox import (
    GroupShuffle,
    compute_new_kernel_size,
    get_same_padding,
    init_weights,
    tds_normal_,
    tds_uniform_,
)
from lhotse_lite.models.matchbox.conv_geometry import conv_output_lengths
from lhotse_lite.models.matchbox.init import INIT_MODES


@pytest.mark.parametrize(
    "kernel, factor, expected",
    # Hand-computed: int(k * f), then an even result is bumped to the next odd number, minimum 1.
    [(11, 1.0, 11), (13, 1.0, 13), (11, 2.0, 23), (13, 0.5, 7), (29, 0.25, 7), (3, 0.1, 1), (12, 1.0, 13)],
)
def test_compute_new_kernel_size(kernel, factor, expected):
    assert compute_new_kernel_size(kernel, factor) == expected


@pytest.mark.parametrize(
    "kernel, stride, dilation, expected", [(11, 1, 1, 5), (29, 1, 2, 28), (1, 1, 1, 0), (13, 2, 1, 6)]
)
def test_get_same_padding(kernel, stride, dilation, expected):
    assert get_same_padding(kernel, stride, dilation) == expected


def test_get_same_padding_rejects_stride_and_dilation():
    with pytest.raises(ConfigError, match="stride OR dilation"):
        get_same_padding(3, 2, 2)


@pytest.mark.parametrize("kernel, stride, dilation", [(3, 1, 1), (5, 2, 1), (11, 3, 1), (7, 1, 3), (1, 2, 1)])
def test_conv_output_lengths_match_torch_conv(kernel, stride, dilation):
    padding = get_same_padding(kernel, stride, dilation)
    conv = nn.Conv1d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    lengths = torch.arange(1, 40)
    got = conv_output_lengths(lengths, kernel, stride, padding, dilation)
    for length, out in zip(lengths.tolist(), got.tolist()):
        assert conv(torch.zeros(1, 1, length)).shape[-1] == out


def test_group_shuffle_order_by_hand():
    # 3 groups of 2 channels: grid [[0, 1], [2, 3], [4, 5]] read column by column.
    x = torch.arange(6.0).reshape(1, 6, 1).repeat(2, 1, 3)
    y = GroupShuffle(groups=3, channels=6)(x)
    assert y[0, :, 0].tolist() == [0.0, 2.0, 4.0, 1.0, 3.0, 5.0]
    assert torch.equal(y[1], y[0])


def test_group_shuffle_rejects_indivisible_channels():
    with pytest.raises(ConfigError, match="multiple of groups"):
        GroupShuffle(groups=4, channels=6)


def test_tds_uniform_bound_and_fan_out():
    torch.manual_seed(0)
    w = tds_uniform_(torch.empty(16, 8, 5))
    assert w.abs().max() <= 2 / math.sqrt(8 * 5)
    assert w.abs().max() > 0.9 * 2 / math.sqrt(8 * 5)
    w = tds_uniform_(torch.empty(16, 8, 5), mode="fan_out")
    assert w.abs().max() <= 2 / math.sqrt(16 * 5)


def test_tds_normal_std():
    torch.manual_seed(0)
    w = tds_normal_(torch.empty(128, 64, 50))
    assert float(w.std()) == pytest.approx(2 / math.sqrt(64 * 50), rel=0.02)
    with pytest.raises(ConfigError, match="fan_in"):
        tds_normal_(torch.empty(2, 2), mode="fan_both")


@pytest.mark.parametrize("mode", INIT_MODES)
def test_init_modes_fill_conv_and_linear(mode):
    torch.manual_seed(0)
    conv, linear = nn.Conv1d(8, 8, 3, bias=False), nn.Linear(8, 4)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(linear.weight)
    init_weights(conv, mode)
    init_weights(linear, mode)
    assert conv.weight.abs().sum() > 0 and linear.weight.abs().sum() > 0


def test_init_none_keeps_weights_and_unknown_mode_raises():
    conv = nn.Conv1d(2, 2, 3)
    before = conv.weight.clone()
    init_weights(conv, None)
    assert torch.equal(before, conv.weight)
    with pytest.raises(ConfigError, match="unknown init_mode"):
        init_weights(conv, "orthogonal")


def test_init_resets_batch_norm():
    bn = nn.BatchNorm1d(3)
    bn.train()(torch.randn(4, 3, 5) * 3 + 2)
    with torch.no_grad():
        bn.weight.fill_(2.0)
    init_weights(bn, "tds_uniform")
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert int(bn.num_batches_tracked) == 0 and bn.weight.tolist() == [1.0] * 3
