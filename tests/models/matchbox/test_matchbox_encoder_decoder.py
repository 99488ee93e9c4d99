"""ConvASREncoder, ConvASRDecoderClassification and the presets against NeMo's published layout/sizes.

Expected keys, shapes and parameter counts come from shared/reference-layouts.md (measured on NeMo's own
modules) and the MatchboxNet paper (Majumdar & Ginsburg, Interspeech 2020: 77K / 93K / 140K).
"""

from collections import OrderedDict

import pytest
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.matchbox import (
    BlockConfig,
    ConvASRDecoderClassification,
    ConvASREncoder,
    MatchboxNet,
    matchboxnet_3x1x64,
    matchboxnet_3x2x64,
    matchboxnet_6x2x64,
)

# TorchScript is what this suite checks; torch 2.13 marks torch.jit.script as deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def _bn(prefix, channels):
    return [(f"{prefix}.{name}", [] if name == "num_batches_tracked" else [channels]) for name in BN]


def _separable(prefix, index, cin, cout, kernel):
    """[depthwise, pointwise, BN] at mconv.index, index+1, index+2."""
    return [
        (f"{prefix}.mconv.{index}.conv.weight", [cin, 1, kernel]),
        (f"{prefix}.mconv.{index + 1}.conv.weight", [cout, cin, 1]),
        *_bn(f"{prefix}.mconv.{index + 2}", cout),
    ]


def nemo_layout(repeat, num_classes):
    """NeMo checkpoint keys of MatchboxNet-3xRx64 (encoder.* and decoder.*), from reference-layouts.md."""
    keys = _separable("encoder.encoder.0", 0, 64, 128, 11)
    for block, kernel, cin in ((1, 13, 128), (2, 15, 64), (3, 17, 64)):
        prefix = f"encoder.encoder.{block}"
        # Sub-block r starts at mconv.5*r: [dw, pw, BN, act, dropout] per sub-block but the last.
        for r in range(repeat):
            keys += _separable(prefix, 5 * r, cin if r == 0 else 64, 64, kernel)
        keys += [(f"{prefix}.res.0.0.conv.weight", [64, cin, 1]), *_bn(f"{prefix}.res.0.1", 64)]
    keys += _separable("encoder.encoder.4", 0, 64, 128, 29)
    keys += [("encoder.encoder.5.mconv.0.conv.weight", [128, 128, 1]), *_bn("encoder.encoder.5.mconv.1", 128)]
    keys += [("decoder.decoder_layers.0.weight", [num_classes, 128]), ("decoder.decoder_layers.0.bias", [num_classes])]
    return keys


def _count(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize(
    "factory, classes, encoder_params, total",
    [
        (matchboxnet_3x1x64, 30, 73344, 77214),
        (matchboxnet_3x1x64, 35, 73344, 77859),
        (matchboxnet_3x2x64, 30, 88896, 92766),
        (matchboxnet_3x2x64, 35, 88896, 93411),
    ],
)
def test_parameter_counts_equal_nemo(factory, classes, encoder_params, total):
    model = factory(num_classes=classes)
    assert _count(model.encoder) == encoder_params
    assert _count(model.decoder) == 128 * classes + classes
    assert _count(model) == total


def test_per_block_counts_3x1x64():
    encoder = ConvASREncoder()
    assert [_count(block) for block in encoder.encoder] == [9152, 18304, 9408, 9536, 10304, 16640]


@pytest.mark.parametrize("factory, paper_k", [(matchboxnet_3x1x64, 77), (matchboxnet_3x2x64, 93)])
def test_paper_sizes(factory, paper_k):
    assert round(_count(factory(num_classes=30)) / 1000) == paper_k


def test_6x2x64_size_by_hand():
    # NeMo ships no 6x2x64 config; we continue the kernel progression 13, 15, ..., 23. By hand:
    # B1 (128 -> 64): two separable sub-blocks + residual = 192 * 13 + 20864;
    # B2..B6 (64 -> 64): 128 * k + 12672 each; prologue, epilogue, final conv as in 3x1x64; 30 classes.
    expected = 9152 + (192 * 13 + 20864) + sum(128 * k + 12672 for k in (15, 17, 19, 21, 23))
    expected += 10304 + 16640 + 3870
    assert _count(matchboxnet_6x2x64(num_classes=30)) == expected == 138846
    assert abs(expected - 140_000) / 140_000 < 0.01  # the paper: "140K"
    assert [b.mconv[0].conv.kernel_size[0] for b in matchboxnet_6x2x64().encoder.encoder] == [
        11,
        13,
        15,
        17,
        19,
        21,
        23,
        29,
        1,
    ]


@pytest.mark.parametrize("factory, repeat", [(matchboxnet_3x1x64, 1), (matchboxnet_3x2x64, 2)])
@pytest.mark.parametrize("classes", [30, 35])
def test_state_dict_layout_is_nemo(factory, repeat, classes):
    expected = nemo_layout(repeat, classes)
    got = [(k, list(v.shape)) for k, v in factory(num_classes=classes).state_dict().items()]
    assert got == expected


@pytest.mark.parametrize("factory, repeat", [(matchboxnet_3x1x64, 1), (matchboxnet_3x2x64, 2)])
def test_nemo_shaped_state_dict_loads_strictly(factory, repeat):
    torch.manual_seed(1)
    checkpoint = OrderedDict()
    for key, shape in nemo_layout(repeat, 35):
        if key.endswith("num_batches_tracked"):
            checkpoint[key] = torch.tensor(7)
        elif key.endswith("running_var"):
            checkpoint[key] = torch.rand(shape) + 0.5
        else:
            checkpoint[key] = torch.randn(shape)
    model = factory(num_classes=35)
    model.load_state_dict(checkpoint, strict=True)
    for key, value in model.state_dict().items():
        assert torch.equal(value, checkpoint[key]), key
    # And the loaded weights run.
    assert model.eval()(torch.randn(2, 64, 40), torch.tensor([40, 25])).shape == (2, 35)


def test_conv_mask_false_layout_drops_conv_level():
    masked = matchboxnet_3x1x64()
    plain = matchboxnet_3x1x64(conv_mask=False)
    assert list(plain.state_dict()) == [k.replace(".conv.weight", ".weight") for k in masked.state_dict()]
    assert "encoder.encoder.0.mconv.0.weight" in plain.state_dict()


def test_encoder_lengths_and_masking_invariance():
    torch.manual_seed(0)
    model = matchboxnet_3x2x64(num_classes=12).eval()
    x = torch.randn(3, 64, 60)
    lengths = torch.tensor([60, 41, 13])
    out, out_lengths = model.encoder(x, lengths)
    assert out.shape == (3, 128, 60) and torch.equal(out_lengths, lengths)
    noisy = x.clone()
    noisy[1, :, 41:] = 1e3
    noisy[2, :, 13:] = float("nan")
    out_noisy, _ = model.encoder(noisy, lengths)
    for b, length in enumerate(lengths.tolist()):
        torch.testing.assert_close(out[b, :, :length], out_noisy[b, :, :length])
        alone, _ = model.encoder(x[b : b + 1, :, :length], lengths[b : b + 1])
        torch.testing.assert_close(out[b, :, :length], alone[0], rtol=1e-5, atol=1e-5)
    # Logits with lengths: padded batch == one by one, whatever the padding holds.
    logits = model(noisy, lengths)
    for b, length in enumerate(lengths.tolist()):
        torch.testing.assert_close(
            logits[b], model(x[b : b + 1, :, :length], lengths[b : b + 1])[0], rtol=1e-5, atol=1e-5
        )


def test_encoder_without_lengths_uses_all_frames():
    encoder = ConvASREncoder().eval()
    x = torch.randn(2, 64, 30)
    out, lengths = encoder(x)
    assert lengths.tolist() == [30, 30]
    torch.testing.assert_close(out, encoder(x, torch.tensor([30, 30]))[0])


def test_strided_custom_encoder_lengths():
    blocks = [
        BlockConfig(filters=32, kernel=[11], stride=[2], separable=True),
        {
            "filters": 32,
            "repeat": 2,
            "kernel": [7],
            "stride": [2],
            "residual": True,
            "separable": True,
            "residual_mode": "stride_add",
            "stride_last": True,
            "groups": 2,
        },
        BlockConfig(filters=16, kernel=1),
    ]
    encoder = ConvASREncoder(feat_in=20, blocks=blocks, normalization_mode="group", norm_groups=4).eval()
    out, lengths = encoder(torch.randn(2, 20, 37), torch.tensor([37, 10]))
    assert out.shape == (2, 16, 10) and lengths.tolist() == [10, 3]  # ceil(ceil(L / 2) / 2)


def test_frame_splicing_multiplies_input_channels():
    encoder = ConvASREncoder(feat_in=20, frame_splicing=3)
    assert encoder.encoder[0].mconv[0].conv.weight.shape == (60, 1, 11)
    with pytest.raises(ShapeError, match="transpose"):
        encoder(torch.randn(1, 20, 10))


def test_dense_residual_encoder():
    blocks = [BlockConfig(filters=16, kernel=3, residual=True, residual_dense=True, separable=True)] * 3
    encoder = ConvASREncoder(feat_in=8, blocks=blocks).eval()
    assert [len(block.res) for block in encoder.encoder] == [1, 2, 3]
    out, lengths = encoder(torch.randn(2, 8, 12), torch.tensor([12, 5]))
    assert out.shape == (2, 16, 12) and lengths.tolist() == [12, 5]
    scripted = torch.jit.script(encoder)
    torch.testing.assert_close(scripted(torch.ones(1, 8, 6), None)[0], encoder(torch.ones(1, 8, 6))[0])


@pytest.mark.parametrize("kwargs", [dict(), dict(conv_mask=False), dict(pooling_type="max", return_logits=False)])
def test_torchscript_encoder_decoder_matches_eager(kwargs):
    torch.manual_seed(0)
    model = matchboxnet_3x1x64(num_classes=30, **kwargs).eval()
    scripted = torch.jit.script(model)
    x, lengths = torch.randn(3, 64, 50), torch.tensor([50, 31, 7])
    torch.testing.assert_close(scripted(x, lengths), model(x, lengths))
    torch.testing.assert_close(scripted(x, None), model(x))
    encoder, decoder = torch.jit.script(model.encoder), torch.jit.script(model.decoder)
    out, out_lengths = encoder(x, lengths)
    torch.testing.assert_close(decoder(out, None), model.decoder(model.encoder(x, lengths)[0]))
    assert torch.equal(out_lengths, lengths)


def test_eval_is_deterministic_and_train_dropout_is_not():
    torch.manual_seed(0)
    model = matchboxnet_3x1x64(dropout=0.5).eval()
    x = torch.randn(2, 64, 40)
    assert torch.equal(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


def test_same_seed_same_init():
    torch.manual_seed(3)
    a = matchboxnet_3x2x64().state_dict()
    torch.manual_seed(3)
    b = matchboxnet_3x2x64().state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("mode", ["xavier_normal", "kaiming_uniform", "tds_uniform", "tds_normal", None])
def test_init_modes_build(mode):
    model = matchboxnet_3x1x64(init_mode=mode)
    assert _count(model) == 77214


def test_decoder_pooling():
    decoder = ConvASRDecoderClassification(4, 3, pooling_type="avg")
    with torch.no_grad():
        decoder.decoder_layers[0].weight.copy_(torch.eye(3, 4))
        decoder.decoder_layers[0].bias.zero_()
    x = torch.tensor([[[1.0, 3.0, 100.0]] * 4])
    assert decoder(x)[0].tolist() == pytest.approx([104 / 3] * 3)  # NeMo: every frame pooled
    assert decoder(x, torch.tensor([2]))[0].tolist() == pytest.approx([2.0] * 3)
    decoder.pooling_type = "max"
    assert decoder(x)[0].tolist() == [100.0] * 3
    assert decoder(x, torch.tensor([2]))[0].tolist() == [3.0] * 3
    decoder.return_logits = False
    assert decoder(x)[0].sum().item() == pytest.approx(1.0)


def test_decoder_and_model_errors():
    with pytest.raises(ConfigError, match="pooling_type"):
        ConvASRDecoderClassification(128, 30, pooling_type="attention")
    with pytest.raises(ShapeError, match="128"):
        ConvASRDecoderClassification(128, 30)(torch.randn(2, 64, 5))
    with pytest.raises(ConfigError, match="feat_in"):
        MatchboxNet(ConvASREncoder(), ConvASRDecoderClassification(64, 30))
    with pytest.raises(ShapeError, match=r"\(2,\)"):
        ConvASREncoder()(torch.randn(2, 64, 5), torch.tensor([5]))
    with pytest.raises(ConfigError, match="unknown MatchboxNet block setting"):
        ConvASREncoder(blocks=[{"filters": 8, "se_context_window": 4}])  # NeMo's block key is se_context_size
    with pytest.raises(ConfigError, match=r"jasper= \(NeMo's name\) or blocks="):
        ConvASREncoder(blocks=[{"filters": 8}], jasper=[{"filters": 8}])
    with pytest.raises(ConfigError, match=r"pass NeMo's block list by keyword: ConvASREncoder\(jasper="):
        ConvASREncoder([{"filters": 8}], "relu", 64)  # NeMo's positional order
    with pytest.raises(ConfigError, match="filters must be an int >= 1, got 0"):
        BlockConfig(filters=0)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    torch.manual_seed(0)
    model = matchboxnet_3x2x64(num_classes=35).eval()
    x, lengths = torch.randn(3, 64, 70), torch.tensor([70, 44, 9])
    expected = model(x, lengths)
    model = model.cuda()
    got = model(x.cuda(), lengths.cuda())
    torch.testing.assert_close(got.cpu(), expected, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(torch.jit.script(model)(x.cuda(), lengths.cuda()).cpu(), expected, rtol=1e-3, atol=1e-3)
