"""SupervisionSegment and AlignmentItem: values, Lhotse's arithmetic, dict layout, field errors.

These run without Lhotse; the expected values are the ones Lhotse 1.33 gives (compared live in
tests/lhotse_parity/test_parity_supervision_segment.py).
"""

import copy
import dataclasses
import pickle

import pytest

from lhotse_lite.errors import (
    FieldNameError,
    ManifestArgumentError,
    ManifestFieldError,
    UnknownAttributeError,
)
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment
from lhotse_lite.utils import fastcopy


def full_segment():
    return SupervisionSegment(
        id="s1",
        recording_id="r1",
        start=0.1234,
        duration=2.3456,
        channel=[0, 1],
        text="Hello World",
        language="English",
        speaker="spk",
        gender="F",
        custom={"emotion": "happy", "snr": 3.5},
        alignment={"word": [AlignmentItem("Hello", 0.2, 0.5, 0.9), AlignmentItem("World", 0.8, 1.6)]},
    )


def test_dict_round_trip_and_input_not_mutated():
    d = full_segment().to_dict()
    snapshot = repr(d)
    seg = SupervisionSegment.from_dict(d)
    assert repr(d) == snapshot
    assert seg == full_segment() and seg.to_dict() == d


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


@pytest.mark.parametrize(
    "patch,match",
    [
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
    ],
)
def test_bad_fields(patch, match):
    d = {"id": "s", "recording_id": "r", "start": 0.0, "duration": 1.0}
    d.update(patch)
    with pytest.raises(ManifestFieldError, match=match):
        SupervisionSegment.from_dict(d)


def test_missing_field():
    with pytest.raises(ManifestFieldError, match=r"missing required field\(s\) \['duration'\]"):
        SupervisionSegment.from_dict({"id": "s", "recording_id": "r", "start": 0.0})


def test_old_dict_alignment_form():
    seg = SupervisionSegment.from_dict(
        {
            "id": "s",
            "recording_id": "r",
            "start": 0.0,
            "duration": 1.0,
            "alignment": {"word": [{"symbol": "a", "start": 0.0, "duration": 0.5}]},
        }
    )
    assert seg.alignment["word"][0] == AlignmentItem("a", 0.0, 0.5)


def test_from_dict_fast_path_builds_ordinary_segments():
    d = {
        "id": "s",
        "recording_id": "r",
        "start": 1,
        "duration": 2.5,
        "channel": 1,
        "text": "t",
        "speaker": "spk",
        "custom": {"mood": "ok"},
    }
    seg = SupervisionSegment.from_dict(d)
    assert seg == SupervisionSegment(**d) and seg.mood == "ok"
    assert seg.with_offset(1.0).start == 2.0 and seg.start == 1
    assert seg.to_dict() == d
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(seg)) == seg and copy.deepcopy(seg) == seg


def test_to_dict_layout():
    assert list(full_segment().to_dict()) == [
        "id",
        "recording_id",
        "start",
        "duration",
        "channel",
        "text",
        "language",
        "speaker",
        "gender",
        "custom",
        "alignment",
    ]
    assert full_segment().to_dict()["alignment"] == {"word": [["Hello", 0.2, 0.5, 0.9], ["World", 0.8, 1.6, None]]}
    minimal = SupervisionSegment("s", "r", 0.5, 5.0)
    assert minimal.to_dict() == {"id": "s", "recording_id": "r", "start": 0.5, "duration": 5.0, "channel": 0}


@pytest.mark.parametrize(
    "factor,start,duration,words",
    [
        (0.9, 0.1370625, 2.60625, [("Hello", 0.22225, 0.5555625, 0.9), ("World", 0.888875, 1.77775, None)]),
        (1.1, 0.1121875, 2.132375, [("Hello", 0.1818125, 0.4545625, 0.9), ("World", 0.72725, 1.4545625, None)]),
    ],
)
def test_perturb_speed_values(factor, start, duration, words):
    seg = full_segment().perturb_speed(factor, 16000)
    assert (seg.id, seg.recording_id) == (f"s1_sp{factor}", f"r1_sp{factor}")
    assert (seg.start, seg.duration) == (start, duration)
    assert [tuple(a) for a in seg.alignment["word"]] == words


def test_perturb_tempo_volume_and_reverb_values():
    tempo = full_segment().perturb_tempo(1.1, 16000)
    assert (tempo.id, tempo.start, tempo.duration) == ("s1_tp1.1", 0.1121875, 2.132375)
    volume = full_segment().perturb_volume(1.5)
    assert (volume.id, volume.recording_id, volume.start) == ("s1_vp1.5", "r1_vp1.5", 0.1234)
    assert full_segment().reverb_rir(affix_id=False, channel=1).channel == 1
    assert full_segment().reverb_rir().id == "s1_rvb"


@pytest.mark.parametrize(
    "end,start,new_start,new_duration,words",
    [
        (1.0, 0, 0.1234, 0.8766041666666666, [("Hello", 0.2, 0.5, None), ("World", 0.8, 0.2, None)]),
        (2.0, 0.5, 0.5, 1.5, [("Hello", 0.5, 0.2, None), ("World", 0.8, 1.2, None)]),
        (0.5, 0.2, 0.2, 0.3, [("Hello", 0.2, 0.3, None), ("World", 0.8, -0.3, None)]),
    ],
)
def test_trim_values(end, start, new_start, new_duration, words):
    seg = full_segment().trim(end, start=start)
    assert (seg.start, seg.duration) == (new_start, new_duration)
    assert [tuple(a) for a in seg.alignment["word"]] == words


def test_offset_end_and_trim_of_a_negative_start():
    assert full_segment().with_offset(-0.07).start == 0.0534 and full_segment().end == 2.469
    seg = SupervisionSegment("s", "r", -0.3, 1.7)
    assert (seg.trim(1.0).start, seg.trim(1.0).duration) == (0, 1.0)
    assert (seg.trim(2.0, start=0.5).start, seg.trim(2.0, start=0.5).duration) == (0.5, 0.9)
    with pytest.raises(ManifestArgumentError, match="trim start must be >= 0"):
        seg.trim(1.0, start=-0.5)
    with pytest.raises(AssertionError):  # what Lhotse raises
        seg.trim(1.0, start=-0.5)


def test_alignment_item_values():
    item = AlignmentItem("a", 0.123, 0.456, 0.7)
    assert item.end == 0.579 and item.serialize() == ["a", 0.123, 0.456, 0.7]
    assert tuple(item.with_offset(0.3333)) == ("a", 0.45629166666666665, 0.456, 0.7)
    assert tuple(item.perturb_speed(1.1, 16000)) == ("a", 0.1118125, 0.4145625, 0.7)
    assert tuple(item.trim(0.5, 0.2)) == ("a", 0.2, 0.3, None)
    assert tuple(item.transform(str.upper)) == ("A", 0.123, 0.456, 0.7)
    with pytest.raises(ManifestArgumentError):
        item.trim(0.5, start=-1)
    with pytest.raises(FieldNameError):
        AlignmentItem.deserialize(["a", 0.0])


# ---- the dataclass mechanics (lhotse_lite/manifest/items.py) ------------------------------------------


def test_fields_are_assignable_and_copies_are_independent():
    seg = full_segment()
    copied = fastcopy(seg, text="copy")
    replaced = dataclasses.replace(seg, speaker="other")
    seg.text = "changed"
    seg.start = 5.0
    assert (seg.text, seg.start, seg.end) == ("changed", 5.0, 7.3456)
    assert copied.text == "copy" and replaced.text == "Hello World" and replaced.speaker == "other"
    assert copied.start == replaced.start == 0.1234
    assert type(seg) is type(copied) is SupervisionSegment


def test_unknown_attributes_live_in_custom():
    seg = SupervisionSegment("s", "r", 0.0, 1.0)
    seg.emotion = "happy"
    assert seg.custom == {"emotion": "happy"} and seg.emotion == "happy"
    shared = seg.custom
    seg.snr = 2.0
    assert shared == {"emotion": "happy"}  # the dict is replaced, not changed in place
    back = SupervisionSegment.from_dict(seg.to_dict())
    assert back.snr == 2.0 and back.emotion == "happy" and back == seg
    seg.snr = None
    assert seg.custom == {"emotion": "happy"} and not hasattr(seg, "snr")
    del seg.emotion
    assert seg.custom == {} and seg.to_dict()["custom"] == {}
    with pytest.raises(UnknownAttributeError, match="no custom field 'emotion' to delete"):
        del seg.emotion
    with pytest.raises(UnknownAttributeError, match="cannot delete the field 'text'"):
        del seg.text
    seg.none_on_empty = None  # None on a field that is not there changes nothing
    assert seg.custom == {}


def test_missing_attribute_error_names_the_segment():
    seg = full_segment()
    with pytest.raises(AttributeError, match="'s1' has no field or custom field 'nope'; its custom fields are"):
        _ = seg.nope
    assert not hasattr(SupervisionSegment("s", "r", 0.0, 1.0), "nope")


def test_construction_is_validated_assignment_is_not():
    with pytest.raises(ManifestFieldError, match="duration must be >= 0"):
        SupervisionSegment("s", "r", 0.0, -1.0)
    seg = SupervisionSegment("s", "r", 0.0, 1.0)
    seg.duration = -1.0  # not checked on assignment (as in Lhotse) ...
    with pytest.raises(ManifestFieldError):  # ... but again when a copy is built or the dict is read
        fastcopy(seg)
    with pytest.raises(ManifestFieldError):
        SupervisionSegment.from_dict(seg.to_dict())


def test_pickle_and_deepcopy_keep_custom_fields():
    seg = full_segment()
    seg.extra = [1, 2]
    for again in (pickle.loads(pickle.dumps(seg)), copy.deepcopy(seg), copy.copy(seg)):
        assert again == seg and type(again) is SupervisionSegment and again.extra == [1, 2]
    assert copy.deepcopy(seg).custom is not seg.custom
