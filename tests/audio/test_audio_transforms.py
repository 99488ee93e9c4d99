"""Transforms: soxr resampling, speed (pitch moves), tempo (pitch stays), volume, serialized form."""

import numpy as np
import pytest

from lhotse_lite.audio import AudioSource, Recording, Resample, Speed, Tempo, Volume
from lhotse_lite.audio.transforms import TRANSFORMS, resample_samples, transform_from_dict
from lhotse_lite.audio.wsola import time_stretch
from lhotse_lite.errors import ConfigError, ManifestFieldError, ShapeError
from lhotse_lite.units import perturb_num_samples

SR = 16000


@pytest.fixture
def tone_rec(write_wav, signals):
    samples = signals.tone(440, 1.0)
    return Recording.from_file(write_wav("tone.wav", samples), recording_id="tone"), samples


@pytest.mark.parametrize("target", [8000, 22050, 44100])
def test_resample_matches_the_analytic_signal(signals, target):
    out = resample_samples(signals.tone(1000, 1.0), SR, target)
    assert out.shape == (1, target) and out.dtype == np.float32
    expected = signals.tone(1000, 1.0, sampling_rate=target)
    interior = slice(target // 20, -target // 20)
    assert np.abs(out[:, interior] - expected[:, interior]).max() < 2e-3


def test_recording_resample_updates_the_manifest_and_loads(tone_rec, signals):
    rec, _ = tone_rec
    r8 = rec.resample(8000)
    assert (r8.sampling_rate, r8.num_samples, r8.duration) == (8000, 8000, 1.0)
    assert r8.transforms == [Resample(16000, 8000)] and r8.source_sampling_rate == 16000
    audio = r8.load_audio()
    assert audio.shape == (1, 8000)
    expected = signals.tone(440, 1.0, sampling_rate=8000)
    assert np.abs(audio[:, 400:-400] - expected[:, 400:-400]).max() < 2e-3
    span = r8.load_audio(offset=0.25, duration=0.5)
    assert span.shape == (1, 4000)
    assert np.abs(span[:, 200:-200] - audio[:, 2200:5800]).max() < 2e-3
    assert rec.resample(16000) is rec


def test_resample_to_an_odd_rate_rounds_like_lhotse():
    rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 235636, 14.72725)
    r = rec.resample(22050)
    assert r.num_samples == 324736 and r.duration == 324736 / 22050  # the example in Lhotse's docs


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_changes_pitch_and_length(tone_rec, signals, factor):
    rec, _ = tone_rec
    sp = rec.perturb_speed(factor)
    assert sp.id == f"tone_sp{factor}" and sp.num_samples == perturb_num_samples(16000, factor)
    audio = sp.load_audio()
    assert audio.shape == (1, sp.num_samples)
    assert signals.peak_frequency(audio[0], SR) == pytest.approx(440 * factor, abs=3)


@pytest.mark.parametrize("factor", [0.8, 0.9, 1.1, 1.25])
def test_tempo_keeps_pitch_and_changes_length(tone_rec, signals, factor):
    rec, _ = tone_rec
    tp = rec.perturb_tempo(factor)
    assert tp.id == f"tone_tp{factor}" and tp.num_samples == perturb_num_samples(16000, factor)
    audio = tp.load_audio()
    assert audio.shape == (1, tp.num_samples)
    assert signals.peak_frequency(audio[0], SR) == pytest.approx(440, abs=3)
    interior = audio[0, 1000:-1000]
    spectrum = np.abs(np.fft.rfft(interior * np.hanning(interior.size))) ** 2
    peak = int(np.argmax(spectrum))
    assert spectrum[peak - 8 : peak + 9].sum() / spectrum.sum() > 0.999  # no audible splices
    assert np.sqrt(np.mean(interior**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_tempo_follows_the_time_envelope_like_speed(signals):
    bursts = signals.tone(300, 2.0)
    t = np.arange(bursts.shape[1]) / SR
    bursts = bursts * (np.sin(2 * np.pi * 2.5 * t) > 0)  # 0.2 s on, 0.2 s off
    slow_tempo = time_stretch(bursts.astype(np.float32), 0.8, SR)
    slow_speed = Speed(0.8)(bursts.astype(np.float32), SR)
    n = min(slow_tempo.shape[1], slow_speed.shape[1])

    def envelope(x):
        return np.sqrt(np.mean(x[0, : n // 320 * 320].reshape(-1, 320) ** 2, axis=1))

    assert np.corrcoef(envelope(slow_tempo), envelope(slow_speed))[0, 1] > 0.95


def test_tempo_keeps_channels_aligned_and_identity_at_one(signals):
    mono = signals.tone(220, 0.5) + 0.1 * signals.ramp(1, 8000)
    stereo = np.concatenate([mono, 0.5 * mono])
    out = time_stretch(stereo, 1.1, SR)
    np.testing.assert_allclose(out[1], 0.5 * out[0], atol=1e-6)
    np.testing.assert_array_equal(time_stretch(stereo, 1.0, SR), stereo)
    assert time_stretch(np.zeros((1, 0), np.float32), 0.9, SR).shape == (1, 0)


def test_time_stretch_rejects_bad_input():
    with pytest.raises(ConfigError, match="positive"):
        time_stretch(np.zeros((1, 10), np.float32), 0.0, SR)
    with pytest.raises(ShapeError, match="channels, samples"):
        time_stretch(np.zeros(10, np.float32), 1.1, SR)


def test_volume_is_a_gain(tone_rec):
    rec, samples = tone_rec
    vp = rec.perturb_volume(0.25)
    assert vp.id == "tone_vp0.25" and vp.num_samples == rec.num_samples
    np.testing.assert_allclose(vp.load_audio(), 0.25 * samples, atol=1e-7)


def test_affix_id_false_keeps_the_id(tone_rec):
    rec, _ = tone_rec
    for method in ["perturb_speed", "perturb_tempo", "perturb_volume"]:
        assert getattr(rec, method)(1.1, affix_id=False).id == "tone"


def test_span_of_a_speed_perturbed_recording(tone_rec):
    rec, _ = tone_rec
    sp = rec.perturb_speed(1.1)
    full = sp.load_audio()
    span = sp.load_audio(offset=0.25, duration=0.5)
    assert span.shape == (1, 8000)
    assert np.abs(span[:, 200:-200] - full[:, 4200:11800]).max() < 5e-3


def test_chained_transforms_keep_the_declared_length(tone_rec):
    rec, _ = tone_rec
    chained = rec.perturb_speed(0.9).resample(22050).perturb_tempo(1.1).perturb_volume(2.0)
    assert chained.id == "tone_sp0.9_tp1.1_vp2.0"
    assert chained.load_audio().shape == (1, chained.num_samples)
    assert chained.load_audio(offset=0.3, duration=0.4).shape == (1, 8820)


def test_serialized_forms():
    assert Speed(1.1).to_dict() == {"name": "Speed", "kwargs": {"factor": 1.1}}
    assert Tempo(0.9).to_dict() == {"name": "Tempo", "kwargs": {"factor": 0.9}}
    assert Volume(1.5).to_dict() == {"name": "Volume", "kwargs": {"factor": 1.5}}
    assert Resample(16000, 8000).to_dict() == {
        "name": "Resample",
        "kwargs": {"source_sampling_rate": 16000, "target_sampling_rate": 8000},
    }
    for t in [Speed(1.1), Tempo(0.9), Volume(1.5), Resample(16000, 8000)]:
        assert transform_from_dict(t.to_dict()) == t
    assert TRANSFORMS.names() == ["Resample", "Speed", "Tempo", "Volume"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Reverb", "kwargs": {}}, "unknown audio transform 'Reverb'.*Resample, Speed, Tempo, Volume"),
        ({"name": "Speed", "kwargs": {"rate": 1.1}}, "invalid kwargs"),
        ({"name": "Speed"}, "kwargs"),
        (
            {"name": "Resample", "kwargs": {"source_sampling_rate": 0, "target_sampling_rate": 8000}},
            "source_sampling_rate must be an int >= 1, got 0",
        ),
    ],
)
def test_transform_from_dict_rejects_bad_input(data, message):
    with pytest.raises(ManifestFieldError, match=message):
        transform_from_dict(data)


@pytest.mark.parametrize("factor", [0, -1.0, float("nan"), "1.1", True])
def test_perturbation_factors_are_validated(tone_rec, factor):
    rec, _ = tone_rec
    with pytest.raises(ConfigError):
        rec.perturb_speed(factor)
    with pytest.raises(ConfigError):
        rec.perturb_tempo(factor)


@pytest.mark.parametrize("num_samples", [1, 10, 500, 16001])
@pytest.mark.parametrize("factor", [0.3, 0.9, 1.1, 3.7])
def test_time_stretch_lengths_for_short_and_odd_inputs(num_samples, factor):
    x = np.random.default_rng(0).standard_normal((2, num_samples)).astype(np.float32)
    out = time_stretch(x, factor, SR)
    assert out.shape == (2, perturb_num_samples(num_samples, factor)) and np.isfinite(out).all()


def test_perturbing_an_empty_tail(tone_rec):
    rec, _ = tone_rec
    for perturbed in [rec.perturb_speed(1.1), rec.perturb_tempo(0.9), rec.resample(8000)]:
        assert perturbed.load_audio(offset=perturbed.duration).shape == (1, 0)
