"""Interchange with the real Lhotse 1.33: its files load here, ours load there, same numbers and audio."""

import json

import numpy as np
import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.units import perturb_num_samples

lhotse = pytest.importorskip("lhotse")

EXTENSIONS = ["jsonl.gz", "jsonl", "json", "yaml"]


def _lhotse_recordings(path):
    return lhotse.RecordingSet.from_file(path).to_eager()


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_lhotse_files_load_here(lhotse_compat_dir, ext):
    ours = RecordingSet.from_file(lhotse_compat_dir / f"recordings.{ext}")
    theirs = _lhotse_recordings(lhotse_compat_dir / f"recordings.{ext}")
    assert ours.ids == list(theirs.ids)
    assert [r.to_dict() for r in ours] == [r.to_dict() for r in theirs]


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_our_files_load_in_lhotse(lhotse_compat_dir, tmp_path, ext):
    ours = RecordingSet.from_file(lhotse_compat_dir / "recordings.jsonl").perturb_speed(1.1).resample(8000)
    ours = ours + RecordingSet.from_file(lhotse_compat_dir / "recordings.jsonl").perturb_tempo(0.9).perturb_volume(2.0)
    ours.to_file(tmp_path / f"out.{ext}")
    theirs = _lhotse_recordings(tmp_path / f"out.{ext}")
    assert [r.to_dict() for r in theirs] == [r.to_dict() for r in ours]


def test_jsonl_lines_are_identical(lhotse_compat_dir, tmp_path):
    ours = RecordingSet.from_file(lhotse_compat_dir / "recordings.jsonl")
    ours.to_file(tmp_path / "out.jsonl")
    expected = [json.loads(line) for line in (lhotse_compat_dir / "recordings.jsonl").read_text().splitlines()]
    assert [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()] == expected


@pytest.mark.parametrize("num_samples", [1, 16000, 32000, 123457, 48000 * 3600 + 17])
@pytest.mark.parametrize("factor", [0.9, 1.1, 0.95, 1.05, 1.2, 0.8])
def test_perturbed_manifests_match_lhotse(num_samples, factor):
    kwargs = dict(id="r", sampling_rate=16000, num_samples=num_samples, duration=num_samples / 16000)
    ours = Recording(sources=[AudioSource("file", [0], "a.wav")], **kwargs)
    theirs = lhotse.Recording(sources=[lhotse.AudioSource("file", [0], "a.wav")], **kwargs)
    for method in ["perturb_speed", "perturb_tempo", "perturb_volume"]:
        assert getattr(ours, method)(factor).to_dict() == getattr(theirs, method)(factor).to_dict()
    assert perturb_num_samples(num_samples, factor) == lhotse.utils.perturb_num_samples(num_samples, factor)
    for rate in [8000, 22050, 44100]:
        assert ours.resample(rate).to_dict() == theirs.resample(rate).to_dict()


def test_chained_transforms_match_lhotse_and_round_trip(lhotse_compat_dir):
    theirs = lhotse.Recording.from_file(lhotse_compat_dir / "audio" / "stereo.flac")
    theirs = theirs.perturb_speed(0.9).resample(22050).perturb_tempo(1.1).perturb_volume(0.5)
    ours = Recording.from_dict(theirs.to_dict())
    assert ours.to_dict() == theirs.to_dict()
    assert lhotse.Recording.from_dict(ours.to_dict()).to_dict() == theirs.to_dict()


@pytest.mark.parametrize("rid", ["rec-mono", "rec-stereo", "rec-two-sources"])
@pytest.mark.parametrize(
    "kwargs", [{}, dict(offset=0.3, duration=0.5), dict(offset=1.5), dict(channels=0), dict(duration=2.0)]
)
def test_loaded_audio_equals_lhotse(lhotse_compat_dir, monkeypatch, rid, kwargs):
    monkeypatch.chdir(lhotse_compat_dir)  # the manifests hold paths relative to their folder
    ours = RecordingSet.from_file("recordings.jsonl")[rid]
    theirs = _lhotse_recordings("recordings.jsonl")[rid]
    np.testing.assert_array_equal(ours.load_audio(**kwargs), theirs.load_audio(**kwargs))


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_perturbed_audio_is_close_to_lhotse(lhotse_compat_dir, monkeypatch, factor):
    monkeypatch.chdir(lhotse_compat_dir)
    ours = RecordingSet.from_file("recordings.jsonl")["rec-stereo"].perturb_speed(factor)
    theirs = _lhotse_recordings("recordings.jsonl")["rec-stereo"].perturb_speed(factor)
    a, b = ours.load_audio(), theirs.load_audio()
    assert a.shape == b.shape
    # Different resamplers (soxr vs Lhotse's windowed sinc) agree on the signal, not bit for bit.
    for ch in range(2):
        assert np.corrcoef(a[ch], b[ch])[0, 1] > 0.998
    assert np.abs(a[:, 200:-200] - b[:, 200:-200]).max() < 0.05
