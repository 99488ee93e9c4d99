"""SupervisionSet methods beyond the generic set: constructors, transforms, split/subset, RTTM, CTM."""

import pytest

from lhotse_lite.errors import DuplicateIdError, ManifestFieldError, ManifestFormatError
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment, SupervisionSet

RTTM = """SPEAKER CMU_20020319-1400_d01_NONE 1 130.430000 2.350 <NA> <NA> juliet <NA> <NA>
SPEAKER CMU_20020319-1400_d01_NONE 1 157.610000 3.060 <NA> <NA> tbc <NA> <NA>
SPEAKER CMU_20020319-1400_d01_NONE 1 130.490000 0.000 <NA> <NA> chek <NA> <NA>
SPEAKER other 2 1.5 0.45 <NA> <NA> chek <NA> <NA>
"""

CTM = """rec1 0 0.10 0.40 hello 0.91
rec1 0 0.50 0.40 world
rec1 1 2.10 0.30 again 0.50
rec1 0 5.00 0.30 outside
rec2 0 0.00 0.50 other
"""


def sups3():
    return SupervisionSet.from_segments(
        [
            SupervisionSegment("a", "rec1", 0.0, 1.0, text="Hello World", channel=0),
            SupervisionSegment("b", "rec1", 2.0, 1.0, text="Again", channel=1),
            SupervisionSegment("c", "rec3", 0.0, 1.0),
        ]
    )


def test_constructors():
    segs = list(sups3())
    assert SupervisionSet.from_segments(segs) == SupervisionSet.from_items(segs) == SupervisionSet(segs)
    assert SupervisionSet.from_dicts(s.to_dict() for s in segs) == sups3()
    assert list(sups3().to_dicts()) == [s.to_dict() for s in segs]
    assert dict(sups3().segments)["a"] is sups3()["a"] or dict(sups3().segments)["a"] == sups3()["a"]
    with pytest.raises(ManifestFieldError, match="item 1"):
        SupervisionSet.from_dicts([segs[0].to_dict(), {"id": "x"}])


def test_transforms_eager_and_lazy(tmp_path):
    eager = sups3().with_alignment_from_ctm(_write(tmp_path / "a.ctm", CTM))
    eager.to_file(tmp_path / "s.jsonl.gz")
    lazy = SupervisionSet.from_jsonl_lazy(tmp_path / "s.jsonl.gz")
    for s in (eager, lazy):
        t = s.transform_text(str.upper)
        assert t.is_lazy == s.is_lazy and [x.text for x in t] == ["HELLO WORLD", "AGAIN", None]
        a = s.transform_alignment(str.upper)
        assert [i.symbol for i in a.to_eager()["a"].alignment["word"]] == ["HELLO", "WORLD"]
    assert eager["a"].text == "Hello World"


def test_split_and_subset_return_supervision_sets():
    parts = sups3().split(2)
    assert all(isinstance(p, SupervisionSet) for p in parts) and [len(p) for p in parts] == [2, 1]
    assert isinstance(sups3().subset(first=1), SupervisionSet)
    assert [s.id for s in sups3().subset(last=1)] == ["c"]


def _write(path, text):
    path.write_text(text)
    return path


def test_rttm_round_trip(tmp_path):
    sups = SupervisionSet.from_rttm(_write(tmp_path / "a.rttm", RTTM))
    sups.write_rttm(tmp_path / "out.rttm")
    again = SupervisionSet.from_rttm(tmp_path / "out.rttm")
    assert [(s.recording_id, s.channel, s.start, s.duration, s.speaker) for s in again] == [
        (s.recording_id, s.channel, s.start, s.duration, s.speaker) for s in sups
    ]


@pytest.mark.parametrize(
    "line,err,match",
    [
        ("SPEAKER rec 1 0.5 1.0 <NA> <NA> spk <NA>\n", ManifestFormatError, r"x.rttm:2: an RTTM line has 10 fields"),
        ("SPEAKER rec 1 zero 1.0 <NA> <NA> spk <NA> <NA>\n", ManifestFormatError, r"x.rttm:2: .*numbers"),
        ("SPEAKER rec one 0.5 1.0 <NA> <NA> spk <NA> <NA>\n", ManifestFormatError, r"x.rttm:2"),
        ("SPEAKER rec 1 0.5 -1.0 <NA> <NA> spk <NA> <NA>\n", ManifestFieldError, r"x.rttm:2: .*duration must be >= 0"),
    ],
)
def test_rttm_bad_lines(tmp_path, line, err, match):
    path = _write(tmp_path / "x.rttm", "SPEAKER rec 1 0 1 <NA> <NA> s <NA> <NA>\n" + line)
    with pytest.raises(err, match=match):
        SupervisionSet.from_rttm(path)


def test_rttm_duplicate_ids_across_files(tmp_path):
    path = _write(tmp_path / "a.rttm", RTTM)
    with pytest.raises(DuplicateIdError):
        SupervisionSet.from_rttm([path, path])


def test_ctm_keeps_other_alignment_kinds(tmp_path):
    seg = SupervisionSegment("a", "rec1", 0.0, 1.0).with_alignment("phone", [AlignmentItem("h", 0.1, 0.1)])
    out = SupervisionSet([seg]).with_alignment_from_ctm(_write(tmp_path / "a.ctm", CTM), verbose=True)
    assert set(out["a"].alignment) == {"phone", "word"}


@pytest.mark.parametrize(
    "line,match",
    [
        ("rec1 0 0.1 0.2\n", r"x.ctm:2: a CTM line has 5 or 6 fields"),
        ("rec1 0 0.1 0.2 w 0.5 extra\n", r"x.ctm:2: a CTM line has 5 or 6 fields"),
        ("rec1 0 start 0.2 w\n", r"x.ctm:2: CTM channel must be an integer"),
        ("rec1 A 0.1 0.2 w\n", r"x.ctm:2"),
        ("rec1 0 0.1 0.2 w high\n", r"x.ctm:2"),
        ("rec1 0 0.1 -0.2 w\n", r"x.ctm:2: negative"),
    ],
)
def test_ctm_bad_lines(tmp_path, line, match):
    path = _write(tmp_path / "x.ctm", "rec1 0 0.0 0.1 ok\n" + line)
    with pytest.raises(ManifestFormatError, match=match):
        sups3().with_alignment_from_ctm(path)


@pytest.mark.parametrize(
    "bad,match",
    [
        ('"start": "abc"', r"bad.jsonl:2: supervision 's2': field 'start' must be a number"),
        ('"start": 1.0, "duration": -2.0', r"bad.jsonl:2: supervision 's2': duration must be >= 0"),
        ('"start": 1.0, "duration": 1.0, "channel": "left"', r"bad.jsonl:2: .*'channel'"),
    ],
)
def test_bad_supervision_files_name_file_and_line(tmp_path, bad, match):
    lines = [
        '{"id": "s1", "recording_id": "r", "start": 0.0, "duration": 1.0}',
        '{"id": "s2", "recording_id": "r", ' + bad + (', "duration": 1.0}' if "duration" not in bad else "}"),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ManifestFieldError, match=match):
        SupervisionSet.from_file(path)
    with pytest.raises(ManifestFieldError, match=match):
        list(SupervisionSet.from_jsonl_lazy(path))


def test_missing_field_in_file(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "s1", "recording_id": "r", "start": 0.0}\n')
    with pytest.raises(ManifestFieldError, match=r"bad.jsonl:1: .*missing required field\(s\) \['duration'\]"):
        SupervisionSet.from_file(path)


def test_ctm_on_lazy_set_stays_lazy(tmp_path):
    sups3().to_file(tmp_path / "s.jsonl.gz")
    lazy = SupervisionSet.from_jsonl_lazy(tmp_path / "s.jsonl.gz")
    out = lazy.with_alignment_from_ctm(_write(tmp_path / "a.ctm", CTM))
    assert out.is_lazy
    assert out.to_eager() == sups3().with_alignment_from_ctm(tmp_path / "a.ctm")
