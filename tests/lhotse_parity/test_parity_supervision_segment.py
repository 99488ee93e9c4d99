"""SupervisionSegment and AlignmentItem compared live with Lhotse 1.33 (skipped without it).

The same behaviours are pinned with literal values in tests/supervision/test_supervision_segment.py.
"""

import pytest

from lhotse_lite.supervision import AlignmentItem, SupervisionSegment

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference")


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


def to_lhotse(seg):
    return lhotse.SupervisionSegment.from_dict(seg.to_dict())


def test_to_dict_matches_lhotse_layout():
    seg = full_segment()
    ref = to_lhotse(seg).to_dict()
    assert seg.to_dict() == ref and list(seg.to_dict()) == list(ref)
    minimal = SupervisionSegment("s", "r", 0.5, 5.0)
    assert minimal.to_dict() == {"id": "s", "recording_id": "r", "start": 0.5, "duration": 5.0, "channel": 0}


@pytest.mark.parametrize("factor", [0.9, 1.1, 1.5])
def test_perturbations_match_lhotse(factor):
    ours, ref = full_segment(), to_lhotse(full_segment())
    for name, args in [
        ("perturb_speed", (factor, 16000)),
        ("perturb_tempo", (factor, 16000)),
        ("perturb_volume", (factor,)),
    ]:
        assert getattr(ours, name)(*args).to_dict() == getattr(ref, name)(*args).to_dict(), name
        assert (
            getattr(ours, name)(*args, affix_id=False).to_dict() == getattr(ref, name)(*args, affix_id=False).to_dict()
        ), name
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
