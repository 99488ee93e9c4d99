"""The Kaldi layers as modules compared live with Lhotse 1.33's layers: the legacy linear-grid mel scale and
the default layers at 16 kHz.
"""

import math
import types

import pytest

import lhotse_lite.features.kaldi as kaldi
from lhotse_lite.features.kaldi import Wav2LogFilterBank
from tests.features.kaldi import conftest as kaldi_conftest


@pytest.fixture
def helpers():
    """The signal helper of the Kaldi layer tests (tests/features/kaldi/conftest.py)."""
    return types.SimpleNamespace(speech_like=kaldi_conftest.speech_like)


def test_legacy_linear_grid_mel_scale_matches_lhotse(helpers):
    layers = pytest.importorskip("lhotse.features.kaldi.layers")
    x = helpers.speech_like(8000, 16000).unsqueeze(0)
    for norm in (False, True):
        theirs = layers.Wav2LogFilterBank(torchaudio_compatible_mel_scale=False, norm_filters=norm)(x)
        ours = Wav2LogFilterBank(torchaudio_compatible_mel_scale=False, norm_filters=norm)(x)
        assert float((ours - theirs).abs().max()) < 2e-3


@pytest.mark.parametrize("cls_name", ["Wav2LogFilterBank", "Wav2MFCC", "Wav2LogSpec"])
def test_close_to_lhotse_layers_at_16k(helpers, cls_name):
    """Lhotse agrees with Kaldi to ~3e-4 at 16 kHz with the povey window, so we agree with Lhotse too."""
    layers = pytest.importorskip("lhotse.features.kaldi.layers")
    x = helpers.speech_like(16000, 16000, seed=8).unsqueeze(0)
    theirs = getattr(layers, cls_name)()(x)
    ours = getattr(kaldi, cls_name)()(x)
    assert ours.shape == theirs.shape
    # Lhotse floors log spectra differently (adds 1e-15): compare above our FLT_EPSILON floor only.
    above_floor = ours > math.log(1.2e-7) + 1.0
    assert float((ours - theirs)[above_floor].abs().max()) < 2e-3
