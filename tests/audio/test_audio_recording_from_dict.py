"""Recording.from_dict: the unchecked-store path for valid dicts builds exactly what the checked path builds."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from lhotse_lite.audio import recording as recording_module
from lhotse_lite.audio.recording import Recording

_channel = st.one_of(st.integers(-1, 3), st.just(True), st.just(1.0))
_source = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["file", "url", "command", "memory", "video"]),
        "channels": st.one_of(st.lists(_channel, max_size=3), st.tuples(st.integers(0, 2)), st.just("0")),
        "source": st.one_of(st.text(max_size=5), st.integers(), st.binary(max_size=3)),
    },
    optional={"extra": st.just(1)},
)
_number = st.one_of(
    st.integers(-2, 48000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(True),
    st.just("1.0"),
    st.just(16000.0),
)
_dicts = st.fixed_dictionaries(
    {
        "id": st.one_of(st.text(max_size=4), st.integers()),
        "sources": st.one_of(st.lists(_source, max_size=3), st.just({})),
        "sampling_rate": _number,
        "num_samples": _number,
        "duration": _number,
    },
    optional={
        "channel_ids": st.one_of(st.none(), st.lists(st.integers(0, 3), max_size=3), st.just((0,))),
        "transforms": st.one_of(st.none(), st.just([]), st.just([{"name": "Speed", "kwargs": {"factor": 1.1}}])),
        "custom": st.one_of(st.none(), st.just({"a": 1}), st.just([1])),
        "speaker": st.just("x"),
    },
)

_valid_source = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["file", "url", "command"]),
        "channels": st.lists(st.integers(0, 3), min_size=1, max_size=2, unique=True),
        "source": st.text(max_size=5),
    }
)
_valid = st.fixed_dictionaries(
    {
        "id": st.text(min_size=1, max_size=4),
        "sources": st.lists(_valid_source, min_size=1, max_size=2),
        "sampling_rate": st.integers(1, 48000),
        "num_samples": st.integers(0, 10**6),
        "duration": st.one_of(st.integers(0, 100), st.floats(0, 1e4)),
    },
    optional={
        "channel_ids": st.one_of(st.none(), st.permutations([0, 1]), st.just([0])),
        "transforms": st.one_of(st.none(), st.just([])),
        "custom": st.one_of(st.none(), st.just({"a": 1})),
    },
)


def _outcome(build, data):
    try:
        rec = build(data)
    except Exception as err:  # noqa: BLE001 - the outcome compared is the error, whatever it is
        return ("error", type(err), str(err))
    fields = (
        rec.id,
        rec.sources,
        rec.sampling_rate,
        rec.num_samples,
        rec.duration,
        rec.channel_ids,
        rec.transforms,
        rec.custom,
    )
    types = tuple(type(f) for f in fields) + tuple(type(c) for s in rec.sources for c in s.channels)
    return ("item", type(rec), rec.to_dict(), types, [type(s) for s in rec.sources])


def _checked(data):
    original = recording_module._from_valid_dict
    recording_module._from_valid_dict = lambda data: None
    try:
        return Recording.from_dict(data)
    finally:
        recording_module._from_valid_dict = original


@settings(max_examples=400, deadline=None)
@given(st.one_of(_valid, _dicts))
def test_from_dict_equals_the_checked_construction(data):
    """Valid dicts (most take the unchecked path) and anything else (which must not) give what the checked path
    gives: the same fields of the same types, or the same error."""
    assert _outcome(Recording.from_dict, data) == _outcome(_checked, data)


@pytest.mark.parametrize(
    "data",
    [
        {
            "id": "r",
            "sources": [{"type": "file", "channels": [1, 0], "source": "a.flac"}],
            "sampling_rate": 16000,
            "num_samples": 16000,
            "duration": 1,
            "channel_ids": [1, 0],
        },
        {
            "id": "r",
            "sources": [
                {"type": "url", "channels": [0], "source": "s3://b/a.flac"},
                {"type": "command", "channels": [2], "source": "sox a.wav -t wav - |"},
            ],
            "sampling_rate": 8000,
            "num_samples": 0,
            "duration": 0.0,
            "custom": {"room": "A"},
        },
    ],
)
def test_common_dicts_take_the_unchecked_path_and_match(data):
    assert recording_module._from_valid_dict(data) is not None
    fast, checked = Recording.from_dict(data), _checked(data)
    assert fast == checked and fast.to_dict() == checked.to_dict()
    assert isinstance(fast.duration, float) and fast.channel_ids == checked.channel_ids
    assert fast.sources[0].channels is not data["sources"][0]["channels"], "the input's lists are not shared"
    assert not math.isnan(fast.duration)
