"""Kaldi-compatible features in torch: the six layers of :mod:`lhotse_lite.features.kaldi.layers`.

Example:
    >>> from lhotse_lite.features.kaldi import Wav2LogFilterBank
    >>> Wav2LogFilterBank().num_filters
    80
"""

from lhotse_lite.features.kaldi.layers import (
    Wav2FFT,
    Wav2LogFilterBank,
    Wav2LogSpec,
    Wav2MFCC,
    Wav2Spec,
    Wav2Win,
)

__all__ = ["Wav2Win", "Wav2FFT", "Wav2Spec", "Wav2LogSpec", "Wav2LogFilterBank", "Wav2MFCC"]
