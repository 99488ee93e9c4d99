"""NeMo 3.0.0's ``JasperBlock`` keywords, squeeze-excitation and ``future_context`` == ours.

Every block is built the NeMo way on both sides (the same ``jasper`` dicts given to NeMo's ``ConvASREncoder``
and to ours as ``jasper=``, or the same keywords to ``JasperBlock`` and ``ConvBlock``), random weights and
batch-norm statistics are loaded with ``strict=True`` both ways, and every output frame and length is
compared. The reference is NeMo's own ``jasper.py`` / ``conv_asr.py`` (``reference_code.py``).
"""

import inspect

import pytest
import torch

from lhotse_lite.errors import ConfigError
from lhotse_lite.models.activations import FAMILIES, make_activation
from lhotse_lite.models.matchbox import ConvASREncoder, ConvBlock
from lhotse_lite.models.matchbox.squeeze_excite import SqueezeExcite
from tests.reference.reference_code import nemo, nemo_activation_registry
from tests.reference.test_nemo_matchboxnet import TOLERANCE, _randomised

# NeMo's jasper.py compiles helpers with torch.jit.script when it is imported.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _entry(filters, kernel, repeat=1, stride=1, dilation=1, residual=False, **extra):
    return dict(
        filters=filters,
        repeat=repeat,
        kernel=[kernel],
        stride=[stride],
        dilation=[dilation],
        dropout=0.0,
        residual=residual,
        **extra,
    )


# Squeeze-excite (global and windowed context, several reduction ratios, with residuals, separable,
# groups, strides), future_context (0, below and above half the kernel, at least the kernel, with stride,
# with dilation and no residual), and the "identity" activation.
CONFIGS = {
    "citrinet_like_se": dict(
        activation="relu",
        feat_in=16,
        jasper=[
            _entry(32, 5, separable=True, se=True),
            _entry(32, 7, repeat=2, residual=True, separable=True, se=True, se_reduction_ratio=4),
            _entry(
                32,
                9,
                repeat=2,
                stride=2,
                residual=True,
                residual_mode="stride_add",
                separable=True,
                stride_last=True,
                se=True,
                se_context_size=6,
            ),
            _entry(24, 1, se=True, se_reduction_ratio=3),
        ],
    ),
    "se_groups_swish_group_norm": dict(
        activation="swish",
        feat_in=16,
        normalization_mode="group",
        norm_groups=4,
        jasper=[
            _entry(
                32,
                5,
                repeat=2,
                residual=True,
                separable=True,
                groups=2,
                se=True,
                se_context_size=3,
                se_interpolation_mode="linear",
            )
        ],
    ),
    "se_without_mask": dict(
        activation="gelu",
        feat_in=16,
        conv_mask=False,
        jasper=[_entry(32, 5, repeat=2, residual=True, se=True, se_reduction_ratio=16)],
    ),
    "future_context": dict(
        activation="relu",
        feat_in=16,
        jasper=[
            _entry(32, 11, separable=True, future_context=0),
            _entry(32, 9, repeat=2, residual=True, separable=True, future_context=2),
            _entry(32, 7, repeat=2, residual=True, separable=True, future_context=5),  # above half the kernel
            _entry(32, 3, repeat=2, residual=True, future_context=8, heads=-1),  # beyond the kernel: symmetric
            _entry(
                32,
                11,
                repeat=2,
                stride=2,
                residual=True,
                residual_mode="stride_add",
                separable=True,
                stride_last=True,
                future_context=3,
                se=True,
            ),
            _entry(32, 13, kernel_size_factor=0.5, separable=True, heads=4, future_context=1),
            _entry(32, 5, repeat=2, dilation=2, separable=True, future_context=1),  # each conv: 1 frame longer
            _entry(24, 1, future_context=0),
        ],
    ),
    "identity_activation": dict(
        activation="identity",
        feat_in=16,
        jasper=[_entry(32, 5, repeat=2, residual=True, separable=True, se=True, future_context=1)],
    ),
}


def _encoders(name, seed=0):
    config = CONFIGS[name]
    torch.manual_seed(seed)
    reference = _randomised(nemo().conv_asr.ConvASREncoder(**config), seed)
    ours = ConvASREncoder(**config)
    ours.load_state_dict(reference.state_dict(), strict=True)
    return reference, ours


def _batch(feat_in, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(4, feat_in, 45, generator=generator), torch.tensor([45, 38, 17, 6])


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_encoder_matches_nemo(name, training):
    reference, ours = _encoders(name)
    reference.train(training), ours.train(training)
    x, lengths = _batch(ours.feat_in)
    # the windowed squeeze draws one window start per call in training mode, on both sides: several draws,
    # so that windows over valid, padded and partly padded frames all occur
    for seed in range(8 if training else 1):
        with torch.no_grad():
            torch.manual_seed(seed)
            expected, expected_lengths = reference(x, lengths)
            torch.manual_seed(seed)
            actual, actual_lengths = ours(x, lengths)
        assert torch.equal(actual_lengths, expected_lengths)
        torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_our_weights_load_into_nemo(name):
    reference, ours = _encoders(name)
    _randomised(ours, seed=5)
    reference.load_state_dict(ours.state_dict(), strict=True)
    reference.eval(), ours.eval()
    x, lengths = _batch(ours.feat_in)
    with torch.no_grad():
        torch.testing.assert_close(ours(x, lengths)[0], reference(x, lengths)[0], rtol=0.0, atol=TOLERANCE)


def test_future_context_limits_what_each_output_sees():
    """With future_context=F in every block, output frame t depends on no input frame after t + sum(F)."""
    ours = ConvASREncoder(**{**CONFIGS["future_context"], "jasper": CONFIGS["future_context"]["jasper"][:4]}).eval()
    x = torch.randn(1, 16, 40, requires_grad=True)
    out, _ = ours(x, torch.tensor([40]))
    out[0, :, 10].sum().backward()
    # kernel-11 F=0, kernel-9 F=2 (twice), kernel-7 F=5 (twice), kernel-3 beyond the kernel: symmetric 1 (twice)
    reach = 0 + 2 * 2 + 2 * 5 + 2 * 1
    seen = x.grad[0].abs().sum(0).nonzero().flatten()
    assert int(seen.max()) == 10 + reach


@pytest.mark.parametrize("activation", [None, "relu", "selu", "identity"])
@pytest.mark.parametrize("conv_mask", [True, False])
def test_jasper_block_with_squeeze_excite_matches_nemo(activation, conv_mask):
    """JasperBlock and ConvBlock built with the same keywords; activation=None gives the block NeMo's clipped
    ReLU and the squeeze-excite layer ReLU on both sides."""
    kwargs = dict(
        repeat=2,
        kernel_size=[7],
        stride=[1],
        dilation=[1],
        dropout=0.0,
        residual=True,
        separable=True,
        conv_mask=conv_mask,
        se=True,
        se_reduction_ratio=4,
        se_context_window=5,
        layer_idx=3,
    )
    torch.manual_seed(0)
    nemo_activation = None if activation is None else nemo_activation_registry()[activation]()
    reference = _randomised(nemo().jasper.JasperBlock(16, 24, activation=nemo_activation, **kwargs), 0).eval()
    ours = ConvBlock(16, 24, activation=activation, **kwargs).eval()
    ours.load_state_dict(reference.state_dict(), strict=True)
    assert [type(m) for m in ours.mconv[-1].fc] == [type(m) for m in reference.mconv[-1].fc]
    x, lengths = torch.randn(3, 16, 30), torch.tensor([30, 21, 9])
    with torch.no_grad():
        [expected], expected_lengths = reference(([x], lengths))
        [actual], actual_lengths = ours(([x], lengths))
    assert torch.equal(actual_lengths, expected_lengths) and ours.layer_idx == reference.layer_idx == 3
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_squeeze_excite_matches_nemo_in_low_precision(dtype):
    """NeMo computes the squeeze-excite layer in float32 (autocast off, half inputs upcast); so do we."""
    torch.manual_seed(0)
    reference = nemo().jasper.SqueezeExcite(16, 4, context_window=-1).to(dtype)
    ours = SqueezeExcite(16, 4).to(dtype)
    ours.load_state_dict(reference.state_dict(), strict=True)
    x, lengths = torch.randn(3, 16, 20).to(dtype), torch.tensor([20, 11, 3])
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        expected, _ = reference(x, lengths)
        actual, _ = ours(x, lengths)
    assert actual.dtype == expected.dtype == dtype
    torch.testing.assert_close(actual, expected, rtol=0.0, atol=0.0)


def test_dilated_future_context_with_a_residual_fails_in_nemo_and_is_refused_here():
    kwargs = dict(repeat=2, kernel_size=[5], stride=[1], dilation=[2], residual=True, conv_mask=True, future_context=1)
    block = nemo().jasper.JasperBlock(8, 8, **kwargs)
    with pytest.raises(RuntimeError, match="must match the size"):
        block(([torch.randn(2, 8, 10)], torch.tensor([10, 7])))
    with pytest.raises(ConfigError, match=r"pads 7 \+ 2 frames, 1 more than 'same' padding"):
        ConvBlock(8, 8, **kwargs)


def test_plain_convolutions_with_future_context_run_here_where_nemo_fails():
    """conv_mask=False: NeMo hands the (left, right) pair to nn.Conv1d, which rejects it in forward. Ours pads
    explicitly and, on unpadded input, equals NeMo's masked block (the keys differ only by the ``.conv`` level)."""
    kwargs = dict(
        repeat=2,
        kernel_size=[7],
        stride=[1],
        dilation=[1],
        dropout=0.0,
        residual=True,
        separable=True,
        future_context=2,
    )
    with pytest.raises(RuntimeError, match="padding"):
        nemo().jasper.JasperBlock(8, 8, conv_mask=False, **kwargs)(([torch.randn(2, 8, 10)], torch.tensor([10, 10])))
    torch.manual_seed(0)
    reference = _randomised(nemo().jasper.JasperBlock(8, 8, conv_mask=True, **kwargs), 0).eval()
    ours = ConvBlock(8, 8, conv_mask=False, **kwargs).eval()
    ours.load_state_dict({k.replace(".conv.", "."): v for k, v in reference.state_dict().items()}, strict=True)
    x = torch.randn(2, 8, 25)
    with torch.no_grad():
        expected = reference(([x], torch.tensor([25, 25])))[0][0]
        torch.testing.assert_close(ours(([x], None))[0][0], expected, rtol=0.0, atol=TOLERANCE)


def _defaults(function, skip=("self",)):
    return {name: p.default for name, p in inspect.signature(function).parameters.items() if name not in skip}


def test_every_jasper_block_keyword_is_accepted_with_nemo_defaults():
    theirs = _defaults(nemo().jasper.JasperBlock.__init__)
    ours = _defaults(ConvBlock.__init__)
    assert set(theirs) <= set(ours), sorted(set(theirs) - set(ours))
    for name, default in theirs.items():
        if name == "residual_panes":
            assert default == [] and ours[name] is None  # None: no dense residual, as NeMo's empty list
        else:
            assert ours[name] == default, name
    # each keyword at NeMo's default builds the block NeMo builds (the same state-dict keys and shapes)
    block = ConvBlock(8, 8, **{k: v for k, v in theirs.items() if k not in ("inplanes", "planes")})
    reference = nemo().jasper.JasperBlock(
        8,
        8,
        stride=[1],
        dilation=[1],
        **{k: v for k, v in theirs.items() if k not in ("inplanes", "planes", "stride", "dilation")},
    )
    shapes = {k: v.shape for k, v in reference.state_dict().items()}
    assert {k: v.shape for k, v in block.state_dict().items()} == shapes


def test_every_encoder_and_squeeze_excite_keyword_is_accepted_with_nemo_defaults():
    theirs = _defaults(nemo().conv_asr.ConvASREncoder.__init__)
    ours = _defaults(ConvASREncoder.__init__)
    assert set(theirs) <= set(ours), sorted(set(theirs) - set(ours))
    for name, default in theirs.items():
        if default is not inspect.Parameter.empty:
            assert ours[name] == default, name
    assert ours["jasper"] is None and ours["activation"] == "relu" and ours["feat_in"] == 64  # the seed's defaults
    theirs = _defaults(nemo().jasper.SqueezeExcite.__init__)
    assert _defaults(SqueezeExcite.__init__) == theirs


def test_quantize_raises_naming_the_missing_package():
    with pytest.raises(ConfigError, match="pytorch_quantization"):
        ConvBlock(8, 8, quantize=True)
    with pytest.raises(ConfigError, match="pytorch_quantization"):
        ConvASREncoder(jasper=[_entry(8, 3)], quantize=True)
    with pytest.raises(ImportError, match="pytorch-quantization is not installed"):  # NeMo's
        nemo().jasper.JasperBlock(8, 8, stride=[1], dilation=[1], quantize=True)


def test_activation_names_are_nemos():
    registry = nemo_activation_registry()
    assert sorted(FAMILIES["MatchboxNet"].names) == sorted(registry)
    for name, cls in registry.items():
        assert type(make_activation(name, "MatchboxNet")) is cls
