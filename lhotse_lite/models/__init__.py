"""Models that consume lhotse_lite features: MatchboxNet, ConvEmformer and wav2vec 2.0 pieces.

Submodules: :mod:`lhotse_lite.models.matchbox`, :mod:`lhotse_lite.models.conv_emformer`,
:mod:`lhotse_lite.models.wav2vec`; their activation functions come from one registry,
:mod:`lhotse_lite.models.activations`. The most used names are re-exported lazily here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from lhotse_lite.lazy_exports import lazy_exports

_EXPORTS: Dict[str, str] = {
    "ConvEmformer": "lhotse_lite.models.conv_emformer",
    "ConvEmformerLayerState": "lhotse_lite.models.conv_emformer",
    "ConvASREncoder": "lhotse_lite.models.matchbox",
    "ConvASRDecoderClassification": "lhotse_lite.models.matchbox",
    "MatchboxNet": "lhotse_lite.models.matchbox",
    "matchboxnet_3x1x64": "lhotse_lite.models.matchbox",
    "matchboxnet_3x2x64": "lhotse_lite.models.matchbox",
    "matchboxnet_6x2x64": "lhotse_lite.models.matchbox",
    "load_nemo_matchboxnet": "lhotse_lite.models.matchbox",
    "W2VLatentExtractor": "lhotse_lite.models.wav2vec",
    "W2VTargetQuantiser": "lhotse_lite.models.wav2vec",
    "GumbelVectorQuantizer": "lhotse_lite.models.wav2vec",
    "EncoderWrapper": "lhotse_lite.models.wav2vec",
    "TransformerEncoder": "lhotse_lite.models.wav2vec",
    "compute_mask": "lhotse_lite.models.wav2vec",
    "sample_negatives": "lhotse_lite.models.wav2vec",
    "w2v_mask_collate_fn": "lhotse_lite.models.wav2vec",
    "w2v_pretraining_loss": "lhotse_lite.models.wav2vec",
}

if TYPE_CHECKING:  # the same names for type checkers (tests/test_public_api.py checks they match)
    from lhotse_lite.models.conv_emformer import (
        ConvEmformer as ConvEmformer,
        ConvEmformerLayerState as ConvEmformerLayerState,
    )
    from lhotse_lite.models.matchbox import (
        ConvASRDecoderClassification as ConvASRDecoderClassification,
        ConvASREncoder as ConvASREncoder,
        MatchboxNet as MatchboxNet,
        load_nemo_matchboxnet as load_nemo_matchboxnet,
        matchboxnet_3x1x64 as matchboxnet_3x1x64,
        matchboxnet_3x2x64 as matchboxnet_3x2x64,
        matchboxnet_6x2x64 as matchboxnet_6x2x64,
    )
    from lhotse_lite.models.wav2vec import (
        EncoderWrapper as EncoderWrapper,
        GumbelVectorQuantizer as GumbelVectorQuantizer,
        TransformerEncoder as TransformerEncoder,
        W2VLatentExtractor as W2VLatentExtractor,
        W2VTargetQuantiser as W2VTargetQuantiser,
        compute_mask as compute_mask,
        sample_negatives as sample_negatives,
        w2v_mask_collate_fn as w2v_mask_collate_fn,
        w2v_pretraining_loss as w2v_pretraining_loss,
    )

__all__: List[str] = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
