"""Kaldi data directories: import/export, round trips, errors (Lhotse's reader and writer: tests/lhotse_parity)."""

import shutil
from pathlib import Path

import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import DuplicateIdError, ManifestFieldError, ManifestFormatError, UnknownIdError
from lhotse_lite.kaldi_data_dir import export_to_kaldi_data_dir, import_kaldi_data_dir, read_kaldi_table
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def write_dir(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def data_dir(tmp_path, lhotse_compat_dir):
    mono = lhotse_compat_dir / "audio" / "mono.wav"
    return write_dir(
        tmp_path / "data",
        **{
            "wav.scp": f"reco-a {mono}\nreco-b cat {mono} |\n",
            "segments": "utt1 reco-a 0.10 0.90\nutt2 reco-a 1.0 -1\nutt3 reco-b 0.25 1.75\n",
            "text": "utt1 HELLO WORLD\nutt2\nutt3 GOOD  BYE\n",
            "utt2spk": "utt1 spk1\nutt2 spk1\nutt3 spk2\n",
            "spk2gender": "spk1 f\nspk2 m\n",
            "utt2lang": "utt1 en\nutt2 en\nutt3 de\n",
        },
    )


def test_import_reads_audio_headers_and_pipes(data_dir, lhotse_compat_dir):
    recordings, supervisions = import_kaldi_data_dir(data_dir)
    a, b = recordings["reco-a"], recordings["reco-b"]
    # mono.wav: 2 s at 16 kHz (tests/fixtures/lhotse-1.33/README.md).
    assert (a.sampling_rate, a.num_samples, a.duration) == (16000, 32000, 2.0)
    assert a.sources[0] == AudioSource("file", [0], str(lhotse_compat_dir / "audio" / "mono.wav"))
    assert b.sources[0].type == "command" and b.sources[0].source == f"cat {lhotse_compat_dir / 'audio' / 'mono.wav'}"
    assert b.duration == 2.0
    assert b.load_audio().shape == (1, 32000)
    utt2 = supervisions["utt2"]
    assert (utt2.start, utt2.duration, utt2.text, utt2.speaker, utt2.gender) == (1.0, 1.0, "", "spk1", "f")
    assert supervisions["utt3"].text == "GOOD  BYE" and supervisions["utt3"].language == "de"


def test_import_without_supervision_files(tmp_path):
    data = write_dir(tmp_path / "d", **{"wav.scp": "r1 /x/r1.wav\n", "reco2dur": "r1 1.5\n"})
    recordings, supervisions = import_kaldi_data_dir(data, sampling_rate=8000)
    assert supervisions is None
    assert recordings["r1"].num_samples == 12000  # 1.5 s * 8000 Hz


def test_import_durations_from_utt2num_frames(tmp_path):
    data = write_dir(
        tmp_path / "d",
        **{
            "wav.scp": "r1 /x/r1.wav\n",
            "reco2dur": "r1 3.0\n",
            "segments": "u1 r1 0.5 1.5\n",
            "utt2num_frames": "u1 98\n",
        },
    )
    _, sups = import_kaldi_data_dir(data, sampling_rate=16000, frame_shift=0.01)
    assert sups["u1"].duration == pytest.approx(0.98)
    _, sups = import_kaldi_data_dir(data, sampling_rate=16000)
    assert sups["u1"].duration == 1.0


def test_import_with_threads_equals_serial(data_dir):
    assert import_kaldi_data_dir(data_dir, num_jobs=2)[0] == import_kaldi_data_dir(data_dir, num_jobs=1)[0]


@pytest.mark.parametrize(
    "files, error, where",
    [
        ({"wav.scp": "r1\n"}, ManifestFormatError, "wav.scp:1"),
        ({"wav.scp": "r1 a.wav\nr1 b.wav\n"}, DuplicateIdError, "wav.scp:2"),
        ({"wav.scp": "r1 a.wav\n", "reco2dur": "r1 long\n"}, ManifestFormatError, "reco2dur:1"),
        ({"wav.scp": "r1 a.wav\nr2 b.wav\n", "reco2dur": "r1 1.0\n"}, ManifestFormatError, "reco2dur"),
        (
            {"wav.scp": "r1 a.wav\n", "reco2dur": "r1 1.0\n", "segments": "u1 r1 0.0\n"},
            ManifestFormatError,
            "segments:1",
        ),
        (
            {"wav.scp": "r1 a.wav\n", "reco2dur": "r1 1.0\n", "segments": "\nu1 r1 0.0 x\n"},
            ManifestFormatError,
            "segments:2",
        ),
        (
            {"wav.scp": "r1 a.wav\n", "reco2dur": "r1 1.0\n", "segments": "u1 r9 0.0 1.0\n"},
            UnknownIdError,
            "segments:1",
        ),
        (
            {"wav.scp": "r1 a.wav\n", "reco2dur": "r1 1.0\n", "segments": "u1 r1 0.8 0.2\n"},
            ManifestFormatError,
            "segments:1",
        ),
    ],
)
def test_import_bad_lines_name_file_and_line(tmp_path, files, error, where):
    data = write_dir(tmp_path / "d", **files)
    with pytest.raises(error, match=where):
        import_kaldi_data_dir(data, sampling_rate=16000)


def test_import_missing_wav_scp_and_audio(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"wav\.scp"):
        import_kaldi_data_dir(tmp_path)
    data = write_dir(tmp_path / "d", **{"wav.scp": f"r1 {tmp_path / 'missing.wav'}\n"})
    with pytest.raises(FileNotFoundError, match=r"missing\.wav"):
        import_kaldi_data_dir(data)


def test_read_kaldi_table_keeps_inner_spaces(tmp_path):
    path = tmp_path / "text"
    path.write_text("u1  A  B \n\nu2 C\n")
    assert read_kaldi_table(path) == {"u1": "A  B", "u2": "C"}


# ---- export ------------------------------------------------------------------------------------------


def _mono_manifests(lhotse_compat_dir):
    mono = str(lhotse_compat_dir / "audio" / "mono.wav")
    recs = RecordingSet(
        [
            Recording("r2", [AudioSource("file", [0], mono)], 16000, 32000, 2.0),
            Recording("r1", [AudioSource("command", [0], f"cat {mono}")], 16000, 32000, 2.0),
        ]
    )
    sups = SupervisionSet(
        [
            SupervisionSegment("u2", "r2", 0.5, 1.25, text="SECOND ONE", speaker="s2", language="en", gender="m"),
            SupervisionSegment("u1", "r1", 0.0, 2.0, text="FIRST", speaker="s1", language="en", gender="f"),
        ]
    )
    return recs, sups


def test_export_then_import_round_trips(tmp_path, lhotse_compat_dir):
    recs, sups = _mono_manifests(lhotse_compat_dir)
    export_to_kaldi_data_dir(recs, sups, tmp_path)
    back_recs, back_sups = import_kaldi_data_dir(tmp_path, sampling_rate=16000)
    assert back_recs == RecordingSet(sorted(recs, key=lambda r: r.id))
    assert back_sups == SupervisionSet(sorted(sups, key=lambda s: s.id))


def test_export_multichannel_splits_channels(tmp_path, lhotse_compat_dir):
    recs = RecordingSet.from_file(lhotse_compat_dir / "recordings.jsonl")
    sups = SupervisionSet.from_file(lhotse_compat_dir / "supervisions.jsonl")
    export_to_kaldi_data_dir(recs, sups, tmp_path)
    wav = read_kaldi_table(tmp_path / "wav.scp")
    assert wav["rec-mono"] == "audio/mono.wav"
    assert wav["rec-stereo_1"].startswith("sox audio/stereo.flac") and wav["rec-stereo_1"].endswith("remix 2 |")
    assert wav["rec-two-sources_1"] == "audio/mono.wav"
    segments = read_kaldi_table(tmp_path / "segments")
    assert segments["sup-2-0"] == "rec-stereo_0 0.5 1.5" and segments["sup-2-1"] == "rec-stereo_1 0.5 1.5"
    assert read_kaldi_table(tmp_path / "utt2spk")["sup-3-1"] == "sup-3-1"  # no speaker: itself


@pytest.mark.parametrize(
    "recording, match",
    [
        (Recording("r", [AudioSource("url", [0], "http://x/a.wav")], 16000, 16000, 1.0), "url"),
        (
            Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0).perturb_speed(1.1, affix_id=False),
            "transforms",
        ),
        (Recording("r", [AudioSource("command", [0, 1], "cat a.wav")], 16000, 16000, 1.0), "command"),
    ],
)
def test_export_rejects_what_kaldi_cannot_read(tmp_path, recording, match):
    with pytest.raises(ManifestFieldError, match=match):
        export_to_kaldi_data_dir([recording], [], tmp_path)


def test_export_rejects_two_genders_and_unknown_recordings(tmp_path):
    rec = Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 32000, 2.0)
    sups = [
        SupervisionSegment("u1", "r", 0, 1, speaker="s", gender="m"),
        SupervisionSegment("u2", "r", 1, 1, speaker="s", gender="f"),
    ]
    with pytest.raises(ManifestFieldError, match="genders"):
        export_to_kaldi_data_dir([rec], sups, tmp_path)
    with pytest.raises(UnknownIdError, match="'other'"):
        export_to_kaldi_data_dir([rec], [SupervisionSegment("u", "other", 0, 1)], tmp_path)


@pytest.mark.skipif(shutil.which("sox") is None, reason="the exported wav.scp pipes multi-channel audio through sox")
def test_exported_sox_pipes_give_each_channel(tmp_path):
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(3)
    stereo = rng.integers(-20000, 20000, size=(8000, 2), dtype=np.int16)
    path = tmp_path / "stereo.flac"
    sf.write(path, stereo, 16000, subtype="PCM_16")
    recording = Recording.from_file(path, recording_id="st")
    export_to_kaldi_data_dir([recording], [], tmp_path / "data")
    back, _ = import_kaldi_data_dir(tmp_path / "data", sampling_rate=16000)
    assert sorted(back.ids) == ["st_0", "st_1"]
    for channel in (0, 1):
        audio = back[f"st_{channel}"].load_audio()
        np.testing.assert_array_equal(audio[0], stereo[:, channel] / 32768.0)
