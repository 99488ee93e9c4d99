"""One Jasper/QuartzNet/MatchboxNet block: ``repeat`` conv sub-blocks plus an optional residual branch.

Layout (the order of ``mconv`` fixes the checkpoint names, e.g. ``mconv.1.conv.weight``): each sub-block
appends ``[depthwise conv, pointwise conv, norm]`` when ``separable`` or ``[conv, norm]`` otherwise, then a
:class:`GroupShuffle` when ``groups > 1``, then ``[activation, dropout]`` for every sub-block but the last.
With ``se=True`` a :class:`~lhotse_lite.models.matchbox.squeeze_excite.SqueezeExcite` layer follows the
last sub-block (``mconv.<n>.fc.0.weight``, ``mconv.<n>.fc.2.weight``). The residual branch (``res.<pane>``)
is ``[1x1 conv, norm]`` per residual input; its output is added to the main path before the final
``[activation, dropout]`` (``mout``).

Every convolution is a :class:`MaskedConv1d` when ``conv_mask`` is set, so padded frames are zeroed
before each one; otherwise a plain ``nn.Conv1d`` (checkpoint keys then lose the ``.conv`` level).
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from lhotse_lite.checks import check_int, check_probability
from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.activations import make_activation
from lhotse_lite.models.matchbox.conv_geometry import (
    compute_new_kernel_size,
    get_asymmetric_padding,
    get_same_padding,
)
from lhotse_lite.models.matchbox.group_shuffle import GroupShuffle
from lhotse_lite.models.matchbox.masked_conv import MaskedConv1d
from lhotse_lite.models.matchbox.plain_conv import LengthAwareConv1d
from lhotse_lite.models.matchbox.squeeze_excite import SqueezeExcite, refuse_quantize

__all__ = ["ConvBlock", "NORMALIZATIONS", "RESIDUAL_MODES", "block_activation"]

NORMALIZATIONS = ("batch", "group", "instance", "layer")
RESIDUAL_MODES = ("add", "stride_add")

IntOrList = Union[int, Sequence[int]]
Padding = Union[int, Tuple[int, int]]


class ConvBlock(nn.Module):
    """A MatchboxNet/QuartzNet block (NeMo's ``JasperBlock``), with padded-batch length handling.

    Args:
        inplanes: Input channels.
        planes: Output channels.
        repeat: Number of sub-blocks ``R`` (conv + norm [+ activation + dropout]).
        kernel_size: Kernel size of every sub-block, in frames (an int or a one-element list, as in NeMo
            configs). Scaled by ``kernel_size_factor``; an even size is bumped to the next odd one.
        kernel_size_factor: Scale for ``kernel_size``, see
            :func:`~lhotse_lite.models.matchbox.compute_new_kernel_size`.
        stride: Stride in frames. Every sub-block strides (total ``S**R``) unless ``stride_last``.
        dilation: Dilation factor; ``stride`` and ``dilation`` cannot both exceed 1.
        padding: Only ``"same"`` (symmetric zero padding of ``dilation * (kernel - 1) // 2`` frames, or
            the asymmetric padding of ``future_context``).
        dropout: Dropout probability after each activation.
        activation: A name (``"relu"``, ``"hardtanh"``, ``"selu"``, ``"swish"``, ``"silu"``, ``"gelu"``,
            ``"identity"``), an ``nn.Module``, or ``None`` for NeMo's default ``Hardtanh(0, 20)``; see
            :func:`block_activation`.
        residual: Add a residual branch (1x1 conv + norm) from the block input.
        groups: Groups of the (pointwise, when separable) convolution; ``> 1`` adds a :class:`GroupShuffle`.
        separable: Time-channel separable convolution: a depthwise conv over time followed by a pointwise
            (1x1) conv across channels, instead of one full convolution.
        heads: ``-1`` (default) or the number of shared depthwise filters (separable + ``conv_mask`` only),
            see :class:`~lhotse_lite.models.matchbox.MaskedConv1d`.
        normalization: ``"batch"`` (``BatchNorm1d``, eps 1e-3, momentum 0.1), ``"group"``
            (``GroupNorm(norm_groups)``), ``"instance"`` (one group per channel) or ``"layer"`` (one group).
        norm_groups: Groups for ``"group"`` normalisation; ``-1`` means one per channel.
        residual_mode: ``"add"``, or ``"stride_add"`` to stride the residual branch by ``stride`` too
            (needed when the block strides and has a residual).
        residual_panes: Channels of each dense-residual input (Jasper DR); empty/``None`` for a plain
            residual from the block input.
        conv_mask: Use :class:`~lhotse_lite.models.matchbox.MaskedConv1d` (zero padded frames before
            every convolution). MatchboxNet sets it.
        stride_last: Only the last sub-block strides (total stride ``S`` instead of ``S**R``).
        se: Add a squeeze-and-excitation layer after the last sub-block (Citrinet), see
            :class:`~lhotse_lite.models.matchbox.squeeze_excite.SqueezeExcite`. Its activation is the
            block's (``nn.ReLU`` when ``activation`` is ``None``, as in NeMo).
        se_reduction_ratio: Hidden units of the excitation: ``planes // se_reduction_ratio``. The default
            is NeMo's ``JasperBlock`` default, 16 (NeMo's encoder passes 8 unless a block config says
            otherwise; so does :class:`~lhotse_lite.models.matchbox.BlockConfig`).
        se_context_window: Frames the squeeze averages in training mode (a random window); ``-1``
            (default) for all valid frames. Eval mode always uses all valid frames, as NeMo.
        se_interpolation_mode: Stored on the squeeze-excite layer, unused (as in NeMo 3.0.0).
        future_context: ``-1`` (default): symmetric "same" padding. ``>= 0``: every main-path
            convolution sees at most this many future frames (streaming), with NeMo's asymmetric padding
            rule, see :func:`~lhotse_lite.models.matchbox.get_asymmetric_padding` (with ``dilation > 1``
            each convolution then makes the sequence ``dilation - 1`` frames longer, as in NeMo).
        quantize: Must be ``False``: NeMo's quantised layers need NVIDIA's ``pytorch_quantization``,
            which lhotse_lite does not use (``True`` raises ``ConfigError``).
        layer_idx: The block's index in its encoder (NeMo uses it to name InterCTC captures); stored.

    Shapes:
        ``forward((xs, lengths))``: ``xs`` is a list of ``(batch, channels, time)`` tensors (the block
        input last; earlier ones feed dense residuals), ``lengths`` is ``(batch,)`` valid frames or
        ``None`` (all frames valid). Returns ``([(batch, planes, time')], lengths')``, or ``xs + [out]``
        with dense residuals. ``time' = ceil(time / total_stride)`` (plus ``repeat * (dilation - 1)``
        with ``future_context`` and ``dilation > 1``).

    Raises:
        ConfigError: An unsupported option or an inconsistent combination (even kernel, unknown
            normalisation or residual mode, stride with an ``"add"`` residual, ``quantize=True``, a
            residual with a length-changing ``future_context``, ...).

    Example:
        >>> block = ConvBlock(64, 64, repeat=2, kernel_size=13, separable=True, conv_mask=True,
        ...                   activation="relu", dropout=0.0)
        >>> [out], lengths = block(([torch.randn(2, 64, 50)], torch.tensor([50, 31])))
        >>> tuple(out.shape), lengths.tolist()
        ((2, 64, 50), [50, 31])
    """

    def __init__(
        self,
        inplanes: int,
        planes: int,
        repeat: int = 3,
        kernel_size: IntOrList = 11,
        kernel_size_factor: float = 1,
        stride: IntOrList = 1,
        dilation: IntOrList = 1,
        padding: str = "same",
        dropout: float = 0.2,
        activation: Optional[Union[str, nn.Module]] = None,
        residual: bool = True,
        groups: int = 1,
        separable: bool = False,
        heads: int = -1,
        normalization: str = "batch",
        norm_groups: int = 1,
        residual_mode: str = "add",
        residual_panes: Optional[Sequence[int]] = None,
        conv_mask: bool = False,
        stride_last: bool = False,
        se: bool = False,
        se_reduction_ratio: int = 16,
        se_context_window: int = -1,
        se_interpolation_mode: str = "nearest",
        future_context: int = -1,
        quantize: bool = False,
        layer_idx: int = -1,
    ) -> None:
        super().__init__()
        refuse_quantize(quantize, f"ConvBlock({inplanes} -> {planes})")
        kernel = compute_new_kernel_size(_single(kernel_size, "kernel_size"), kernel_size_factor)
        stride_val = _single(stride, "stride")
        dilation_val = _single(dilation, "dilation")
        panes = list(residual_panes or [])
        _validate(
            inplanes,
            planes,
            repeat,
            kernel,
            stride_val,
            dilation_val,
            padding,
            dropout,
            residual,
            groups,
            separable,
            heads,
            normalization,
            norm_groups,
            residual_mode,
            conv_mask,
            stride_last,
        )
        future = check_int("ConvBlock", "future_context", future_context)
        pad: Padding = get_same_padding(kernel, stride_val, dilation_val)
        if future >= 0:
            pad = get_asymmetric_padding(kernel, stride_val, dilation_val, future)
            _check_future_context(pad, kernel, dilation_val, residual, inplanes, planes, future)
        self.se = bool(se)
        self.quantize = False
        self.layer_idx = check_int("ConvBlock", "layer_idx", layer_idx)
        self.future_context = future
        self.conv_mask = bool(conv_mask)
        self.separable = bool(separable)
        self.residual_mode = residual_mode
        self.planes = int(planes)
        self.kernel_size = kernel
        self._normalization = normalization
        self._norm_groups = norm_groups

        conv_strides: List[int] = []
        mconv = nn.ModuleList()
        channels_in = inplanes
        for index in range(repeat):
            last = index == repeat - 1
            sub_stride = stride_val if (last or not stride_last) else 1
            mconv.extend(
                self._conv_norm(channels_in, planes, kernel, sub_stride, dilation_val, pad, groups, heads, separable)
            )
            conv_strides.append(sub_stride)
            if not last:
                mconv.extend(_activation_dropout(activation, dropout))
            channels_in = planes
        if se:
            mconv.append(
                SqueezeExcite(
                    planes,
                    check_int("ConvBlock", "se_reduction_ratio", se_reduction_ratio, minimum=1),
                    context_window=check_int("ConvBlock", "se_context_window", se_context_window),
                    interpolation_mode=se_interpolation_mode,
                    activation=_se_activation(activation),
                )
            )
        self.mconv = mconv
        self.total_stride = 1
        for value in conv_strides:
            self.total_stride *= value

        self.dense_residual = bool(residual and panes)
        self.res = nn.ModuleList()
        if residual:
            res_stride = stride_val if residual_mode == "stride_add" else 1
            for pane_channels in panes or [inplanes]:
                branch = self._conv_norm(pane_channels, planes, 1, res_stride, 1, 0, 1, -1, False)
                self.res.append(nn.ModuleList(branch))
        self.mout = nn.Sequential(*_activation_dropout(activation, dropout))

    def _conv(
        self, cin: int, cout: int, kernel: int, stride: int, dilation: int, pad: Padding, groups: int, heads: int
    ) -> nn.Module:
        if self.conv_mask:
            return MaskedConv1d(
                cin, cout, kernel, stride=stride, padding=pad, dilation=dilation, groups=groups, heads=heads
            )
        return LengthAwareConv1d(
            cin, cout, kernel, stride=stride, padding=pad, dilation=dilation, groups=groups, bias=False
        )

    def _conv_norm(
        self,
        cin: int,
        cout: int,
        kernel: int,
        stride: int,
        dilation: int,
        pad: Padding,
        groups: int,
        heads: int,
        separable: bool,
    ) -> List[nn.Module]:
        if separable:
            layers = [
                self._conv(cin, cin, kernel, stride, dilation, pad, cin, heads),
                self._conv(cin, cout, 1, 1, 1, 0, groups, -1),
            ]
        else:
            layers = [self._conv(cin, cout, kernel, stride, dilation, pad, groups, -1)]
        layers.append(_make_norm(self._normalization, self._norm_groups, cout))
        if groups > 1:
            layers.append(GroupShuffle(groups, cout))
        return layers

    def forward(
        self, input_: Tuple[List[torch.Tensor], Optional[torch.Tensor]]
    ) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Runs the block on ``(xs, lengths)``; shapes in the class docstring."""
        xs, lens_in = input_
        out = xs[-1]
        if out.dim() != 3:
            raise ShapeError(f"ConvBlock expects (batch, channels, time) inputs, got shape {list(out.shape)}")
        if lens_in is None:
            lens_orig = torch.full((out.size(0),), out.size(2), dtype=torch.long, device=out.device)
        else:
            lens_orig = lens_in
        lens = lens_orig
        # hasattr on a submodule is resolved while scripting, so each branch only sees layers it fits.
        for layer in self.mconv:
            if hasattr(layer, "returns_lengths"):
                out, lens = layer(out, lens)
            else:
                out = layer(out)
        for pane, branch in enumerate(self.res):
            res_out = xs[pane]
            # ModuleList items are typed Module; TorchScript refuses isinstance narrowing of scripted modules
            for layer in branch:  # type: ignore[attr-defined]
                if hasattr(layer, "returns_lengths"):
                    res_out, _ = layer(res_out, lens_orig)
                else:
                    res_out = layer(res_out)
            out = out + res_out
        out = self.mout(out)
        if self.dense_residual:
            return xs + [out], lens  # noqa: RUF005  (TorchScript has no starred list displays)
        return [out], lens


def block_activation(activation: Optional[Union[str, nn.Module]]) -> nn.Module:
    """The activation module of a block for a name, an existing module, or ``None`` (clipped ReLU).

    Args:
        activation: A MatchboxNet name of :data:`lhotse_lite.models.activations.ACTIVATIONS`
            (``"relu"``, ``"hardtanh"``, ``"selu"``, ``"swish"``, ``"silu"``, ``"gelu"``), an
            ``nn.Module`` (returned as is), or ``None`` for NeMo's Jasper default ``nn.Hardtanh(0.0, 20.0)``.

    Returns:
        An ``nn.Module`` without parameters.

    Raises:
        UnknownNameError: An unknown name; the message lists the known ones.

    Example:
        >>> block_activation("relu"), block_activation(None)
        (ReLU(), Hardtanh(min_val=0.0, max_val=20.0))
    """
    if activation is None:
        return nn.Hardtanh(min_val=0.0, max_val=20.0)
    if isinstance(activation, nn.Module):
        return activation
    return make_activation(activation, "MatchboxNet")


def _activation_dropout(activation: Optional[Union[str, nn.Module]], dropout: float) -> List[nn.Module]:
    return [block_activation(activation), nn.Dropout(p=dropout)]


def _se_activation(activation: Optional[Union[str, nn.Module]]) -> Optional[nn.Module]:
    """The squeeze-excite activation: NeMo passes the block's activation, whose ``None`` means ReLU there."""
    if activation is None:
        return None
    return block_activation(activation)


def _check_future_context(
    pad: Padding, kernel: int, dilation: int, residual: bool, inplanes: int, planes: int, future: int
) -> None:
    """A residual cannot be added to a main path that ``future_context`` with dilation makes longer."""
    if isinstance(pad, tuple) and sum(pad) != dilation * (kernel - 1) and residual:
        raise ConfigError(
            f"ConvBlock({inplanes} -> {planes}, kernel {kernel}): future_context={future} with dilation={dilation} "
            f"pads {pad[0]} + {pad[1]} frames, {sum(pad) - dilation * (kernel - 1)} more than 'same' padding "
            f"(NeMo's rule), so every convolution lengthens the sequence and the residual branch no longer "
            f"fits (NeMo fails in forward here); use residual=False, dilation=1 or future_context=-1"
        )


def _make_norm(normalization: str, norm_groups: int, channels: int) -> nn.Module:
    if normalization == "batch":
        return nn.BatchNorm1d(channels, eps=1e-3, momentum=0.1)
    if normalization == "instance":
        return nn.GroupNorm(num_groups=channels, num_channels=channels)
    if normalization == "layer":
        return nn.GroupNorm(num_groups=1, num_channels=channels)
    groups = channels if norm_groups == -1 else norm_groups
    if groups <= 0 or channels % groups != 0:
        raise ConfigError(
            f"group normalisation needs channels ({channels}) to be a multiple of norm_groups ({norm_groups}); "
            f"use a divisor of {channels} or -1 (one group per channel)"
        )
    return nn.GroupNorm(num_groups=groups, num_channels=channels)


def _single(value: IntOrList, name: str) -> int:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ConfigError(f"{name} must be one int or a one-element list (1-D convolutions), got {value!r}")
        value = value[0]
    return check_int("ConvBlock", name, value, minimum=1)


def _validate(
    inplanes: int,
    planes: int,
    repeat: int,
    kernel: int,
    stride: int,
    dilation: int,
    padding: str,
    dropout: float,
    residual: bool,
    groups: int,
    separable: bool,
    heads: int,
    normalization: str,
    norm_groups: int,
    residual_mode: str,
    conv_mask: bool,
    stride_last: bool,
) -> None:
    where = f"ConvBlock({inplanes} -> {planes}, kernel {kernel})"
    if inplanes < 1 or planes < 1 or repeat < 1:
        raise ConfigError(f"{where}: inplanes, planes and repeat must be >= 1, got {inplanes}, {planes}, {repeat}")
    if padding != "same":
        raise ConfigError(f"{where}: only padding='same' is supported, got {padding!r}")
    check_probability(where, "dropout", dropout)
    if normalization not in NORMALIZATIONS:
        raise ConfigError(f"{where}: normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if residual_mode not in RESIDUAL_MODES:
        raise ConfigError(f"{where}: residual_mode must be one of {RESIDUAL_MODES}, got {residual_mode!r}")
    if groups < 1 or planes % groups != 0 or inplanes % groups != 0:
        raise ConfigError(f"{where}: groups={groups} must divide both inplanes ({inplanes}) and planes ({planes})")
    if heads != -1 and not (separable and conv_mask):
        raise ConfigError(f"{where}: heads={heads} needs separable=True and conv_mask=True; use heads=-1")
    if heads != -1 and (heads < 1 or inplanes % heads != 0):
        raise ConfigError(f"{where}: heads={heads} must divide inplanes ({inplanes})")
    get_same_padding(kernel, stride, dilation)  # stride and dilation both > 1 -> ConfigError
    if residual and stride > 1:
        if residual_mode != "stride_add":
            raise ConfigError(
                f"{where}: a residual block with stride {stride} needs residual_mode='stride_add' "
                f"(the residual branch must stride too)"
            )
        if repeat > 1 and not stride_last:
            raise ConfigError(
                f"{where}: the main path strides {stride}**{repeat} but the residual only {stride}; "
                f"set stride_last=True or repeat=1"
            )
