"""Kaldi-compatible features in torch: the layers of :mod:`lhotse_lite.features.kaldi.layers` and the
extractors of :mod:`lhotse_lite.features.kaldi.extractors` (Lhotse's ``lhotse.features.kaldi`` names).

The names are resolved lazily, so ``import lhotse_lite.features.kaldi.layers`` (layers only, no
manifests) does not import the extractors.

Example:
    >>> from lhotse_lite.features.kaldi import Fbank, Wav2LogFilterBank
    >>> Wav2LogFilterBank().num_filters, Fbank().feature_dim(16000)
    (80, 80)
"""

from __future__ import annotations

from typing import Dict, List

from lhotse_lite.lazy_exports import lazy_exports

_EXTRACTORS = "lhotse_lite.features.kaldi.extractors"
_LAYERS = "lhotse_lite.features.kaldi.layers"

_EXPORTS: Dict[str, str] = {
    **dict.fromkeys(
        ["Fbank", "FbankConfig", "Mfcc", "MfccConfig", "Spectrogram", "SpectrogramConfig", "LogSpectrogram",
         "LogSpectrogramConfig"],
        _EXTRACTORS,
    ),
    **dict.fromkeys(["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"], _LAYERS),
}

__all__: List[str] = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
