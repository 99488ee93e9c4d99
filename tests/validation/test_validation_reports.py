"""validate_manifests / validate_manifest_files: every problem reported, none on clean Lhotse files."""

import json

import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.validation import Problem, read_items_reporting, validate_manifest_files, validate_manifests


@pytest.fixture
def compat(lhotse_compat_dir, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)
    return lhotse_compat_dir


def test_lhotse_fixtures_are_clean(compat):
    files = [
        "recordings.jsonl.gz",
        "supervisions.json",
        "feats_lilcom_chunky.jsonl.gz",
        "feats_lilcom_files.jsonl.gz",
        "feats_numpy_files.jsonl.gz",
    ]
    assert validate_manifest_files(files) == []


def _rec(rid="r", duration=2.0, num_samples=32000, source="a.wav"):
    return Recording(rid, [AudioSource("file", [0], source)], 16000, num_samples, duration)


def test_recording_problems():
    recs = [_rec(num_samples=100), _rec("r"), _rec("z", source="/no/such.wav")]
    messages = [str(p) for p in validate_manifests(recordings=recs, check_files=True)]
    assert "recordings[r]: num_samples 100 does not match duration 2.0 s at 16000 Hz (expected 32000)" in messages
    assert "recordings[r]: duplicate id (first at item 0)" in messages
    assert "recordings[z]: audio file does not exist: /no/such.wav" in messages
    assert "recordings[r]: audio file does not exist: a.wav" in messages
    assert validate_manifests(recordings=[_rec(num_samples=100)], check_files=False) != []
    assert validate_manifests(recordings=[_rec()], check_files=False) == []


def test_supervision_problems_and_tolerance():
    recs = RecordingSet([_rec()])
    sups = [
        SupervisionSegment("a", "r", 1.0, 1.02),  # 20 ms past the end: within 25 ms tolerance
        SupervisionSegment("b", "r", 1.0, 1.5),
        SupervisionSegment("c", "r", 0.0, 1.0, channel=3),
        SupervisionSegment("d", "x", 0.0, 1.0),
    ]
    problems = validate_manifests(recordings=recs, supervisions=sups, check_files=False)
    assert [p.item_id for p in problems] == ["b", "c", "d"]
    strict = validate_manifests(recordings=recs, supervisions=sups[:1], check_files=False, tolerance=0.0)
    assert [p.item_id for p in strict] == ["a"]


def test_supervisions_alone_skip_cross_checks():
    assert validate_manifests(supervisions=[SupervisionSegment("d", "x", 0.0, 1.0)]) == []


def _feats(**kwargs):
    fields = dict(
        type="kaldi-fbank",
        num_frames=200,
        num_features=80,
        frame_shift=0.01,
        sampling_rate=16000,
        start=0.0,
        duration=2.0,
        storage_type="numpy_files",
        storage_path="/no/dir",
        storage_key="k.npy",
        recording_id="r",
        channels=0,
    )
    fields.update(kwargs)
    return Features(**fields)


def test_feature_problems():
    recs = [_rec()]
    feats = [
        _feats(num_frames=150),
        _feats(sampling_rate=8000, num_frames=200),
        _feats(duration=3.0, num_frames=300),
        _feats(recording_id="q"),
    ]
    problems = validate_manifests(recordings=recs, features=feats, check_files=False)
    text = "\n".join(map(str, problems))
    assert "num_frames 150 does not match duration 2.0" in text
    assert "sampling_rate 8000 differs from the recording's 16000" in text
    assert "span ends at 3.000 s" in text
    assert "recording 'q' is not in the recordings manifest" in text
    missing = validate_manifests(features=[_feats()], check_files=True)
    assert [p.message for p in missing] == ["feature storage does not exist: /no/dir/k.npy"]


def test_files_report_unreadable_items_with_location(tmp_path):
    path = tmp_path / "recs.jsonl"
    good = _rec(source=str(tmp_path / "a.wav")).to_dict()
    bad = dict(good, id="neg", duration=-1.0)
    path.write_text("\n".join(json.dumps(d) for d in (good, bad, dict(good, id="rate", sampling_rate="x"))) + "\n")
    problems = validate_manifest_files([path], check_files=False)
    assert [(p.manifest, p.item_id) for p in problems] == [("recordings", "neg"), ("recordings", "rate")]
    assert [p.where for p in problems] == [f"{path}:2", f"{path}:3"]
    assert str(problems[0]).startswith(f"{path}:2: recordings[neg]: cannot read the item")


def test_files_malformed_empty_and_unknown(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\n{oops\n')
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "odd.json").write_text('[{"foo": 1}]')
    problems = validate_manifest_files(
        [tmp_path / "bad.jsonl", tmp_path / "empty.jsonl", tmp_path / "odd.json", tmp_path / "missing.yaml"]
    )
    assert len(problems) == 4
    assert problems[0].where == f"{tmp_path / 'bad.jsonl'}:2" and "malformed JSON" in problems[0].message
    assert problems[1] == Problem(
        "file", str(tmp_path / "empty.jsonl"), "the manifest is empty; its type cannot be detected"
    )
    assert "cannot tell the manifest type" in problems[2].message
    assert "not found" in problems[3].message
    kind, items, found = read_items_reporting(tmp_path / "bad.jsonl")
    assert kind == "supervisions" and len(items) == 1 and len(found) == 1


def test_files_cross_check_types_and_duplicates_across_files(tmp_path):
    recs = RecordingSet([_rec()])
    recs.to_file(tmp_path / "recs.yaml")
    SupervisionSet([SupervisionSegment("a", "r", 0, 1)]).to_file(tmp_path / "s1.jsonl")
    SupervisionSet([SupervisionSegment("a", "r", 1, 1), SupervisionSegment("b", "zz", 0, 1)]).to_file(
        tmp_path / "s2.json"
    )
    problems = validate_manifest_files(
        [tmp_path / "recs.yaml", tmp_path / "s1.jsonl", tmp_path / "s2.json"], check_files=False
    )
    assert [str(p) for p in problems] == [
        f"{tmp_path / 's2.json'}[item 0]: supervisions[a]: duplicate id (first at {tmp_path / 's1.jsonl'}:1)",
        f"{tmp_path / 's2.json'}[item 1]: supervisions[b]: recording 'zz' is not in the recordings manifest",
    ]


def test_feature_set_of_fixture_is_consistent_with_recordings(compat):
    feats = FeatureSet.from_file("feats_lilcom_chunky.jsonl.gz")
    recs = RecordingSet.from_file("recordings.jsonl")
    assert validate_manifests(recordings=recs, features=feats) == []
