"""ConvBlock and MaskedConv1d over the option matrix: shapes, lengths, masking, layout, TorchScript."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lhotse_lite.errors import ConfigError, UnknownNameError
from lhotse_lite.models.matchbox import ConvBlock, MaskedConv1d

# TorchScript is what this suite checks; torch 2.13 marks torch.jit.script as deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


IN, OUT, KERNEL = 8, 12, 5

# name -> (ConvBlock kwargs); each geometry is valid for every norm/separable/groups/mask combination.
GEOMETRIES = {
    "plain": dict(repeat=2, residual=False),
    "residual_add": dict(repeat=2, residual=True, residual_mode="add"),
    "dilation2": dict(repeat=2, dilation=2, residual=True),
    "stride2_all_subblocks": dict(repeat=2, stride=2, residual=False),
    "stride2_last_stride_add": dict(repeat=2, stride=2, stride_last=True, residual=True, residual_mode="stride_add"),
    "stride3_single_stride_add": dict(repeat=1, stride=3, residual=True, residual_mode="stride_add"),
}
NORMS = ("batch", "group", "instance", "layer")
MATRIX = list(itertools.product(GEOMETRIES, NORMS, (False, True), (1, 2), (True, False)))


def _block(geometry, norm, separable, groups, conv_mask, **extra):
    kwargs = dict(GEOMETRIES[geometry])
    kwargs.update(extra)
    torch.manual_seed(0)
    block = ConvBlock(
        IN,
        OUT,
        kernel_size=KERNEL,
        dropout=0.1,
        activation="relu",
        separable=separable,
        groups=groups,
        normalization=norm,
        norm_groups=2,
        conv_mask=conv_mask,
        **kwargs,
    )
    for module in block.modules():  # non-trivial norm statistics so eval mode is not an identity
        if isinstance(module, nn.BatchNorm1d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return block.eval()


def _expected_mconv_layout(repeat, separable, groups):
    """The documented index rule: per sub-block [dw, pw, norm] or [conv, norm], then a shuffle when
    groups > 1, then [activation, dropout] after every sub-block but the last."""
    kinds = []
    for index in range(repeat):
        kinds += ["conv", "conv", "norm"] if separable else ["conv", "norm"]
        if groups > 1:
            kinds.append("shuffle")
        if index < repeat - 1:
            kinds += ["act", "dropout"]
    return kinds


def _kind(module):
    if isinstance(module, (MaskedConv1d, nn.Conv1d)):
        return "conv"
    if isinstance(module, (nn.BatchNorm1d, nn.GroupNorm)):
        return "norm"
    if isinstance(module, nn.Dropout):
        return "dropout"
    if type(module).__name__ == "GroupShuffle":
        return "shuffle"
    return "act"


@pytest.mark.parametrize("geometry, norm, separable, groups, conv_mask", MATRIX)
def test_block_option_matrix(geometry, norm, separable, groups, conv_mask):
    block = _block(geometry, norm, separable, groups, conv_mask)
    cfg = GEOMETRIES[geometry]
    assert [_kind(m) for m in block.mconv] == _expected_mconv_layout(cfg["repeat"], separable, groups)
    assert len(block.res) == (1 if cfg["residual"] else 0)
    # Residual branch: [1x1 conv, norm], never separable, strided only in stride_add mode.
    for branch in block.res:
        conv = branch[0].conv if conv_mask else branch[0]
        assert conv.kernel_size == (1,) and conv.groups == 1
        assert conv.stride == ((cfg.get("stride", 1),) if cfg.get("residual_mode") == "stride_add" else (1,))

    lengths = torch.tensor([23, 17, 9])
    x = torch.randn(3, IN, 23)
    [out], out_lengths = block(([x], lengths))
    assert out.shape[:2] == (3, OUT)
    # Lengths: what torch's own convolutions give each item on its own, unpadded.
    for b, length in enumerate(lengths.tolist()):
        [alone], alone_lengths = block(([x[b : b + 1, :, :length]], torch.tensor([length])))
        assert out_lengths[b] == alone.shape[-1] == alone_lengths[0]
        if conv_mask and norm == "batch":
            # Masked convolutions + per-frame norm: padded batch == items one by one.
            torch.testing.assert_close(out[b, :, : alone.shape[-1]], alone[0], rtol=1e-5, atol=1e-5)
    assert out.shape[-1] == block(([x], None))[0][0].shape[-1]


@pytest.mark.parametrize("geometry", list(GEOMETRIES))
def test_changing_padded_frames_does_not_change_valid_outputs(geometry):
    block = _block(geometry, "batch", separable=True, groups=2, conv_mask=True)
    lengths = torch.tensor([20, 11])
    x = torch.randn(2, IN, 20)
    noisy = x.clone()
    noisy[1, :, 11:] = torch.randn(IN, 9) * 100
    noisy[1, 0, 15] = float("nan")
    [a], la = block(([x], lengths))
    [b], lb = block(([noisy], lengths))
    valid = int(la[1])
    assert torch.equal(la, lb)
    torch.testing.assert_close(a[1, :, :valid], b[1, :, :valid])
    torch.testing.assert_close(a[0], b[0])


def test_without_mask_padding_leaks_into_valid_frames():
    # The counterpart of the test above: conv_mask=False is NeMo's unmasked mode.
    block = _block("plain", "batch", separable=True, groups=1, conv_mask=False)
    x = torch.randn(1, IN, 20)
    noisy = x.clone()
    noisy[0, :, 11:] += 100.0
    [a], _ = block(([x], torch.tensor([11])))
    [b], _ = block(([noisy], torch.tensor([11])))
    assert not torch.allclose(a[0, :, :11], b[0, :, :11])


def test_stride_last_versus_every_subblock():
    x = torch.randn(1, IN, 21)
    every = ConvBlock(IN, OUT, repeat=2, kernel_size=3, stride=2, residual=False, conv_mask=True)
    last = ConvBlock(IN, OUT, repeat=2, kernel_size=3, stride=2, residual=False, conv_mask=True, stride_last=True)
    [a], la = every.eval()(([x], torch.tensor([21])))
    [b], lb = last.eval()(([x], torch.tensor([21])))
    assert (a.shape[-1], int(la[0])) == (6, 6)  # ceil(ceil(21 / 2) / 2)
    assert (b.shape[-1], int(lb[0])) == (11, 11)  # ceil(21 / 2)
    assert every.mconv[0].conv.stride == (2,) and last.mconv[0].conv.stride == (1,)


def test_conv_mask_false_keys_lose_conv_level():
    masked = ConvBlock(IN, OUT, repeat=1, kernel_size=3, separable=True, conv_mask=True)
    plain = ConvBlock(IN, OUT, repeat=1, kernel_size=3, separable=True, conv_mask=False)
    assert "mconv.0.conv.weight" in masked.state_dict() and "res.0.0.conv.weight" in masked.state_dict()
    assert "mconv.0.weight" in plain.state_dict() and "res.0.0.weight" in plain.state_dict()
    assert {k.replace(".conv.", ".") for k in masked.state_dict()} == set(plain.state_dict())


def test_separable_parameter_count_by_hand():
    block = ConvBlock(128, 64, repeat=1, kernel_size=13, separable=True, residual=True, conv_mask=True)
    # depthwise 128*13 + pointwise 64*128 + BN 2*64 + residual 64*128 + BN 2*64 (reference-layouts.md: 18,304)
    assert sum(p.numel() for p in block.parameters()) == 128 * 13 + 64 * 128 + 128 + 64 * 128 + 128 == 18304
    full = ConvBlock(128, 64, repeat=1, kernel_size=13, separable=False, residual=False)
    assert sum(p.numel() for p in full.parameters()) == 64 * 128 * 13 + 128


def test_default_activation_is_clipped_relu_and_names_resolve():
    block = ConvBlock(IN, IN, repeat=2, kernel_size=3, dropout=0.0)
    assert isinstance(block.mout[0], nn.Hardtanh) and block.mout[0].max_val == 20.0
    assert isinstance(ConvBlock(IN, IN, repeat=1, kernel_size=3, activation="swish").mout[0], nn.SiLU)
    with pytest.raises(UnknownNameError, match="relu"):
        ConvBlock(IN, IN, repeat=1, kernel_size=3, activation="rleu")


def test_even_kernel_is_bumped_to_odd_like_nemo():
    block = ConvBlock(IN, IN, repeat=1, kernel_size=4, separable=True, conv_mask=True, residual=True)
    assert block.mconv[0].conv.kernel_size == (5,)


def test_kernel_size_factor_and_list_arguments():
    block = ConvBlock(
        IN,
        IN,
        repeat=1,
        kernel_size=[11],
        kernel_size_factor=0.5,
        stride=[1],
        dilation=[1],
        separable=True,
        conv_mask=True,
    )
    assert block.mconv[0].conv.kernel_size == (5,)


def test_heads_share_depthwise_filters():
    torch.manual_seed(0)
    conv = MaskedConv1d(6, 6, 3, padding=1, groups=6, heads=2)
    assert tuple(conv.conv.weight.shape) == (2, 1, 3)
    x = torch.randn(2, 6, 10)
    y, lens = conv(x, torch.tensor([10, 10]))
    # Channel c uses filter c % heads: an ordinary depthwise convolution with the filters tiled.
    reference = F.conv1d(x, conv.conv.weight.repeat(3, 1, 1), padding=1, groups=6)
    torch.testing.assert_close(y, reference)
    assert lens.tolist() == [10, 10]
    block = ConvBlock(6, 6, repeat=1, kernel_size=3, separable=True, heads=2, conv_mask=True, residual=False)
    assert tuple(block.mconv[0].conv.weight.shape) == (2, 1, 3)


def test_masked_conv_clears_nan_padding_and_updates_lengths():
    conv = MaskedConv1d(2, 2, 3, stride=2, padding=1)
    x = torch.randn(1, 2, 8)
    x[0, :, 5:] = float("nan")
    y, lens = conv(x, torch.tensor([5]))
    assert lens.tolist() == [3] and not torch.isnan(y[0, :, :3]).any()
    masked, new_lens = conv.update_masked_length(x, torch.tensor([5]))
    assert torch.equal(masked[0, :, 5:], torch.zeros(2, 3)) and new_lens.tolist() == [3]
    assert conv.get_seq_len(torch.tensor([8, 1])).tolist() == [4, 1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(padding="valid"), "padding='same'"),
        (dict(normalization="weight"), "normalization"),
        (dict(residual_mode="max"), "residual_mode"),
        (dict(stride=2, residual=True, residual_mode="add"), "stride_add"),
        (dict(stride=2, repeat=2, residual=True, residual_mode="stride_add"), "stride_last"),
        (dict(stride=2, dilation=2, residual=False), "stride OR dilation"),
        (dict(groups=5), "groups=5"),
        (dict(heads=2, separable=False), "heads"),
        (dict(normalization="group", norm_groups=5), "norm_groups"),
        (dict(dropout=1.5), "dropout"),
    ],
)
def test_invalid_block_configs(kwargs, message):
    settings = dict(repeat=1, kernel_size=3, conv_mask=True)
    settings.update(kwargs)
    with pytest.raises(ConfigError, match=message):
        ConvBlock(IN, OUT, **settings)


def test_dense_residual_returns_all_inputs():
    first = torch.randn(2, IN, 10)
    second = torch.randn(2, OUT, 10)
    block = ConvBlock(OUT, OUT, repeat=1, kernel_size=3, residual=True, residual_panes=[IN, OUT], conv_mask=True)
    outputs, lengths = block.eval()(([first, second], torch.tensor([10, 7])))
    assert len(outputs) == 3 and outputs[2].shape == (2, OUT, 10) and lengths.tolist() == [10, 7]
    assert len(block.res) == 2


@pytest.mark.parametrize("geometry, conv_mask, groups", [("stride2_last_stride_add", True, 2), ("dilation2", False, 1)])
def test_block_torchscript_matches_eager(geometry, conv_mask, groups):
    block = _block(geometry, "instance", separable=True, groups=groups, conv_mask=conv_mask)
    scripted = torch.jit.script(block)
    x, lengths = torch.randn(2, IN, 19), torch.tensor([19, 12])
    [a], la = block(([x], lengths))
    [b], lb = scripted(([x], lengths))
    torch.testing.assert_close(a, b)
    assert torch.equal(la, lb)
