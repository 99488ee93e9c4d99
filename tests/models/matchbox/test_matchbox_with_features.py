"""End to end: waveforms -> 64 MFCCs (Kaldi layers) -> padded batch with lengths -> MatchboxNet -> logits.

NeMo's MatchboxNet configs use 64 MFCCs from 64 mel bins, 25 ms windows every 10 ms at 16 kHz.
"""

import pytest
import torch

from lhotse_lite.features.kaldi import layers as lite_layers
from lhotse_lite.models.matchbox import matchboxnet_3x1x64
from lhotse_lite.units import kaldi_num_frames

# TorchScript is what this suite checks; torch 2.13 marks torch.jit.script as deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


SAMPLING_RATE = 16000
NUM_SAMPLES = [16000, 11999, 5210]


def _waveforms():
    torch.manual_seed(0)
    t = torch.arange(max(NUM_SAMPLES)) / SAMPLING_RATE
    waves = []
    for index, n in enumerate(NUM_SAMPLES):
        tone = 0.3 * torch.sin(2 * torch.pi * (300 + 200 * index) * t[:n])
        waves.append(tone + 0.01 * torch.randn(n))
    return waves


def _wav2mfcc(module):
    return module.Wav2MFCC(sampling_rate=SAMPLING_RATE, num_ceps=64, num_filters=64)


def _pad_batch(features):
    """List of (frames_i, 64) -> ((batch, 64, max_frames) channels first, (batch,) lengths)."""
    lengths = torch.tensor([f.shape[0] for f in features])
    batch = torch.zeros(len(features), features[0].shape[1], int(lengths.max()))
    for b, f in enumerate(features):
        batch[b, :, : f.shape[0]] = f.T
    return batch, lengths


def _run_pipeline(extractor):
    features = [extractor(w.unsqueeze(0))[0] for w in _waveforms()]
    for f, n in zip(features, NUM_SAMPLES):
        # Lhotse's layers default to snip_edges=False: frames centred every 160 samples.
        assert f.shape == (kaldi_num_frames(n, 400, 160, snip_edges=False), 64)
    batch, lengths = _pad_batch(features)
    torch.manual_seed(0)
    model = matchboxnet_3x1x64(num_classes=30).eval()
    with torch.no_grad():
        logits = model(batch, lengths)
        assert logits.shape == (3, 30) and torch.isfinite(logits).all()
        for b, f in enumerate(features):
            alone = model(f.T.unsqueeze(0), torch.tensor([f.shape[0]]))
            torch.testing.assert_close(logits[b], alone[0], rtol=1e-4, atol=1e-4)
        scripted = torch.jit.script(model)
        torch.testing.assert_close(scripted(batch, lengths), logits)
    return logits


def test_lhotse_lite_mfcc_to_matchboxnet_logits():
    _run_pipeline(_wav2mfcc(lite_layers))


def test_reference_lhotse_mfcc_to_matchboxnet_logits():
    # The same pipeline fed by real Lhotse 1.33's layer: the shapes and lengths contract it sets.
    _run_pipeline(_wav2mfcc(pytest.importorskip("lhotse.features.kaldi.layers")))
