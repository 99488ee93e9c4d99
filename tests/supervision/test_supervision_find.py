"""SupervisionSet.find: brute-force agreement, touching and zero-length intervals (Lhotse: tests/lhotse_parity)."""

from hypothesis import given, settings, strategies as st

from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def brute_force(
    segments, recording_id, channel=None, start_after=0, end_before=None, adjust_offset=False, tolerance=0.001
):
    """The definition of find, written as a plain filter over all segments."""
    out = []
    for s in segments:
        if s.recording_id != recording_id:
            continue
        if channel is not None:
            have = set(s.channel) if isinstance(s.channel, list) else {s.channel}
            want = set(channel) if isinstance(channel, list) else {channel}
            if not want <= have:
                continue
        if s.start < start_after - tolerance:
            continue
        if end_before is not None and s.end > end_before + tolerance:
            continue
        out.append(s.with_offset(-start_after) if adjust_offset else s)
    return out


times = st.floats(min_value=0, max_value=50, allow_nan=False).map(lambda x: round(x, 3))
segment_specs = st.lists(
    st.tuples(
        st.sampled_from(["r1", "r2"]),
        times,
        st.one_of(st.just(0.0), times),
        st.one_of(st.sampled_from([0, 1]), st.just([0, 1])),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    specs=segment_specs,
    start_after=times,
    length=st.one_of(st.none(), times),
    channel=st.one_of(st.none(), st.sampled_from([0, 1])),
    adjust=st.booleans(),
    tolerance=st.sampled_from([0.0, 0.001, 0.5]),
)
def test_find_equals_brute_force(specs, start_after, length, channel, adjust, tolerance):
    segments = [
        SupervisionSegment(f"s{k}", rec, start, dur, channel=ch) for k, (rec, start, dur, ch) in enumerate(specs)
    ]
    sups = SupervisionSet(segments)
    end_before = None if length is None else start_after + length
    for rec in ("r1", "r2", "missing"):
        got = list(
            sups.find(
                rec,
                channel=channel,
                start_after=start_after,
                end_before=end_before,
                adjust_offset=adjust,
                tolerance=tolerance,
            )
        )
        assert got == brute_force(segments, rec, channel, start_after, end_before, adjust, tolerance)


def test_touching_and_zero_length_intervals():
    segs = [
        SupervisionSegment("a", "r", 0.0, 1.0),
        SupervisionSegment("b", "r", 1.0, 1.0),
        SupervisionSegment("z", "r", 1.0, 0.0),
        SupervisionSegment("c", "r", 2.0, 1.0),
    ]
    sups = SupervisionSet(segs)
    ids = lambda **kw: [s.id for s in sups.find("r", **kw)]  # noqa: E731
    assert ids(start_after=1.0, end_before=2.0) == ["b", "z"]  # touching both ends are inside
    assert ids(start_after=1.0, end_before=1.0) == ["z"]  # a zero-length window holds a zero-length segment
    assert ids(start_after=1.0005, end_before=2.0) == ["b", "z"]  # within the tolerance
    assert ids(start_after=1.002, end_before=2.0) == []
    assert ids(start_after=0.0, end_before=0.998) == []
    assert ids(start_after=0.0, end_before=0.9995) == ["a", "z"]  # end 1.0 is within the tolerance
    assert ids(tolerance=0.0, start_after=1.0, end_before=1.9999) == ["z"]
    assert ids() == ["a", "b", "z", "c"]


def test_channels_and_adjust_offset():
    sups = SupervisionSet(
        [
            SupervisionSegment("a", "r", 1.0, 1.0, channel=0),
            SupervisionSegment("b", "r", 1.5, 1.0, channel=[0, 1]),
            SupervisionSegment("c", "r", 2.0, 1.0, channel=1),
        ]
    )
    assert [s.id for s in sups.find("r", channel=1)] == ["b", "c"]
    assert [s.id for s in sups.find("r", channel=0)] == ["a", "b"]
    assert [s.id for s in sups.find("r", channel=[0, 1])] == ["b"]
    shifted = list(sups.find("r", start_after=1.5, adjust_offset=True))
    assert [(s.id, s.start, s.duration) for s in shifted] == [("b", 0.0, 1.0), ("c", 0.5, 1.0)]
    assert sups["b"].start == 1.5  # the set is unchanged


def test_results_keep_set_order_when_not_sorted_by_start():
    sups = SupervisionSet([SupervisionSegment("late", "r", 5.0, 1.0), SupervisionSegment("early", "r", 1.0, 1.0)])
    assert [s.id for s in sups.find("r")] == ["late", "early"]


def test_find_on_lazy_set_reads_it_once(tmp_path):
    # As in Lhotse, find() works on a lazy set: the first call reads the stream and keeps the index.
    SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0)]).to_file(tmp_path / "s.jsonl")
    lazy = SupervisionSet.from_jsonl_lazy(tmp_path / "s.jsonl")
    assert [s.id for s in lazy.find("r")] == ["a"]
    (tmp_path / "s.jsonl").unlink()
    assert [s.id for s in lazy.find("r", end_before=2.0)] == ["a"]
