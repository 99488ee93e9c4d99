"""Validation that checks what it says: every bad line, duplicates with file:line, commands, --read-data."""

import json

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording, RecordingSet, set_command_sources_allowed
from lhotse_lite.features.io import get_writer
from lhotse_lite.features.manifest import Features
from lhotse_lite.validation import check_manifest_files, validate_manifest_files, validate_manifests


@pytest.fixture(autouse=True)
def _reset():
    yield
    set_command_sources_allowed(None)


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, (0.1 * np.random.default_rng(0).standard_normal((16000, 2))).astype(np.float32), 16000)
    return path


def _rec(path, rid="r", num_samples=16000, channels=(0, 1), rate=16000, kind="file"):
    return Recording(rid, [AudioSource(kind, list(channels), str(path))], rate, num_samples, num_samples / rate)


def _messages(recordings, tolerance=0.025):
    return [p.message for p in validate_manifests(recordings=recordings, read_data=True, tolerance=tolerance)]


def test_read_data_accepts_matching_audio_and_reports_each_mismatch(tmp_path, wav):
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    assert _messages([_rec(wav)]) == []
    assert _messages([_rec(wav, num_samples=16000 + 400)]) == []  # 25 ms: within the tolerance
    longer = _messages([_rec(wav, num_samples=20000)])
    assert longer == [
        f"file source '{wav}': decodes to 16000 samples (1 s) but the manifest declares num_samples "
        f"20000 (1.25 s); the difference exceeds the tolerance of 0.025 s"
    ]
    assert _messages([_rec(wav, num_samples=20000)], tolerance=0.5) == []
    assert "the audio has 2 channel(s), the source lists [0]" in _messages([_rec(wav, channels=[0])])[0]
    assert "the audio is 16000 Hz, the manifest says 8000 Hz" in _messages([_rec(wav, num_samples=8000, rate=8000)])[0]
    assert _messages([_rec(tmp_path / "junk.wav")])[0].startswith("audio cannot be decoded")


def test_without_read_data_audio_is_not_opened(tmp_path):
    (tmp_path / "junk.wav").write_bytes(b"not audio")
    assert validate_manifests(recordings=[_rec(tmp_path / "junk.wav")]) == []


def test_read_data_decodes_other_source_types_and_respects_the_guard(tmp_path, wav):
    memory = Recording("m", [AudioSource("memory", [0, 1], wav.read_bytes())], 16000, 16000, 1.0)
    command = _rec(f"cat {wav}", rid="c", kind="command")
    assert _messages([memory, command]) == []
    set_command_sources_allowed(False)
    refused = validate_manifests(recordings=[command], read_data=True)
    assert [p.item_id for p in refused] == ["c"] and "refusing to run the command source" in refused[0].message


def test_read_data_loads_transformed_recordings(wav):
    assert _messages([_rec(wav).resample(8000)]) == []
    broken = _rec(wav, num_samples=40000).resample(8000)  # 2.5 s declared, 1 s on disk: beyond 0.5 s
    assert _messages([broken])[0].startswith("audio cannot be loaded: recording 'r'")


def test_read_data_checks_feature_matrices():
    writer = get_writer("memory_npy")()
    good = writer.write("g", np.ones((100, 4), np.float32))
    bad = writer.write("b", np.full((100, 4), np.nan, np.float32))
    feats = [
        Features("kaldi-fbank", 100, 4, 0.01, 16000, 0.0, 1.0, "memory_npy", None, key, recording_id=rid)
        for key, rid in ((good, "g"), (bad, "b"))
    ]
    feats.append(Features("kaldi-fbank", 100, 5, 0.01, 16000, 0.0, 1.0, "memory_npy", None, good, recording_id="s"))
    problems = validate_manifests(features=feats, read_data=True)
    assert [(p.item_id, p.message) for p in problems] == [
        ("b", "the stored matrix holds 400 NaN or infinite values"),
        (
            "s",
            "feature type 'kaldi-fbank' with 5 features differs from the first row's 'kaldi-fbank' with 4; "
            "one features manifest holds one kind of features: extract the others into another manifest",
        ),
        ("s", "the stored matrix has shape (100, 4), the manifest declares (100, 5)"),
    ]


def test_every_unreadable_line_is_reported_with_its_location(tmp_path, wav):
    good = _rec(wav).to_dict()
    path = tmp_path / "recs.jsonl"
    path.write_text(
        "\n".join(
            [
                "{",
                json.dumps(good),
                "null",
                "[1, 2]",
                json.dumps(dict(good, id="x", duration=-1)),
                '{"id": ',
                json.dumps(good),
            ]
        )
        + "\n"
    )
    problems = validate_manifest_files([path])
    assert [(p.where, p.item_id) for p in problems] == [
        (f"{path}:1", ""),
        (f"{path}:3", ""),
        (f"{path}:4", ""),
        (f"{path}:5", "x"),
        (f"{path}:6", ""),
        (f"{path}:7", "r"),
    ]
    assert problems[0].manifest == "manifest"  # the type is not known before the first readable item
    assert problems[2].manifest == "recordings" and "got list" in problems[2].message
    assert problems[-1].message == f"duplicate id (first at {path}:2)"


def test_list_files_report_items_that_are_not_mappings(tmp_path, wav):
    path = tmp_path / "recs.json"
    path.write_text(json.dumps([_rec(wav).to_dict(), 7, _rec(wav).to_dict()]))
    problems = validate_manifest_files([path])
    assert [str(p) for p in problems] == [
        f"{path}[item 1]: recordings: expected a mapping, got int",
        f"{path}[item 2]: recordings[r]: duplicate id (first at {path}[item 0])",
    ]


def test_report_lists_command_sources_in_file_order(tmp_path, wav):
    recordings = RecordingSet(
        [
            _rec(wav, rid="f"),
            _rec(f"sox {wav} -t wav -", rid="c1", kind="command"),
            _rec(f"cat {wav}", rid="c2", kind="command"),
        ]
    )
    recordings.to_file(tmp_path / "recs.jsonl.gz")
    report = check_manifest_files([tmp_path / "recs.jsonl.gz"])
    assert report.problems == [] and not report.audio_checked
    assert [str(c) for c in report.command_sources] == [
        f"{tmp_path / 'recs.jsonl.gz'}:2: recordings[c1]: 'sox {wav} -t wav -'",
        f"{tmp_path / 'recs.jsonl.gz'}:3: recordings[c2]: 'cat {wav}'",
    ]
    assert check_manifest_files([tmp_path / "recs.jsonl.gz"], read_data=True).audio_checked
