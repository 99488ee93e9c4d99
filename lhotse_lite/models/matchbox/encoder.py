"""The MatchboxNet / QuartzNet convolutional encoder (NeMo's ``ConvASREncoder``)."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.activations import make_activation
from lhotse_lite.models.matchbox.block_config import BlockConfig, as_block_configs, matchboxnet_blocks
from lhotse_lite.models.matchbox.conv_block import ConvBlock
from lhotse_lite.models.matchbox.init import init_weights
from lhotse_lite.models.matchbox.squeeze_excite import refuse_quantize

__all__ = ["ConvASREncoder"]


class ConvASREncoder(nn.Module):
    """A stack of :class:`ConvBlock` s held in ``self.encoder`` (an ``nn.ModuleList``; same keys as NeMo).

    With ``blocks=None`` it is the MatchboxNet-3x1x64 encoder of Majumdar & Ginsburg, "MatchboxNet: 1D
    Time-Channel Separable Convolutional Neural Network Architecture for Speech Commands Recognition"
    (Interspeech 2020): a separable k11 prologue to 128 channels, three residual separable blocks of 64
    channels with kernels 13, 15 and 17, a separable k29 dilation-2 epilogue to 128 channels and a 1x1
    conv to 128 channels; 73,344 parameters for 64 input features. State-dict keys match a NeMo
    checkpoint's ``encoder.*`` entries with the leading ``encoder.`` removed.

    The parameters are NeMo's, with the seed's order and defaults (``activation`` first; NeMo's first
    parameter, the block list, is ``jasper=``, also accepted as ``blocks=``).

    Args:
        activation: Activation name for every block (``"relu"``, ``"hardtanh"``, ``"selu"``, ``"swish"``,
            ``"silu"``, ``"gelu"``, ``"identity"``; :mod:`lhotse_lite.models.activations`).
        feat_in: Features per frame (MFCC coefficients or mel bins) before frame splicing.
        normalization_mode: ``"batch"``, ``"group"``, ``"instance"`` or ``"layer"``.
        residual_mode: Default residual mode of the blocks (``"add"`` / ``"stride_add"``).
        norm_groups: Groups for group normalisation, ``-1`` for one per channel.
        conv_mask: Zero padded frames before every convolution (recommended; NeMo's default).
        frame_splicing: Frames stacked per input vector by the front end; the first block then expects
            ``feat_in * frame_splicing`` channels.
        init_mode: Weight initialisation, one of :data:`~lhotse_lite.models.matchbox.init.INIT_MODES`
            or ``None``.
        blocks: Block configurations (:class:`BlockConfig` or NeMo ``jasper`` dicts); ``None`` for
            MatchboxNet-3x1x64, see :func:`~lhotse_lite.models.matchbox.block_config.matchboxnet_blocks`.
        jasper: NeMo's name for ``blocks`` (``ConvASREncoder(jasper=cfg.encoder.jasper, ...)``); give one
            of the two.
        quantize: Must be ``False`` (NeMo's quantised layers need ``pytorch_quantization``; ``True`` raises
            ``ConfigError``).

    Shapes:
        ``forward(audio_signal, length)``: ``audio_signal`` is ``(batch, feat_in * frame_splicing, time)``
        (features along channels, as NeMo's preprocessors emit them), ``length`` is ``(batch,)`` valid
        frames or ``None``. Returns ``((batch, feat_out, time'), (batch,) lengths)`` with
        ``time' = time`` when every stride is 1.

    Raises:
        ConfigError: Invalid settings (see :class:`ConvBlock`), both ``blocks`` and ``jasper``, or a
            non-string ``activation`` (a block list passed positionally in NeMo's order).

    Example:
        >>> encoder = ConvASREncoder().eval()
        >>> sum(p.numel() for p in encoder.parameters())
        73344
        >>> out, lengths = encoder(torch.randn(2, 64, 101), torch.tensor([101, 57]))
        >>> tuple(out.shape), lengths.tolist()
        ((2, 128, 101), [101, 57])
    """

    def __init__(
        self,
        activation: str = "relu",
        feat_in: int = 64,
        normalization_mode: str = "batch",
        residual_mode: str = "add",
        norm_groups: int = -1,
        conv_mask: bool = True,
        frame_splicing: int = 1,
        init_mode: Optional[str] = "xavier_uniform",
        blocks: Optional[Sequence[Union[BlockConfig, Mapping[str, Any]]]] = None,
        jasper: Optional[Sequence[Union[BlockConfig, Mapping[str, Any]]]] = None,
        quantize: bool = False,
    ) -> None:
        super().__init__()
        refuse_quantize(quantize, "ConvASREncoder")
        if not isinstance(activation, str):
            raise ConfigError(
                f"ConvASREncoder: activation must be an activation name, got {type(activation).__name__} "
                f"{activation!r:.80}; the parameters keep the seed's order (activation, feat_in, ...), so pass "
                f"NeMo's block list by keyword: ConvASREncoder(jasper=[...], activation=..., feat_in=...)"
            )
        if feat_in < 1 or frame_splicing < 1:
            raise ConfigError(f"feat_in and frame_splicing must be >= 1, got {feat_in} and {frame_splicing}")
        if blocks is not None and jasper is not None:
            raise ConfigError("ConvASREncoder: give the block list once, as jasper= (NeMo's name) or blocks=")
        block_list = jasper if jasper is not None else blocks
        configs = matchboxnet_blocks() if block_list is None else as_block_configs(block_list)
        make_activation(activation, "MatchboxNet")  # fail early on an unknown name
        channels = feat_in * frame_splicing
        self.feat_in = channels
        residual_panes: List[int] = []
        layers: List[nn.Module] = []
        self.dense_residual = False
        for index, config in enumerate(configs):
            dense: List[int] = []
            if config.residual_dense:
                residual_panes.append(channels)
                dense = list(residual_panes)
                self.dense_residual = True
            layers.append(
                ConvBlock(
                    channels,
                    config.filters,
                    repeat=config.repeat,
                    kernel_size=config.kernel,
                    kernel_size_factor=config.kernel_size_factor,
                    stride=config.stride,
                    dilation=config.dilation,
                    dropout=config.dropout,
                    activation=activation,
                    residual=config.residual,
                    groups=config.groups,
                    separable=config.separable,
                    heads=config.heads,
                    normalization=normalization_mode,
                    norm_groups=norm_groups,
                    residual_mode=config.residual_mode or residual_mode,
                    residual_panes=dense,
                    conv_mask=conv_mask,
                    stride_last=config.stride_last,
                    se=config.se,
                    se_reduction_ratio=config.se_reduction_ratio,
                    se_context_window=config.se_context_size,
                    se_interpolation_mode=config.se_interpolation_mode,
                    future_context=config.future_context,
                    layer_idx=index,
                )
            )
            channels = config.filters
        self.feat_out = channels
        self.block_configs: Tuple[BlockConfig, ...] = tuple(configs)
        self._subsampling_factor = 1
        for config in configs:
            self._subsampling_factor *= config.stride
        self.encoder = nn.ModuleList(layers)
        self.apply(lambda module: init_weights(module, mode=init_mode))

    @property
    def subsampling_factor(self) -> int:
        """The product of the blocks' strides (NeMo's property; ``stride ** repeat`` is not counted there
        either, so it is the total stride only with ``stride_last`` or ``repeat=1``)."""
        return self._subsampling_factor

    def forward(
        self, audio_signal: torch.Tensor, length: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Encodes a padded feature batch; shapes in the class docstring.

        Raises:
            ShapeError: ``audio_signal`` is not ``(batch, feat_in, time)`` or ``length`` not ``(batch,)``.
        """
        if audio_signal.dim() != 3 or audio_signal.size(1) != self.feat_in:
            raise ShapeError(
                f"ConvASREncoder expects (batch, {self.feat_in}, time) features (channels first), got shape "
                f"{list(audio_signal.shape)}; transpose a (batch, time, feature) batch with .transpose(1, 2)"
            )
        if length is not None and (length.dim() != 1 or length.size(0) != audio_signal.size(0)):
            raise ShapeError(
                f"length must be ({audio_signal.size(0)},) valid frames per item, got shape {list(length.shape)}"
            )
        if length is None:
            lengths = torch.full(
                (audio_signal.size(0),), audio_signal.size(2), dtype=torch.long, device=audio_signal.device
            )
        else:
            lengths = length
        outputs: List[torch.Tensor] = [audio_signal]
        for block in self.encoder:
            outputs, lengths = block((outputs, lengths))
        return outputs[-1], lengths
