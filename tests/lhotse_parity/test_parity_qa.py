"""``lhotse.qa`` on Lhotse 1.33 and ``lhotse_lite.qa``: the same fixes, the same verdicts, the same warnings.

Each scenario runs on both libraries through the ``compare`` fixture: equal results, or an error of ours
that is an instance of what Lhotse raises (``AssertionError`` for a failed validation). Where the two
differ on purpose the test says so (docs/coming_from_lhotse.rst gives the reason).
"""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pytest
import soundfile as sf

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")

import lhotse_lite  # noqa: E402


def recs(lib, durations=(1.0, 2.0, 3.0, 4.0), channels=(0,)):
    return lib.RecordingSet.from_recordings(
        [
            lib.Recording(
                id=f"rec{k}",
                sources=[lib.AudioSource(type="file", channels=list(channels), source=f"r{k}.wav")],
                sampling_rate=16000,
                num_samples=int(16000 * d),
                duration=d,
            )
            for k, d in enumerate(durations)
        ]
    )


def sup(lib, id, rec, start, duration, **kw):
    return lib.SupervisionSegment(id=id, recording_id=rec, start=start, duration=duration, **kw)


def messy_supervisions(lib):
    """rec3 has no supervision; 'lost' has no recording; 'late' starts after its end; 'long' ends after it."""
    return lib.SupervisionSet.from_segments(
        [
            sup(lib, "ok", "rec0", 0.25, 0.5, text="a b"),
            sup(lib, "long", "rec0", 0.75, 0.5, alignment={"word": [lib.supervision.AlignmentItem("w", 0.8, 0.4)]}),
            sup(lib, "late", "rec1", 2.5, 0.5),
            sup(lib, "edge", "rec1", 1.5, 0.5),
            sup(lib, "lost", "nowhere", 0.0, 1.0),
            sup(lib, "third", "rec2", 2.0, 1.2, speaker="s1"),
        ]
    )


def _state(recordings, supervisions):
    return (
        [r.id for r in recordings],
        [s.to_dict() for s in supervisions],
        getattr(recordings, "is_lazy", None),
        getattr(supervisions, "is_lazy", None),
    )


def test_fix_manifests(compare):
    def scenario(lib, workdir):
        return _state(*lib.qa.fix_manifests(recs(lib), messy_supervisions(lib)))

    value = compare(scenario)
    assert value[0] == ["rec0", "rec1", "rec2"]
    assert [(d["id"], d["duration"]) for d in value[1]] == [("ok", 0.5), ("long", 0.25), ("edge", 0.5), ("third", 1.0)]


def test_fix_manifests_of_lazy_sets(compare):
    def scenario(lib, workdir):
        recs(lib).to_file(workdir / "r.jsonl.gz")
        messy_supervisions(lib).to_file(workdir / "s.jsonl.gz")
        fixed = lib.qa.fix_manifests(
            lib.RecordingSet.from_jsonl_lazy(workdir / "r.jsonl.gz"),
            lib.SupervisionSet.from_jsonl_lazy(workdir / "s.jsonl.gz"),
        )
        return _state(*fixed)

    assert compare(scenario)[2:] == (True, False)  # recordings filtered lazily; supervisions rebuilt


def test_fix_manifests_with_nothing_left(compare):
    def no_recordings(lib, workdir):
        return lib.qa.fix_manifests(recs(lib), lib.SupervisionSet.from_segments([sup(lib, "x", "other", 0, 1)]))

    def no_supervisions(lib, workdir):
        return lib.fix_manifests(recs(lib, (1.0,)), lib.SupervisionSet.from_segments([sup(lib, "x", "rec0", 2, 1)]))

    compare.raises(no_recordings, AssertionError)
    compare.raises(no_supervisions, AssertionError)


def test_remove_missing_and_trim(compare):
    def scenario(lib, workdir):
        r, s = lib.qa.remove_missing_recordings_and_supervisions(recs(lib), messy_supervisions(lib))
        trimmed = lib.qa.trim_supervisions_to_recordings(r, s, verbose=False)
        one = lib.qa.trim_supervisions_to_recordings(recs(lib)["rec0"], [sup(lib, "a", "rec0", 0.5, 1.0)])
        return [_state(r, s), _state(r, trimmed), type(trimmed).__name__, [x.to_dict() for x in one]]

    compare(scenario)


def test_trim_with_a_missing_recording_is_a_key_error(compare):
    def scenario(lib, workdir):
        return lib.qa.trim_supervisions_to_recordings(recs(lib), messy_supervisions(lib))

    error = compare.raises(scenario, KeyError)
    assert "nowhere" in str(error) and "lost" in str(error)


def _sorted_numbers(match):
    return str(sorted(int(x) for x in match.group(1).split(",")))


def test_the_same_warnings_are_logged(caplog):
    logged = {}
    for lib in (lhotse, lhotse_lite):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            _, s = lib.qa.fix_manifests(recs(lib), messy_supervisions(lib))
            lib.qa.validate_recordings_and_supervisions(recs(lib), s)
            lib.qa.validate(lib.SupervisionSet.from_segments([sup(lib, "a", "r", 0, 1), sup(lib, "b", "r", 0, 2)]))
            lib.qa.validate(
                recs(lib, (1.0,))
                + lib.RecordingSet.from_recordings(
                    [
                        lib.Recording(
                            id="x",
                            sources=[lib.AudioSource(type="file", channels=[0], source="x.wav")],
                            sampling_rate=8000,
                            num_samples=8000,
                            duration=1.0,
                        )
                    ]
                )
            )
        # Lhotse prints the rates as a set (in no fixed order): compare them sorted
        logged[lib.__name__] = [
            re.sub(r"[\[{]([0-9, ]+)[\]}]", _sorted_numbers, r.getMessage()) for r in caplog.records
        ]
    assert len(logged["lhotse"]) == 7
    assert logged["lhotse_lite"] == logged["lhotse"]


# ---- validation verdicts ---------------------------------------------------------------------------

PAIRS = {  # name -> (supervisions, valid in Lhotse 1.33)
    "inside": ([("a", "rec0", 0.0, 1.0)], True),
    "overhang of 0.5 ms": ([("a", "rec0", 0.5, 0.5005)], True),
    "overhang of 2 ms": ([("a", "rec0", 0.5, 0.502)], False),
    "missing recording": ([("a", "nowhere", 0.0, 1.0)], False),
    "zero duration": ([("a", "rec0", 0.5, 0.0)], False),
    "unknown channel": ([("a", "rec0", 0.0, 1.0, 3)], False),
    "duplicate ids": ([("a", "rec0", 0.0, 0.5), ("a", "rec1", 0.0, 0.5)], False),
}


@pytest.mark.parametrize("case", list(PAIRS))
def test_validate_recordings_and_supervisions(compare, case):
    segments, valid = PAIRS[case]

    def scenario(lib, workdir):
        lines = [sup(lib, *fields[:4], channel=fields[4] if len(fields) > 4 else 0).to_dict() for fields in segments]
        (workdir / "s.jsonl").write_text("".join(json.dumps(d) + "\n" for d in lines))  # duplicates too
        lib.qa.validate_recordings_and_supervisions(recs(lib), lib.SupervisionSet.from_jsonl_lazy(workdir / "s.jsonl"))
        return "valid"

    if valid:
        assert compare(scenario) == "valid"
    else:
        compare.raises(scenario, AssertionError)


def _features(lib, **changes):
    fields = dict(
        type="kaldi-fbank",
        num_frames=100,
        num_features=80,
        frame_shift=0.01,
        sampling_rate=16000,
        start=0.0,
        duration=1.0,
        storage_type="lilcom_files",
        storage_path="feats",
        storage_key="k.llc",
        recording_id="rec0",
        channels=0,
    )
    return lib.Features(**{**fields, **changes})


OBJECTS = {  # name -> (builder, valid in Lhotse 1.33)
    "recording": (lambda lib: recs(lib)["rec1"], True),
    "recording of zero duration": (
        lambda lib: lib.Recording(
            id="r",
            sources=[lib.AudioSource(type="file", channels=[0], source="r.wav")],
            sampling_rate=16000,
            num_samples=0,
            duration=0.0,
        ),
        False,
    ),
    "recording set": (lambda lib: recs(lib), True),
    "supervision": (lambda lib: sup(lib, "s", "r", 1.0, 2.0), True),
    "supervision of zero duration": (lambda lib: sup(lib, "s", "r", 1.0, 0.0), False),
    "supervision set": (lambda lib: messy_supervisions(lib), True),
    "supervision set with a zero duration": (
        lambda lib: lib.SupervisionSet.from_segments([sup(lib, "s", "r", 1.0, 0.0)]),
        False,
    ),
    "features": (lambda lib: _features(lib), True),
    "features one frame short": (lambda lib: _features(lib, num_frames=99), False),
    "features of zero duration": (lambda lib: _features(lib, duration=0.0), False),
    "features with a fractional hop": (lambda lib: _features(lib, frame_shift=0.0100001, num_frames=100), False),
    "features with a negative start": (lambda lib: _features(lib, start=-1.0), False),
    "feature set": (lambda lib: lib.FeatureSet([_features(lib), _features(lib, recording_id="rec1")]), True),
    "feature set of two dimensions": (
        lambda lib: lib.FeatureSet([_features(lib), _features(lib, num_features=40, recording_id="rec1")]),
        False,
    ),
    "feature set of two types": (
        lambda lib: lib.FeatureSet([_features(lib), _features(lib, type="mfcc", recording_id="rec1")]),
        False,
    ),
}


@pytest.mark.parametrize("case", list(OBJECTS))
def test_validate(compare, case):
    build, valid = OBJECTS[case]

    def scenario(lib, workdir):
        lib.qa.validate(build(lib))
        return "valid"

    if valid:
        assert compare(scenario) == "valid"
    else:
        compare.raises(scenario, AssertionError)


def test_a_source_without_channels_is_refused_when_built():
    # Lhotse builds it and its validate() asserts; ours refuses the AudioSource itself (a ValueError).
    def recording(lib):
        return lib.Recording(
            id="r",
            sources=[lib.AudioSource(type="file", channels=[], source="r.wav")],
            sampling_rate=16000,
            num_samples=16000,
            duration=1.0,
        )

    with pytest.raises(AssertionError, match="no channels"):
        lhotse.qa.validate(recording(lhotse))
    with pytest.raises(ValueError, match="channel"):
        recording(lhotse_lite)


def test_validate_of_an_unknown_type(compare):
    compare.raises(lambda lib, workdir: lib.validate("not a manifest"), ValueError)


def test_validators_by_name(compare):
    def scenario(lib, workdir):
        qa = lib.qa
        qa.validate_recording(recs(lib)["rec0"], read_data=False)
        qa.validate_supervision(sup(lib, "s", "r", 0.0, 1.0))
        qa.validate_features(_features(lib), feats_data=np.zeros((100, 80)))
        qa.validate_recording_set(recs(lib))
        qa.validate_supervision_set(messy_supervisions(lib))
        qa.validate_feature_set(lib.FeatureSet([_features(lib)]))
        return "valid"

    assert compare(scenario) == "valid"
    compare.raises(
        lambda lib, workdir: lib.qa.validate_features(_features(lib), feats_data=np.zeros((99, 80))), AssertionError
    )


def test_read_data(compare, tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(16000, dtype=np.int16), 16000)

    def good(lib, workdir):
        rec = lib.Recording.from_file(wav)
        lib.qa.validate(rec, read_data=True)
        lib.qa.validate_recordings_and_supervisions(rec, sup(lib, "s", rec.id, 0.0, 1.0), read_data=True)
        return "valid"

    assert compare(good) == "valid"
    # Declared 3 s, the file holds 1 s: Lhotse raises its AudioLoadingError from load_audio, ours reports
    # the problem in a ValidationError (an AssertionError) like every other failed validation.
    long = {
        "id": "a",
        "sources": [{"type": "file", "channels": [0], "source": str(wav)}],
        "sampling_rate": 16000,
        "num_samples": 48000,
        "duration": 3.0,
    }
    with pytest.raises(lhotse.audio.utils.AudioLoadingError):
        lhotse.qa.validate(lhotse.Recording.from_dict(dict(long)), read_data=True)  # it pops keys
    with pytest.raises(lhotse_lite.errors.ValidationError, match="decodes to 16000 samples"):
        lhotse_lite.qa.validate(lhotse_lite.Recording.from_dict(long), read_data=True)


class Note(str):
    """A type of our own to validate (module level: the annotation of a validator must resolve)."""


def test_register_validator():
    from lhotse_lite import errors, qa

    def validate_note(note: Note, read_data: bool = False) -> None:
        if not note:
            raise errors.ValidationError("empty note")

    assert qa.register_validator(validate_note) is validate_note
    qa.validate(Note("x"))
    with pytest.raises(AssertionError, match="empty note"):
        qa.validate(Note(""))
    with pytest.raises(errors.DuplicateRegistrationError, match="validate_note"):  # Lhotse replaces silently
        qa.register_validator(validate_note)
    with pytest.raises(errors.DuplicateRegistrationError):
        qa.register_validator(qa.validate_recording)

    def unannotated(thing, read_data=False):
        pass

    with pytest.raises(ValueError, match="annotated"):
        qa.register_validator(unannotated)

    class Local(str):
        pass

    def validate_local(item: Local) -> None:  # a string annotation (this module defers them) naming a local class
        pass

    with pytest.raises(ValueError, match="cannot be resolved"):
        qa.register_validator(validate_local)


def test_checks_lhotse_leaves_out():
    # Lhotse 1.33 accepts these; ours reports them (docs/coming_from_lhotse.rst says why).
    def off_by_one_sample(lib):
        return lib.Recording(
            id="r",
            sources=[lib.AudioSource(type="file", channels=[0], source="r.wav")],
            sampling_rate=16000,
            num_samples=16001,
            duration=1.0,
        )

    def negative_start(lib):
        return sup(lib, "s", "r", -0.5, 1.0)

    for build, message in ((off_by_one_sample, "num_samples 16001"), (negative_start, "start must be >= 0")):
        lhotse.qa.validate(build(lhotse))
        with pytest.raises(AssertionError, match=message):
            lhotse_lite.qa.validate(build(lhotse_lite))


def test_empty_sets_are_valid_here():
    # Lhotse 1.33 fails on them (IndexError from an empty Counter, StopIteration from next(iter(...))).
    for name, error in (("RecordingSet", IndexError), ("SupervisionSet", IndexError), ("FeatureSet", StopIteration)):
        with pytest.raises(error):
            lhotse.qa.validate(getattr(lhotse, name)())
        lhotse_lite.qa.validate(getattr(lhotse_lite, name)())
