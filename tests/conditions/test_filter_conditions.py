"""Filter conditions: parsing, operators, lists, missing fields, no code evaluation."""

import pytest

from lhotse_lite.conditions import Condition, make_predicate, manifest_fields, parse_condition
from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.supervision import SupervisionSegment

ITEM = {
    "id": "u1",
    "duration": 2.5,
    "speaker": "007",
    "channel": [0, 1],
    "text": "HELLO there",
    "custom": {"snr": 12.5, "emotion": "calm"},
}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("duration=2.5", True),
        ("duration==2.50", True),
        ("duration!=2.5", False),
        ("duration<3", True),
        ("duration<=2.5", True),
        ("duration>2.5", False),
        ("duration>=2.5", True),
        ("speaker=007", True),
        ("speaker=7", False),  # text fields compare as text
        ("speaker<01", True),  # as text: "007" < "01" ('0' == '0', then '0' < '1')
        ("channel=1", True),
        ("channel=2", False),
        ("channel!=2", True),
        ("channel!=1", False),
        ("text~^HELLO", True),
        ("text~^hello", False),
        ("text!~there$", False),
        ("custom.snr>10", True),
        ("custom.emotion=calm", True),
        ("custom.missing=x", False),
        ("custom.missing!=x", True),
        ("language=en", False),
        ("language!~en", True),
        ("id = u1", True),
    ],
)
def test_operators(expression, expected):
    assert parse_condition(expression).matches(ITEM) is expected


def test_items_and_dicts_both_work():
    seg = SupervisionSegment("s", "r", 0.0, 1.0, speaker="a", custom={"snr": 3})
    assert make_predicate(["custom.snr<5"], speakers=["a"])(seg)
    assert not make_predicate(min_duration=1.5)(seg)
    assert make_predicate(recording_ids=["r"])(seg)


def test_recording_id_for_recordings_is_their_id():
    assert make_predicate(recording_ids=["rec"])({"id": "rec", "sources": [], "duration": 1.0})
    assert not make_predicate(recording_ids=["rec"])({"id": "x", "sources": [], "duration": 1.0})


@pytest.mark.parametrize("expression", ["", "duration", "=3", "1abc=2", "__import__('os').system('x')", "text~("])
def test_malformed_expressions_raise(expression):
    with pytest.raises(ManifestFieldError):
        parse_condition(expression)


def test_value_is_taken_literally():
    cond = parse_condition("text=a = b")
    assert cond == Condition("text", "=", "a = b")
    assert cond.matches({"text": "a = b"})


def test_unknown_fields_are_errors_naming_the_known_ones():
    from lhotse_lite.supervision import SupervisionSet

    known = manifest_fields(SupervisionSet([SupervisionSegment("s1", "r1", 0.0, 1.0, custom={"snr": 3})]))
    with pytest.raises(ManifestFieldError, match=r"no field 'speker'; did you mean 'speaker'\? Their fields: id, "):
        make_predicate(["speker=spk1"], known_fields=known)
    with pytest.raises(ManifestFieldError, match=r"no field 'zzz'\. Their fields"):
        make_predicate(["zzz.a>1"], known_fields=known)
    keep = make_predicate(["custom.snr>1", "speaker!=x"], known_fields=known)  # nested and absent-but-known
    assert keep(SupervisionSegment("s1", "r1", 0.0, 1.0, custom={"snr": 3}))
    assert make_predicate(["anything=1"])({"anything": 1})  # no known_fields: any field


def test_manifest_fields_adds_keys_of_the_first_item():
    assert manifest_fields([{"id": "a", "extra": 1}]) == ["id", "extra"]
    assert manifest_fields([]) == []
