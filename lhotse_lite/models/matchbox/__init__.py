"""MatchboxNet (Majumdar & Ginsburg, Interspeech 2020): NeMo-compatible Jasper-style conv blocks.

Modules are state-dict compatible with NeMo checkpoints (``load_state_dict(strict=True)``); see
``docs/models_matchboxnet.rst``. Shapes are channels first: features ``(batch, feat_in, time)``.

Example:
    >>> import torch
    >>> from lhotse_lite.models.matchbox import matchboxnet_3x2x64
    >>> model = matchboxnet_3x2x64(num_classes=35).eval()
    >>> sum(p.numel() for p in model.parameters())
    93411
    >>> tuple(model(torch.randn(4, 64, 101), torch.tensor([101, 90, 64, 33])).shape)
    (4, 35)
"""

from lhotse_lite.models.matchbox.block_config import BlockConfig, matchboxnet_blocks
from lhotse_lite.models.matchbox.conv_block import ConvBlock
from lhotse_lite.models.matchbox.conv_geometry import (
    compute_new_kernel_size,
    get_asymmetric_padding,
    get_same_padding,
)
from lhotse_lite.models.matchbox.decoder import ConvASRDecoderClassification
from lhotse_lite.models.matchbox.encoder import ConvASREncoder
from lhotse_lite.models.matchbox.group_shuffle import GroupShuffle
from lhotse_lite.models.matchbox.init import init_weights, tds_normal_, tds_uniform_
from lhotse_lite.models.matchbox.masked_conv import MaskedConv1d
from lhotse_lite.models.matchbox.model import MatchboxNet
from lhotse_lite.models.matchbox.nemo_checkpoint import (
    load_nemo_matchboxnet,
    matchboxnet_from_nemo_config,
    select_nemo_weights,
    write_nemo_archive,
)
from lhotse_lite.models.matchbox.presets import (
    matchboxnet,
    matchboxnet_3x1x64,
    matchboxnet_3x2x64,
    matchboxnet_6x2x64,
)
from lhotse_lite.models.matchbox.squeeze_excite import SqueezeExcite

__all__ = [
    "BlockConfig",
    "ConvASRDecoderClassification",
    "ConvASREncoder",
    "ConvBlock",
    "GroupShuffle",
    "MaskedConv1d",
    "MatchboxNet",
    "SqueezeExcite",
    "compute_new_kernel_size",
    "get_asymmetric_padding",
    "get_same_padding",
    "init_weights",
    "load_nemo_matchboxnet",
    "matchboxnet",
    "matchboxnet_3x1x64",
    "matchboxnet_3x2x64",
    "matchboxnet_6x2x64",
    "matchboxnet_blocks",
    "matchboxnet_from_nemo_config",
    "select_nemo_weights",
    "tds_normal_",
    "tds_uniform_",
    "write_nemo_archive",
]
