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

from typing import TYPE_CHECKING, Dict, List

from lhotse_lite.lazy_exports import lazy_exports

_EXTRACTORS = "lhotse_lite.features.kaldi.extractors"
_LAYERS = "lhotse_lite.features.kaldi.layers"

_EXPORTS: Dict[str, str] = {
    **dict.fromkeys(
        [
            "Fbank",
            "FbankConfig",
            "Mfcc",
            "MfccConfig",
            "Spectrogram",
            "SpectrogramConfig",
            "LogSpectrogram",
            "LogSpectrogramConfig",
        ],
        _EXTRACTORS,
    ),
    **dict.fromkeys(["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"], _LAYERS),
}

if TYPE_CHECKING:  # the same names for type checkers (tests/test_public_api.py checks they match)
    from lhotse_lite.features.kaldi.extractors import (
        Fbank as Fbank,
        FbankConfig as FbankConfig,
        LogSpectrogram as LogSpectrogram,
        LogSpectrogramConfig as LogSpectrogramConfig,
        Mfcc as Mfcc,
        MfccConfig as MfccConfig,
        Spectrogram as Spectrogram,
        SpectrogramConfig as SpectrogramConfig,
    )
    from lhotse_lite.features.kaldi.layers import (
        Wav2FFT as Wav2FFT,
        Wav2LogFilterBank as Wav2LogFilterBank,
        Wav2LogSpec as Wav2LogSpec,
        Wav2MFCC as Wav2MFCC,
        Wav2Spec as Wav2Spec,
        Wav2Win as Wav2Win,
    )

__all__: List[str] = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
