"""Streaming: online_inference chunk by chunk plus an explicit flush reproduces the offline output."""

from __future__ import annotations

import random

import pytest
import torch

from lhotse_lite.features.kaldi import (
    Wav2FFT,
    Wav2LogFilterBank,
    Wav2LogSpec,
    Wav2MFCC,
    Wav2Spec,
    Wav2Win,
)

LAYERS = {
    "win": lambda snip: Wav2Win(snip_edges=snip, return_log_energy=True),
    "fft": lambda snip: Wav2FFT(snip_edges=snip),
    "spec": lambda snip: Wav2Spec(snip_edges=snip),
    "logspec": lambda snip: Wav2LogSpec(snip_edges=snip),
    "fbank": lambda snip: Wav2LogFilterBank(snip_edges=snip, use_energy=True),
    "mfcc": lambda snip: Wav2MFCC(snip_edges=snip, use_energy=True),
}
CHUNKS = [[7], [160], [399], [1600], [16000], [5, 400, 1, 999, 3, 160, 2500]]


def _offline(layer, x):
    out = layer(x)
    return out if isinstance(out, tuple) else (out, None)


def _close(a: torch.Tensor, b: torch.Tensor) -> None:
    assert a.shape == b.shape
    if a.is_complex():
        a, b = torch.view_as_real(a), torch.view_as_real(b)
    # 1e-5 relative to the values' scale (power spectra reach 1e3 at this input scale).
    scale = max(1.0, float(b.abs().max())) if b.numel() else 1.0
    assert float((a - b).abs().max()) <= 1e-5 * scale if a.numel() else True


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("snip", [False, True])
@pytest.mark.parametrize("chunks", CHUNKS, ids=lambda c: "-".join(map(str, c)))
def test_chunked_equals_offline(helpers, name, snip, chunks):
    layer = LAYERS[name](snip)
    x = torch.stack([helpers.speech_like(20160, 16000, seed=1), helpers.speech_like(20160, 16000, seed=2)])
    feats, log_e = helpers.stream(layer, x, chunks)
    ref, ref_e = _offline(layer, x)
    _close(feats, ref)
    if ref_e is not None:
        _close(log_e, ref_e)


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("snip", [False, True])
def test_one_sample_chunks_equal_offline(helpers, name, snip):
    layer = LAYERS[name](snip)
    x = helpers.speech_like(1123, 16000, seed=3).unsqueeze(0)
    feats, _ = helpers.stream(layer, x, [1])
    _close(feats, _offline(layer, x)[0])


@pytest.mark.parametrize("snip", [False, True])
@pytest.mark.parametrize("num_samples", [0, 1, 50, 119, 120, 200, 279, 280, 281, 399, 400, 401, 441, 1000])
def test_short_streams_equal_offline(helpers, snip, num_samples):
    """Streams that end during warm-up (before the first frame) and just after it."""
    layer = Wav2LogFilterBank(snip_edges=snip)
    x = helpers.speech_like(num_samples, 16000, seed=num_samples).unsqueeze(0)
    for chunks in ([1], [7], [160], [399], [16000]):
        feats, _ = helpers.stream(layer, x, chunks)
        _close(feats, _offline(layer, x)[0])


@pytest.mark.parametrize("rate", [8000, 22050, 44100])
def test_random_splits_equal_offline_at_other_rates(helpers, rate):
    layer = Wav2MFCC(sampling_rate=rate, use_energy=True)
    x = helpers.speech_like(rate + 37, rate, seed=rate).unsqueeze(0)
    rng = random.Random(rate)
    for _ in range(3):
        sizes = [rng.randint(1, 3000) for _ in range(50)]
        feats, _ = helpers.stream(layer, x, sizes, use_flush=bool(rng.getrandbits(1)))
        _close(feats, _offline(layer, x)[0])


def test_last_flag_equals_flush(helpers):
    layer = Wav2LogFilterBank()
    x = helpers.speech_like(5000, 16000).unsqueeze(0)
    (a, _), rem = layer.online_inference(x[:, :3000])
    (b, _), done = layer.online_inference(x[:, 3000:], rem, last=True)
    assert done.shape == (1, 0)
    _close(torch.cat([a, b], dim=1), layer(x))


def test_remainder_after_last_starts_a_new_stream(helpers):
    layer = Wav2LogFilterBank()
    x = helpers.speech_like(3000, 16000).unsqueeze(0)
    (_, _), done = layer.online_inference(x, None, last=True)
    (f, _), done = layer.online_inference(x, done, last=True)
    _close(f, layer(x))


def test_flush_without_any_input():
    feats, log_e = Wav2MFCC(use_energy=True).flush(None)
    assert feats.shape == (1, 0, 13) and log_e is not None and log_e.shape == (1, 0)


def test_empty_chunks_are_allowed(helpers):
    layer = Wav2LogSpec()
    x = helpers.speech_like(2000, 16000).unsqueeze(0)
    feats, _ = helpers.stream(layer, x, [0, 500, 0, 1500])
    _close(feats, layer(x))
    (f, _), rem = layer.online_inference(x[:, :0])
    assert f.shape == (1, 0, 257) and rem.shape == (1, 0)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_scripted_streaming_equals_offline(helpers, name):
    layer = LAYERS[name](False)
    scripted = torch.jit.script(layer)
    x = helpers.speech_like(9000, 16000, seed=4).unsqueeze(0)
    feats, _ = helpers.stream(layer, x, [399, 1600], scripted=scripted)
    _close(feats, _offline(layer, x)[0])


def test_float64_streaming(helpers):
    layer = Wav2LogFilterBank()
    x = helpers.speech_like(7000, 16000).double().unsqueeze(0)
    feats, _ = helpers.stream(layer, x, [160])
    assert feats.dtype == torch.float64
    _close(feats, layer(x))


def test_streaming_docs_example_runs():
    """The worked example in docs/streaming.rst (feature layers) runs and its assertions hold."""
    from pathlib import Path

    page = Path(__file__).resolve().parents[3] / "docs" / "streaming.rst"
    if not page.exists():
        pytest.skip("docs/streaming.rst is not in this checkout")
    text = page.read_text().split("Feature layers", 1)[1]
    block = text.split(".. code-block:: python", 1)[1].split("\n\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    exec(compile("\n".join(lines), str(page), "exec"), {})
