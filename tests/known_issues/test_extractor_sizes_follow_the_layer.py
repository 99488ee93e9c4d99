"""Regression: the extractors rounded window and hop with ``floor(x + 1e-6)`` while the layers use
``units.window_samples`` (``floor(round(x, 8))``), so for times a hair below a whole sample count the
extractor's ``feature_dim`` and ``extract_batch`` frame counts disagreed with the layer's output.
They now come from the layer itself.
"""

import numpy as np

from lhotse_lite.features.kaldi.extractors import Fbank, FbankConfig, Spectrogram, SpectrogramConfig


def test_feature_dim_of_a_window_just_below_512_samples():
    # 0.03199999997 s * 16 kHz = 511.99999952 samples: the window has 511 (old rule: 512, so 257 bins).
    extractor = Spectrogram(SpectrogramConfig(frame_length=0.03199999997, round_to_power_of_two=False))
    assert extractor.feature_dim(16000) == 256
    assert extractor.extract(np.zeros(4000, dtype=np.float32), 16000).shape[1] == 256


def test_batch_frame_counts_of_a_hop_just_below_160_samples():
    # 0.00999999997 s * 16 kHz = 159.99999952 samples: the hop is 159 (old rule: 160, so 100 and 50 frames).
    extractor = Fbank(FbankConfig(frame_shift=0.00999999997))
    feats = extractor.extract_batch([np.zeros(16000, dtype=np.float32), np.zeros(8000, dtype=np.float32)], 16000)
    assert [f.shape[0] for f in feats] == [101, 50]
    assert extractor.extract(np.zeros(16000, dtype=np.float32), 16000).shape == (101, 80)
