"""Manifest items as mutable dataclasses (lhotse_lite/manifest/items.py) and the indexes of their sets."""

import copy
import dataclasses
import pickle

import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import DuplicateIdError, ManifestFieldError, UnknownAttributeError, UnknownIdError
from lhotse_lite.features import Features, FeatureSet
from lhotse_lite.manifest.items import fastcopy
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment, SupervisionSet


def recording(rid="r1"):
    return Recording(rid, [AudioSource("file", [0], f"{rid}.wav")], 16000, 16000, 1.0)


def feature(rec="r1", start=0.0):
    return Features(
        "kaldi-fbank", 100, 80, 0.01, 16000, start, 1.0, "lilcom_chunky", "f.lca", "0", recording_id=rec, channels=0
    )


def test_recording_custom_attributes_round_trip():
    rec = recording()
    rec.room = "A"
    assert rec.custom == {"room": "A"} and rec.room == "A"
    assert rec.to_dict()["custom"] == {"room": "A"}
    back = Recording.from_dict(rec.to_dict())
    assert back == rec and back.room == "A"
    assert "custom" not in recording().to_dict()  # Lhotse 1.33 can read recordings without it
    with pytest.raises(ManifestFieldError, match="'custom' to be a dict"):
        Recording("r", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0, custom=[1])


def test_recording_fields_are_assignable_and_validated_when_built():
    rec = recording()
    rec.duration, rec.num_samples = 2.0, 32000
    assert rec.to_dict()["duration"] == 2.0
    rec.sampling_rate = 0  # not checked on assignment ...
    with pytest.raises(ManifestFieldError, match="sampling_rate"):  # ... but when a copy is built
        fastcopy(rec)
    assert type(recording()) is Recording and type(dataclasses.replace(recording(), id="x")) is Recording


def test_features_and_sources_have_no_custom_fields():
    feats = feature()
    feats.storage_path = "g.lca"
    assert feats.to_dict()["storage_path"] == "g.lca"
    with pytest.raises(AttributeError, match="'Features' object has no attribute 'storage_pth'"):
        feats.storage_pth = "typo"  # a plain slotted dataclass: no data is silently left out of a file
    source = AudioSource("file", [0], "a.wav")
    source.source = "b.wav"
    with pytest.raises(AttributeError):
        source.extra = 1
    assert sorted([feature(start=2.0), feature(start=1.0)])[0].start == 1.0  # order=True, as in Lhotse
    assert pickle.loads(pickle.dumps(feats)) == feats


def test_fastcopy_of_named_tuples_and_other_objects():
    assert fastcopy(AlignmentItem("a", 0.0, 1.0), score=0.5).score == 0.5
    with pytest.raises(UnknownAttributeError, match="dataclass or NamedTuple"):
        fastcopy(object())
    with pytest.raises(TypeError):
        fastcopy(SupervisionSegment("s", "r", 0.0, 1.0), nope=1)


def test_subclasses_are_built_the_ordinary_way():
    @dataclasses.dataclass(slots=True)
    class Tagged(SupervisionSegment):
        tag: str = "x"

    seg = Tagged("s", "r", 0.0, 1.0, tag="y")
    assert type(seg) is Tagged and seg.tag == "y" and seg.id == "s" and seg.custom is None  # a field, not custom
    seg.tag = "z"
    seg.other = 1
    assert seg.tag == "z" and seg.custom == {"other": 1}
    again = copy.deepcopy(seg)
    assert again == seg and again.tag == "z"


# ---- indexes follow changes ------------------------------------------------------------------------


def test_key_dict_follows_renamed_items():
    sups = SupervisionSet(SupervisionSegment(f"s{k}", "r", float(k), 1.0) for k in range(5))
    sups["s2"].id = "renamed"
    assert sups["renamed"].start == 2.0 and "renamed" in sups and "s2" not in sups
    assert sups.ids == ["s0", "s1", "renamed", "s3", "s4"]  # order kept
    with pytest.raises(UnknownIdError):
        sups["s2"]
    sups["s3"].id = "s4"
    with pytest.raises(DuplicateIdError, match="'s4'"):
        _ = sups.ids


def test_subsets_share_the_staleness_of_their_source():
    sups = SupervisionSet(SupervisionSegment(f"s{k}", "r", float(k), 1.0) for k in range(4))
    sups["s0"].id = "first"
    part = sups.subset(first=2)  # derived from the stale dict: still re-keyed when used
    assert part["first"].start == 0.0 and part.ids == ["first", "s1"]
    assert sups.filter(lambda s: True)["first"].start == 0.0


def test_find_follows_changed_recordings_and_times():
    sups = SupervisionSet(
        [
            SupervisionSegment("a", "r1", 0.0, 1.0),
            SupervisionSegment("b", "r1", 2.0, 1.0),
            SupervisionSegment("c", "r2", 0.0, 1.0),
        ]
    )
    assert [s.id for s in sups.find("r1")] == ["a", "b"]
    sups["b"].recording_id = "r2"  # Lhotse 1.33 keeps a stale grouping here; the index is rebuilt
    assert [s.id for s in sups.find("r1")] == ["a"] and [s.id for s in sups.find("r2")] == ["b", "c"]
    sups["a"].start = 5.0
    assert [s.id for s in sups.find("r1", end_before=2.0)] == []
    assert [s.id for s in sups.find("r1", start_after=4.0)] == ["a"]


def test_find_with_a_channel_or_out_of_order_segments_follows_changes():
    sups = SupervisionSet(
        [
            SupervisionSegment("late", "r", 3.0, 1.0, channel=1),  # set order is not time order
            SupervisionSegment("early", "r", 0.0, 1.0),
            SupervisionSegment("mid", "r", 1.5, 1.0, channel=1),
        ]
    )
    assert [s.id for s in sups.find("r", channel=1)] == ["late", "mid"]
    sups["mid"].duration = 5.0
    assert [s.id for s in sups.find("r", channel=1, end_before=4.5)] == ["late"]
    sups["early"].recording_id = "other"
    assert [s.id for s in sups.find("r", end_before=4.5)] == ["late"]
    assert [s.id for s in sups.find("other")] == ["early"]


def test_many_changed_recordings_rebuild_the_whole_index():
    sups = SupervisionSet(SupervisionSegment(f"s{k}", f"r{k}", 0.0, 1.0) for k in range(4))
    assert [s.id for s in sups.find("r3", end_before=1.0)] == ["s3"]
    for k in range(4):
        sups[f"s{k}"].duration = 3.0
    assert [s.id for s in sups.find("r3", end_before=1.0)] == []


def test_feature_set_key_and_find_follow_changes():
    feats = FeatureSet([feature("r1"), feature("r2")])
    feats[("r1", 0, 0.0, 1.0)].recording_id = "r3"
    assert ("r3", 0, 0.0, 1.0) in feats and ("r1", 0, 0.0, 1.0) not in feats
    assert feats.find("r3").recording_id == "r3"
    with pytest.raises(UnknownIdError):
        feats.find("r1")


def test_recording_set_key_follows_renames():
    recs = RecordingSet([recording("a"), recording("b")])
    recs["a"].id = "c"
    assert recs.ids == ["c", "b"] and recs["c"].sources[0].source == "a.wav"


def test_items_are_plain_dataclasses():
    # Fields are slots set by the generated __init__ (no hook on Features or AudioSource); only the
    # custom-field classes have a __setattr__, which routes names that are not fields to `custom`.
    assert Features.__setattr__ is object.__setattr__ and AudioSource.__setattr__ is object.__setattr__
    seg = SupervisionSegment("s", "r9", 0.0, 1.0)
    assert type(seg) is SupervisionSegment and not hasattr(seg, "__dict__")


def test_entering_a_find_window_needs_reindex():
    sups = SupervisionSet([SupervisionSegment("a", "r", 0.0, 1.0), SupervisionSegment("b", "r", 9.0, 1.0)])
    assert [s.id for s in sups.find("r", end_before=2.0)] == ["a"]
    sups["b"].start = 0.5  # not a segment the window query looks at: the cached index cannot see it
    assert [s.id for s in sups.find("r", end_before=2.0)] == ["a"]
    sups.reindex()
    assert [s.id for s in sups.find("r", end_before=2.0)] == ["a", "b"]
    sups["b"].recording_id = "other"
    assert [s.id for s in sups.find("r", end_before=2.0)] == ["a"]  # seen by the query: rebuilt
    assert [s.id for s in sups.find("other")] == ["b"]


def test_reindex_rebuilds_the_key_dict_and_refuses_duplicates():
    recs = RecordingSet([recording("a"), recording("b")])
    recs["a"].id = "b"
    with pytest.raises(DuplicateIdError, match="'b'"):
        recs.reindex()
    recs["b"].id = "c"
    recs.reindex()
    assert recs.ids == ["b", "c"]
    lazy_sups = SupervisionSet.from_items([SupervisionSegment("s", "r", 0.0, 1.0)]).repeat(1, preserve_id=True)
    lazy_sups.reindex()  # a lazy set drops its find index; nothing else to rebuild
    assert [s.id for s in lazy_sups.find("r")] == ["s"]


def test_manifest_item_init_stores_fields_without_setattr_or_class_change():
    from typing import Any, Dict, Optional

    from lhotse_lite.manifest.items import CustomFieldMixin, manifest_item

    seen = []

    @manifest_item
    @dataclasses.dataclass(slots=True)
    class Item(CustomFieldMixin):
        id: str
        size: int = 3
        custom: Optional[Dict[str, Any]] = None

        def __post_init__(self):
            seen.append(type(self))  # the object is an Item while it is validated

        def __setattr__(self, name, value):
            seen.append(name)
            CustomFieldMixin.__setattr__(self, name, value)

    item = Item("a", size=4)
    assert seen == [Item] and (item.id, item.size, item.custom) == ("a", 4, None)
    assert dataclasses.replace(item, size=5).size == 5 and seen == [Item, Item]
    item.colour = "red"  # assignments after construction go through __setattr__ (custom fields)
    assert seen[-1] == "colour" and item.custom == {"colour": "red"}
    assert Item._build("b", 1, None) == Item("b", 1) and type(Item._build("b", 1, None)) is Item
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'id'"):
        Item()


def test_generated_init_keeps_the_dataclass_signature():
    import inspect

    params = inspect.signature(SupervisionSegment).parameters
    fields = dataclasses.fields(SupervisionSegment)
    assert list(params) == [f.name for f in fields]
    assert [p.default for p in params.values()] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    assert SupervisionSegment.__init__.__qualname__ == "SupervisionSegment.__init__"
    with pytest.raises(ManifestFieldError, match="duration"):
        SupervisionSegment("s", "r", 0.0, duration=-1.0)  # __post_init__ still validates
