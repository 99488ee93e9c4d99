"""SupervisionSegment and AlignmentItem: values, Lhotse's arithmetic, dict layout, field errors."""

import pytest

from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment

lhotse = pytest.importorskip("lhotse")


def full_segment():
    return SupervisionSegment(
        id="s1", recording_id="r1", start=0.1234, duration=2.3456, channel=[0, 1], text="Hello World",
        language="English", speaker="spk", gender="F", custom={"emotion": "happy", "snr": 3.5},
        alignment={"word": [AlignmentItem("Hello", 0.2, 0.5, 0.9), AlignmentItem("World", 0.8, 1.6)]})


def to_lhotse(seg):
    return lhotse.SupervisionSegment.from_dict(seg.to_dict())


def test_to_dict_matches_lhotse_layout():
    seg = full_segment()
    ref = to_lhotse(seg).to_dict()
    assert seg.to_dict() == ref and list(seg.to_dict()) == list(ref)
    minimal = SupervisionSegment("s", "r", 0.5, 5.0)
    assert minimal.to_dict() == {"id": "s", "recording_id": "r", "start": 0.5, "duration": 5.0, "channel": 0}


def test_dict_round_trip_and_input_not_mutated():
    d = full_segment().to_dict()
    snapshot = repr(d)
    seg = SupervisionSegment.from_dict(d)
    assert repr(d) == snapshot
    assert seg == full_segment() and seg.to_dict() == d


@pytest.mark.parametrize("factor", [0.9, 1.1, 1.5])
def test_perturbations_match_lhotse(factor):
    ours, ref = full_segment(), to_lhotse(full_segment())
    for name, args in [("perturb_speed", (factor, 16000)), ("perturb_tempo", (factor, 16000)),
                       ("perturb_volume", (factor,))]:
        assert getattr(ours, name)(*args).to_dict() == getattr(ref, name)(*args).to_dict(), name
        assert getattr(ours, name)(*args, affix_id=False).to_dict() == \
            getattr(ref, name)(*args, affix_id=False).to_dict(), name
    assert ours.reverb_rir().to_dict() == ref.reverb_rir().to_dict()
    assert ours.reverb_rir(affix_id=False, channel=1).to_dict() == ref.reverb_rir(affix_id=False, channel=1).to_dict()


@pytest.mark.parametrize("end,start", [(1.0, 0), (10.0, 0), (2.0, 0.5), (0.5, 0.2)])
def test_trim_and_offset_match_lhotse(end, start):
    for seg in (full_segment(), SupervisionSegment("s", "r", -0.3, 1.7)):
        ref = to_lhotse(seg)
        assert seg.trim(end, start=start).to_dict() == ref.trim(end, start=start).to_dict()
        assert seg.with_offset(-0.07).to_dict() == ref.with_offset(-0.07).to_dict()
        assert seg.end == ref.end


def test_alignment_item_matches_lhotse():
    ref_cls = lhotse.supervision.AlignmentItem
    for item in [AlignmentItem("a", 0.123, 0.456, 0.7), AlignmentItem("b", 1.0, 0.3)]:
        ref = ref_cls(*item)
        assert item.serialize() == ref.serialize() and item.end == ref.end
        assert tuple(item.with_offset(0.3333)) == tuple(ref.with_offset(0.3333))
        assert tuple(item.perturb_speed(1.1, 16000)) == tuple(ref.perturb_speed(1.1, 16000))
        assert tuple(item.trim(0.5, 0.2)) == tuple(ref.trim(0.5, 0.2))
        assert tuple(item.transform(str.upper)) == tuple(ref.transform(str.upper))


def test_methods_return_new_objects():
    seg = full_segment()
    before = seg.to_dict()
    seg.with_alignment("phone", [AlignmentItem("p", 0.2, 0.1)])
    seg.transform_text(str.lower)
    seg.transform_alignment(str.lower)
    seg.trim(1.0)
    seg.perturb_speed(1.1, 16000)
    assert seg.to_dict() == before
    assert seg.with_alignment("phone", []).alignment.keys() == {"word", "phone"}
    assert seg.transform_text(str.lower).text == "hello world"
    assert [a.symbol for a in seg.transform_alignment(str.lower).alignment["word"]] == ["hello", "world"]
    assert SupervisionSegment("s", "r", 0, 1).transform_text(str.lower).text is None
    assert seg.map(lambda s: s.with_offset(1.0)).start == 1.1234


def test_custom_fields_read_as_attributes():
    seg = full_segment()
    assert seg.emotion == "happy" and seg.snr == 3.5
    with pytest.raises(AttributeError):
        _ = seg.nonexistent


@pytest.mark.parametrize("patch,match", [
    ({"duration": -1.0}, "duration must be >= 0"),
    ({"start": "0.5"}, "'start' must be a number"),
    ({"duration": None}, "'duration' must be a number"),
    ({"channel": "0"}, "'channel'"),
    ({"channel": [0, "1"]}, "'channel'"),
    ({"text": 5}, "'text'"),
    ({"id": 7}, "id"),
    ({"custom": [1]}, "'custom'"),
    ({"alignment": [1]}, "alignment"),
    ({"alignment": {"word": [["a", "x", 1.0]]}}, "numbers"),
    ({"alignment": {"word": [["a", 1.0]]}}, r"\[symbol, start, duration"),
    ({"colour": "red"}, "unknown field"),
])
def test_bad_fields(patch, match):
    d = {"id": "s", "recording_id": "r", "start": 0.0, "duration": 1.0}
    d.update(patch)
    with pytest.raises(ManifestFieldError, match=match):
        SupervisionSegment.from_dict(d)


def test_missing_field():
    with pytest.raises(ManifestFieldError, match=r"missing required field\(s\) \['duration'\]"):
        SupervisionSegment.from_dict({"id": "s", "recording_id": "r", "start": 0.0})


def test_old_dict_alignment_form():
    seg = SupervisionSegment.from_dict({"id": "s", "recording_id": "r", "start": 0.0, "duration": 1.0,
                                        "alignment": {"word": [{"symbol": "a", "start": 0.0, "duration": 0.5}]}})
    assert seg.alignment["word"][0] == AlignmentItem("a", 0.0, 0.5)


def test_from_dict_fast_path_builds_ordinary_segments():
    d = {"id": "s", "recording_id": "r", "start": 1, "duration": 2.5, "channel": 1, "text": "t",
         "speaker": "spk", "custom": {"mood": "ok"}}
    seg = SupervisionSegment.from_dict(d)
    assert seg == SupervisionSegment(**d) and seg.mood == "ok"
    assert seg.with_offset(1.0).start == 2.0 and seg.start == 1
    assert seg.to_dict() == d
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(seg)) == seg and copy.deepcopy(seg) == seg
