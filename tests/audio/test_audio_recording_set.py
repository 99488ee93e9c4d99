"""RecordingSet: from_dir (serial and threaded), lookups, whole-set transforms, eager/lazy parity."""

import numpy as np
import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import AudioLoadingError, AudioNotFoundError, ConfigError, DuplicateIdError, UnknownIdError


@pytest.fixture
def corpus(write_wav, signals, tmp_path):
    for i, name in enumerate(["spk1/a.wav", "spk1/b.wav", "spk2/c.wav", "spk2/notes.txt.wav", "d.flac"]):
        write_wav(name, signals.ramp(1 + i % 2, 1600 * (i + 1)))
    (tmp_path / "readme.txt").write_text("not audio")
    return tmp_path


@pytest.mark.parametrize("num_jobs", [1, 3])
def test_from_dir(corpus, num_jobs, capsys):
    recs = RecordingSet.from_dir(corpus, "*.wav", num_jobs=num_jobs)
    assert recs.ids == ["a", "b", "c", "notes.txt"]
    assert [r.num_samples for r in recs] == [1600, 3200, 4800, 6400]
    assert recs["b"].channel_ids == [0, 1]
    assert "Scanning audio files" in capsys.readouterr().err  # the tqdm bar
    assert RecordingSet.from_dir(corpus, "*.wav", exclude_pattern=r"notes.*").ids == ["a", "b", "c"]
    assert RecordingSet.from_dir(corpus, "*.flac").ids == ["d"]
    named = RecordingSet.from_dir(corpus, "*.wav", recording_id=lambda p: f"{p.parent.name}-{p.stem}")
    assert named.ids[0] == "spk1-a"


def test_from_dir_threaded_equals_serial(corpus):
    serial = RecordingSet.from_dir(corpus, "*.wav", progress_bar=False)
    assert RecordingSet.from_dir(corpus, "*.wav", num_jobs=4, progress_bar=False) == serial


def test_from_dir_duplicate_stems_name_both_paths(corpus, write_wav, signals):
    write_wav("spk2/a.flac", signals.ramp(1, 100))
    with pytest.raises(DuplicateIdError) as info:
        RecordingSet.from_dir(corpus, "a.*", progress_bar=False)
    message = str(info.value)
    assert "spk1/a.wav" in message and "spk2/a.flac" in message and "'a'" in message


def test_from_dir_bad_input(corpus):
    with pytest.raises(AudioNotFoundError, match="not a directory"):
        RecordingSet.from_dir(corpus / "nope", "*.wav")
    with pytest.raises(ConfigError, match="num_jobs"):
        RecordingSet.from_dir(corpus, "*.wav", num_jobs=0)
    with pytest.raises(AudioLoadingError, match=r"readme\.txt"):
        RecordingSet.from_dir(corpus, "*.txt", progress_bar=False)


def test_lookups_and_load_audio(corpus, signals):
    recs = RecordingSet.from_dir(corpus, "*.wav", progress_bar=False)
    assert len(recs) == 4 and "c" in recs and "zzz" not in recs and recs[0].id == "a"
    np.testing.assert_array_equal(recs.load_audio("c", offset_seconds=0.1), signals.ramp(1, 4800)[:, 1600:])
    np.testing.assert_array_equal(recs.load_audio("b", channels=1), signals.ramp(2, 3200)[1:])
    assert (recs.num_channels("b"), recs.sampling_rate("b"), recs.num_samples("b"), recs.duration("b")) == (
        2,
        16000,
        3200,
        0.2,
    )
    with pytest.raises(UnknownIdError, match="zzz"):
        recs.load_audio("zzz")


def test_from_recordings_rejects_duplicates():
    rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0)
    with pytest.raises(DuplicateIdError, match="'r'"):
        RecordingSet.from_recordings([rec, rec])


def test_whole_set_transforms_eager_and_lazy(corpus, tmp_path):
    recs = RecordingSet.from_dir(corpus, "*.wav", progress_bar=False)
    recs.to_file(tmp_path / "recs.jsonl.gz")
    lazy = RecordingSet.from_jsonl_lazy(tmp_path / "recs.jsonl.gz")
    for name, arg in [("perturb_speed", 1.1), ("perturb_tempo", 0.9), ("perturb_volume", 2.0), ("resample", 8000)]:
        eager_out, lazy_out = getattr(recs, name)(arg), getattr(lazy, name)(arg)
        assert not eager_out.is_lazy and lazy_out.is_lazy
        assert [r.to_dict() for r in eager_out] == [r.to_dict() for r in lazy_out]
    assert recs.perturb_speed(1.1).ids == ["a_sp1.1", "b_sp1.1", "c_sp1.1", "notes.txt_sp1.1"]
    assert recs.perturb_speed(1.1, affix_id=False).ids == recs.ids
    assert recs.resample(8000).load_audio("a").shape == (1, 800)
    assert RecordingSet.from_file(tmp_path / "recs.jsonl.gz") == recs


def test_with_path_prefix(signals, write_wav, tmp_path):
    write_wav("x/a.wav", signals.ramp(1, 160))
    recs = RecordingSet.from_recordings([Recording("a", [AudioSource("file", [0], "a.wav")], 16000, 160, 0.01)])
    assert recs.with_path_prefix(tmp_path / "x").load_audio("a").shape == (1, 160)
