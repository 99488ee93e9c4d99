"""Load SpeechBrain wav2vec 2.0 checkpoints: rename its state-dict keys to ours.

Shapes and values are identical; only the nesting differs, because SpeechBrain wraps every conv and
layer norm in its own module (``extractor.convblock_0.convs.conv_0.conv.weight`` here is
``blocks.0.conv.weight``) and keeps the sinusoidal position table in the state dict (ours is a
non-persistent buffer, so ``positional_encoding.pe`` is dropped). Quantiser keys are the same.

Example:
    >>> import torch
    >>> sd = {"extractor.convblock_2.convs.norm_0.norm.weight": torch.ones(3),
    ...       "latent_encoder.layers.0.self_att.att.in_proj_weight": torch.ones(6, 2),
    ...       "positional_encoding.pe": torch.zeros(1, 4, 2)}
    >>> sorted(convert_speechbrain_state_dict(sd))
    ['blocks.2.norm.weight', 'latent_encoder.layers.0.self_attn.in_proj_weight']
"""

from __future__ import annotations

import re
from typing import Dict, Mapping, Tuple

import torch

__all__ = ["convert_speechbrain_state_dict"]

_RENAMES: Tuple[Tuple[str, str], ...] = (
    (r"(^|\.)extractor\.convblock_(\d+)\.convs\.conv_0\.conv\.", r"\1blocks.\2.conv."),
    (r"(^|\.)extractor\.convblock_(\d+)\.convs\.norm_0\.norm\.", r"\1blocks.\2.norm."),
    (r"\.self_att\.att\.", ".self_attn."),
    (r"\.pos_ffn\.ffn\.", ".ffn."),
    (r"(^|\.)(norm|norm1|norm2)\.norm\.", r"\1\2."),
)


def convert_speechbrain_state_dict(state_dict: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Rename the keys of a SpeechBrain ``W2VLatentExtractor`` / ``TransformerEncoder`` /
    ``EncoderWrapper`` / ``W2VTargetQuantiser`` state dict (or a bigger one holding them) to ours.

    Args:
        state_dict: SpeechBrain state dict; keys may carry any prefix (e.g. ``"latent_encoder."``).

    Returns:
        A new dict with renamed keys and the same tensors; sinusoidal tables
        (``*positional_encoding.pe``) are left out.

    Example:
        >>> weight = torch.ones(8, 1, 10)
        >>> converted = convert_speechbrain_state_dict({"extractor.convblock_0.convs.conv_0.conv.weight": weight})
        >>> list(converted), converted["blocks.0.conv.weight"] is weight
        (['blocks.0.conv.weight'], True)
    """
    converted: Dict[str, torch.Tensor] = {}
    for key, value in state_dict.items():
        if key == "positional_encoding.pe" or key.endswith(".positional_encoding.pe"):
            continue
        for pattern, replacement in _RENAMES:
            key = re.sub(pattern, replacement, key)
        converted[key] = value
    return converted
