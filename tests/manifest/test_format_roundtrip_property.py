"""Property: any valid item written to any format reads back equal (JSONL, JSONL.gz, JSON, JSON.gz, YAML, RTTM, CTM)."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.manifest import load_manifest
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment, SupervisionSet
from lhotse_lite.supervision.ctm import read_ctm
from lhotse_lite.supervision.rttm import read_rttm, write_rttm

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = ["jsonl", "jsonl.gz", "json", "json.gz", "yaml"]

finite = st.floats(allow_nan=False, allow_infinity=False)
seconds = st.floats(min_value=0, max_value=1e7, allow_nan=False)
text = st.text(max_size=12)
word = st.text(st.characters(blacklist_categories=("Cs", "Z", "Cc")), min_size=1, max_size=8)  # no whitespace
int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
json_value = st.recursive(
    st.none() | st.booleans() | int64 | finite | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
alignment_items = st.lists(st.builds(AlignmentItem, word, finite, seconds, st.none() | finite), max_size=3)

segments = st.builds(
    SupervisionSegment,
    id=text,
    recording_id=text,
    start=finite,
    duration=seconds,
    channel=st.integers(0, 7) | st.lists(st.integers(0, 7), min_size=1, max_size=3),
    text=st.none() | text,
    language=st.none() | text,
    speaker=st.none() | text,
    gender=st.none() | text,
    custom=st.none() | st.dictionaries(text, json_value, max_size=3),
    alignment=st.none() | st.dictionaries(st.sampled_from(["word", "phone"]), alignment_items, max_size=2),
)


@st.composite
def recordings(draw):
    channels = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True))
    return Recording(
        id=draw(text.filter(bool)),
        sources=[AudioSource("file", channels, draw(text))],
        sampling_rate=draw(st.integers(1, 96000)),
        num_samples=draw(st.integers(0, 2**40)),
        duration=draw(seconds),
        custom=draw(st.none() | st.dictionaries(text, json_value, max_size=2)),
    )


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


@SETTINGS
@given(st.lists(segments, min_size=1, max_size=4), st.sampled_from(FORMATS))
def test_supervisions_read_back_equal(items, fmt):
    sups = SupervisionSet(_unique(items))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sups.{fmt}"
        sups.to_file(path)
        assert list(load_manifest(path)) == list(sups)


@SETTINGS
@given(st.lists(recordings(), min_size=1, max_size=3), st.sampled_from(FORMATS))
def test_recordings_read_back_equal(items, fmt):
    recs = RecordingSet(_unique(items))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"recs.{fmt}"
        recs.to_file(path)
        assert list(load_manifest(path)) == list(recs)


@SETTINGS
@given(st.lists(st.tuples(word, st.integers(0, 9), finite, seconds.filter(bool), word), max_size=5))
def test_rttm_reads_back_equal(turns):
    segs = [
        SupervisionSegment(f"{rec}-{idx:06d}", rec, start, duration, channel=channel, speaker=speaker)
        for idx, (rec, channel, start, duration, speaker) in enumerate(turns)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.rttm"
        write_rttm(segs, path)
        assert list(read_rttm(path)) == _renumbered(segs)


def _renumbered(segs):  # a read segment's id is its recording and its line index
    return [
        SupervisionSegment(
            f"{s.recording_id}-{i:06d}", s.recording_id, s.start, s.duration, channel=s.channel, speaker=s.speaker
        )
        for i, s in enumerate(segs)
    ]


hundredths = st.integers(0, 10**7).map(lambda k: k / 100)


@SETTINGS
@given(st.lists(st.tuples(word, st.integers(0, 9), hundredths, hundredths, st.none() | hundredths), max_size=6))
def test_ctm_reads_back_equal(words):
    # CTM keeps two decimals (Lhotse's layout), so the property holds for times and scores in hundredths
    segs = [
        SupervisionSegment(
            f"s{i}",
            "rec1",
            0.0,
            1.0,
            channel=channel,
            alignment={"word": [AlignmentItem(symbol, start, duration, score)]},
        )
        for i, (symbol, channel, start, duration, score) in enumerate(words)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.ctm"
        SupervisionSet(segs).write_alignment_to_ctm(path)
        got = [(w.recording_id, w.channel, w.item) for w in read_ctm(path)]
        assert got == [("rec1", s.channel, s.alignment["word"][0]) for s in segs]


features = st.builds(
    Features,
    type=word,
    num_frames=st.integers(0, 10**6),
    num_features=st.integers(1, 1024),
    frame_shift=st.floats(min_value=1e-4, max_value=1.0),
    sampling_rate=st.integers(1, 96000),
    start=finite,
    duration=seconds,
    storage_type=st.just("numpy_files"),
    storage_path=text,
    storage_key=text,
    recording_id=text,
    channels=st.integers(0, 3),
)


@SETTINGS
@given(
    st.lists(features, min_size=1, max_size=3, unique_by=lambda f: (f.recording_id, f.channels, f.start, f.duration)),
    st.sampled_from(FORMATS),
)
def test_features_read_back_equal(items, fmt):
    feats = FeatureSet(items)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"feats.{fmt}"
        feats.to_file(path)
        assert list(load_manifest(path)) == list(feats)
