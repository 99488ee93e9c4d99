"""Lhotse's quality checks (``lhotse.qa``): validate manifests, and fix a recordings/supervisions pair.

The validators run the checks of :mod:`lhotse_lite.validation` (those of ``lite manifest validate``,
without the file-existence checks, as Lhotse's) and add the rules of Lhotse 1.33 that those do not
apply: positive supervision durations, Lhotse's exact frame count and integral frame hop of a
``Features`` item, one sampling rate, feature dimension and type per ``FeatureSet``, and supervisions
inside their recording to within 1 ms. With ``read_data`` the audio is decoded (allowing the
audio duration mismatch tolerance, as Lhotse's ``load_audio``) and feature matrices are loaded.

Where Lhotse stops at its first failed ``assert``, :func:`validate` reports every problem at once in a
:class:`~lhotse_lite.errors.ValidationError`, which is also an ``AssertionError``. Warnings (mixed
sampling rates, several supervisions starting at 0, recordings without supervisions) are logged.

:func:`fix_manifests` does what Kaldi's ``utils/fix_data_dir.sh`` does for a pair: it drops recordings
without supervisions and supervisions without recordings, drops supervisions that start after their
recording's end and trims those that end after it.

Example:
    >>> from lhotse_lite.audio import AudioSource, Recording, RecordingSet
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> recs = RecordingSet([Recording("r", [AudioSource("file", [0], "r.wav")], 16000, 16000, 1.0)])
    >>> sups = SupervisionSet([SupervisionSegment("a", "r", 0.5, 0.7), SupervisionSegment("b", "x", 0, 1)])
    >>> recs, sups = fix_manifests(recs, sups)
    >>> [(s.id, s.start, s.duration) for s in sups]
    [('a', 0.5, 0.5)]
    >>> validate_recordings_and_supervisions(recs, sups)
"""

from __future__ import annotations

import collections
import inspect
import logging
import typing
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from lhotse_lite.audio import Recording, RecordingSet, get_audio_duration_mismatch_tolerance
from lhotse_lite.errors import DuplicateRegistrationError, ManifestArgumentError, UnknownIdError, ValidationError
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.units import compute_num_frames
from lhotse_lite.validation import Problem, validate_manifests
from lhotse_lite.validation.data import check_audio_data, check_feature_data

__all__ = [
    "validate",
    "register_validator",
    "fix_manifests",
    "validate_recordings_and_supervisions",
    "remove_missing_recordings_and_supervisions",
    "trim_supervisions_to_recordings",
    "validate_recording",
    "validate_supervision",
    "validate_features",
    "validate_recording_set",
    "validate_supervision_set",
    "validate_feature_set",
]

logger = logging.getLogger(__name__)

SUPERVISION_TOLERANCE = 1e-3
"""Seconds by which a supervision may start before or end after its recording (Lhotse's bound)."""

_VALIDATORS: Dict[type, Callable[..., None]] = {}
_LISTED_PROBLEMS = 50


def validate(obj: Any, read_data: bool = False) -> None:
    """Validates a manifest item or set with the validator registered for its type.

    Args:
        obj: A ``Recording``, ``SupervisionSegment``, ``Features``, or a set of them (eager or lazy).
        read_data: Also decode the audio / load the feature matrices and compare them with the manifest.

    Raises:
        ValidationError: The manifest is inconsistent; the message lists every problem (also an
            ``AssertionError``, as Lhotse's ``assert``).
        ManifestArgumentError: ``obj`` is of no known type (also a ``ValueError``, as Lhotse raises).

    Example:
        >>> validate(SupervisionSegment("s", "r", 0.0, 0.0))
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ValidationError: SupervisionSegment 's': 1 problem(s):
          supervisions[s]: duration must be positive, got 0.0
    """
    for registered, validator in _VALIDATORS.items():
        if isinstance(obj, registered):
            validator(obj, read_data=read_data)
            return
    raise ManifestArgumentError(
        f"validate() got an object of type {type(obj).__name__}; it validates "
        f"{', '.join(t.__name__ for t in _VALIDATORS)} (cuts and arrays are not part of lhotse_lite)"
    )


def register_validator(fn: Callable[..., None]) -> Callable[..., None]:
    """Decorator: call ``fn`` in :func:`validate` for objects of the type its first parameter is annotated with.

    Raises:
        ManifestArgumentError: The first parameter has no type annotation (or one that does not resolve).
        DuplicateRegistrationError: A validator is registered for that type already (Lhotse replaces it).

    Example:
        >>> class Note(str):
        ...     pass
        >>> @register_validator
        ... def validate_note(note: Note, read_data: bool = False) -> None:
        ...     if not note:
        ...         raise ValidationError("empty note")
        >>> validate(Note("hello"))
    """
    try:
        hints = typing.get_type_hints(fn)
    except NameError as err:  # a string annotation naming a type that is not in the function's module
        raise ManifestArgumentError(
            f"register_validator: the annotations of {fn.__qualname__} cannot be "
            f"resolved ({err}); annotate the first parameter with a type in scope"
        ) from err
    first = next(iter(inspect.signature(fn).parameters), None)
    if first is None or not isinstance(hints.get(first), type):
        raise ManifestArgumentError(
            f"register_validator: the first parameter of {fn.__qualname__} must be annotated with the type it validates"
        )
    kind = hints[first]
    if kind in _VALIDATORS:
        raise DuplicateRegistrationError(
            f"register_validator: {_VALIDATORS[kind].__qualname__} is registered for {kind.__name__} already"
        )
    _VALIDATORS[kind] = fn
    return fn


# ---- single items ----------------------------------------------------------------------------


def validate_recording(r: Recording, read_data: bool = False) -> None:
    """Validates one recording: positive duration and sampling rate, ``num_samples`` agreeing with the
    duration, channels provided by the sources; with ``read_data`` the audio decodes to the declared shape.

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> validate_recording(Recording("r", [AudioSource("file", [0], "r.wav")], 16000, 16000, 1.0))
    """
    _raise_if(_recording_problems([r], read_data), f"Recording {r.id!r}")


def validate_supervision(s: SupervisionSegment, read_data: bool = False, **kwargs: Any) -> None:
    """Validates one supervision: start >= 0 and a positive duration (``read_data`` has nothing to read).

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> validate_supervision(SupervisionSegment("s", "r", 0.0, 1.0))
    """
    _raise_if(_supervision_problems([s]), f"SupervisionSegment {s.id!r}")


def validate_features(f: Features, read_data: bool = False, feats_data: Optional[Any] = None) -> None:
    """Validates one ``Features`` item with Lhotse's rules; ``read_data`` or ``feats_data`` also checks a matrix.

    Args:
        f: The item.
        read_data: Load the stored matrix and compare its shape (and finiteness) with the manifest.
        feats_data: An already loaded matrix ``(num_frames, num_features)`` to compare instead.

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> feats = Features("kaldi-fbank", 100, 80, 0.01, 16000, 0.0, 1.0, "lilcom_files", "f", "k")
        >>> validate_features(feats)
    """
    _raise_if(_features_problems([f], read_data, feats_data), f"Features of {f.recording_id!r}")


# ---- sets ------------------------------------------------------------------------------------


def validate_recording_set(recordings: RecordingSet, read_data: bool = False) -> None:
    """Validates every recording and the uniqueness of ids; logs a warning for mixed sampling rates.

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> validate_recording_set(RecordingSet())
    """
    _raise_if(_recording_problems(recordings, read_data), "RecordingSet")


def validate_supervision_set(supervisions: SupervisionSet, **kwargs: Any) -> None:
    """Validates every supervision and the uniqueness of ids; logs a warning when several supervisions of
    one recording and channel start at 0 (a preparation that forgot the start times).

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> validate_supervision_set(SupervisionSet([SupervisionSegment("s", "r", 0.0, 1.0)]))
    """
    _raise_if(_supervision_problems(supervisions), "SupervisionSet")


def validate_feature_set(features: FeatureSet, read_data: bool = False) -> None:
    """Validates every item; all must share the sampling rate, feature dimension and type of the first.

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> validate_feature_set(FeatureSet())
    """
    _raise_if(_features_problems(features, read_data), "FeatureSet")


# ---- recordings and supervisions together ------------------------------------------------------


def validate_recordings_and_supervisions(
    recordings: Union[RecordingSet, Recording],
    supervisions: Union[SupervisionSet, SupervisionSegment],
    read_data: bool = False,
) -> None:
    """Validates both manifests and their agreement: every supervision's recording exists, the supervision
    lies inside it (to within 1 ms) on one of its channels. Recordings without supervisions are logged.

    Raises:
        ValidationError: Every problem found.

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> rec = Recording("r", [AudioSource("file", [0], "r.wav")], 16000, 16000, 1.0)
        >>> validate_recordings_and_supervisions(rec, SupervisionSegment("s", "r", 0.5, 0.6))
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ValidationError: recordings and supervisions: 1 problem(s):
          supervisions[s]: ends at 1.100 s, after the end of recording 'r' (1.000 s)
    """
    recs = [recordings] if isinstance(recordings, Recording) else list(recordings)
    sups = [supervisions] if isinstance(supervisions, SupervisionSegment) else list(supervisions)
    problems = validate_manifests(
        recordings=recs, supervisions=sups, check_files=False, tolerance=SUPERVISION_TOLERANCE
    )
    problems += _extra_supervision_problems(sups) + _audio_problems(recs, read_data)
    _warn_mixed_rates(recs)
    _raise_if(problems, "recordings and supervisions")
    without = {r.id for r in recs} - {s.recording_id for s in sups}
    if without:
        logger.warning(
            "There are %d recordings that do not have any corresponding supervisions in the SupervisionSet.",
            len(without),
        )


def remove_missing_recordings_and_supervisions(
    recordings: RecordingSet,
    supervisions: SupervisionSet,
) -> Tuple[RecordingSet, SupervisionSet]:
    """Drops the recordings without supervisions and the supervisions without recordings (logged).

    Lazy sets stay lazy (they are filtered); the ids are read in one pass over each first.

    Returns:
        ``(recordings, supervisions)``; the given sets are not modified.

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> recs = RecordingSet([Recording(i, [AudioSource("file", [0], i)], 8000, 8000, 1.0) for i in "ab"])
        >>> recs, sups = remove_missing_recordings_and_supervisions(recs, SupervisionSet(
        ...     [SupervisionSegment("s", "a", 0, 1), SupervisionSegment("t", "z", 0, 1)]))
        >>> list(recs.ids), list(sups.ids)
        (['a'], ['s'])
    """
    recording_ids = frozenset(r.id for r in recordings)
    supervised = frozenset(s.recording_id for s in supervisions)
    only_in_recordings = recording_ids - supervised
    if only_in_recordings:
        recordings = recordings.filter(_NotIn("id", only_in_recordings))
        logger.warning("Removed %d recordings with no corresponding supervisions.", len(only_in_recordings))
    only_in_supervisions = supervised - recording_ids
    if only_in_supervisions:
        before = sum(1 for _ in supervisions)
        supervisions = supervisions.filter(_NotIn("recording_id", only_in_supervisions))
        logger.warning(
            "Removed %d supervisions with no corresponding recordings (for a total of %d recording IDs).",
            before - sum(1 for _ in supervisions),
            len(only_in_supervisions),
        )
    return recordings, supervisions


def trim_supervisions_to_recordings(
    recordings: Union[Recording, RecordingSet],
    supervisions: Iterable[SupervisionSegment],
    verbose: bool = True,
) -> SupervisionSet:
    """Drops the supervisions that start after their recording's end and trims those that end after it.

    Args:
        recordings: The recordings (a single one is accepted).
        supervisions: The supervisions; each recording id must be among ``recordings``.
        verbose: Log how many were removed and trimmed.

    Returns:
        A new eager ``SupervisionSet`` (in the given order).

    Raises:
        UnknownIdError: A supervision's recording is not among ``recordings`` (also a ``KeyError``, as
            Lhotse raises); :func:`fix_manifests` drops such supervisions first.

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> rec = Recording("r", [AudioSource("file", [0], "r.wav")], 16000, 16000, 1.0)
        >>> sups = [SupervisionSegment("a", "r", 0.8, 0.5), SupervisionSegment("b", "r", 1.5, 0.5)]
        >>> [(s.id, s.duration) for s in trim_supervisions_to_recordings(rec, sups)]
        [('a', 0.2)]
    """
    if isinstance(recordings, Recording):
        recordings = RecordingSet([recordings])
    durations = {r.id: r.duration for r in recordings}
    kept: List[SupervisionSegment] = []
    removed = trimmed = 0
    for s in supervisions:
        end = durations.get(s.recording_id)
        if end is None:
            raise UnknownIdError(
                f"supervision {s.id!r}: recording {s.recording_id!r} is not among the recordings; "
                "drop such supervisions first (remove_missing_recordings_and_supervisions, "
                "or fix_manifests)"
            )
        if s.start > end:
            removed += 1
            continue
        if s.end > end:
            trimmed += 1
            s = s.trim(end=end)
        kept.append(s)
    if verbose and removed:
        logger.warning("Removed %d supervisions starting after the end of the recording.", removed)
    if verbose and trimmed:
        logger.warning("Trimmed %d supervisions exceeding the end of the recording.", trimmed)
    return SupervisionSet.from_segments(kept)


def fix_manifests(recordings: RecordingSet, supervisions: SupervisionSet) -> Tuple[RecordingSet, SupervisionSet]:
    """Fixes a recordings/supervisions pair as Kaldi's ``utils/fix_data_dir.sh`` fixes a data directory.

    Removes the recordings without supervisions and the supervisions without recordings, removes the
    supervisions starting after their recording's end and trims those ending after it.

    Returns:
        ``(recordings, supervisions)``; the given sets are not modified.

    Raises:
        ValidationError: No recording or no supervision is left (also an ``AssertionError``, as Lhotse).

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> recs = RecordingSet([Recording(i, [AudioSource("file", [0], i)], 8000, 8000, 1.0) for i in "ab"])
        >>> sups = SupervisionSet([SupervisionSegment("s", "a", 0.9, 0.5), SupervisionSegment("t", "b", 2, 1)])
        >>> recs, sups = fix_manifests(recs, sups)  # "b" has no supervision left: it stays, as in Lhotse
        >>> list(recs.ids), [(s.id, round(s.duration, 3)) for s in sups]
        (['a', 'b'], [('s', 0.1)])
    """
    recordings, supervisions = remove_missing_recordings_and_supervisions(recordings, supervisions)
    if not any(True for _ in recordings):
        raise ValidationError(
            "fix_manifests: no recordings left: no supervision names the id of a recording; "
            "check that the supervisions' recording_id values are the recordings' ids"
        )
    supervisions = trim_supervisions_to_recordings(recordings, supervisions)
    if not len(supervisions):
        raise ValidationError(
            "fix_manifests: no supervisions left: every supervision starts after the end of "
            "its recording; check the recordings' durations and the supervisions' start times"
        )
    return recordings, supervisions


# ---- the checks --------------------------------------------------------------------------------


class _NotIn:
    """A picklable predicate: ``getattr(item, field) not in values`` (lazy sets may go to other processes)."""

    def __init__(self, field: str, values: frozenset) -> None:
        self.field, self.values = field, values

    def __call__(self, item: Any) -> bool:
        return getattr(item, self.field) not in self.values


def _raise_if(problems: List[Problem], what: str) -> None:
    if not problems:
        return
    listing = "\n  ".join(str(p) for p in problems[:_LISTED_PROBLEMS])
    more = f"\n  ... and {len(problems) - _LISTED_PROBLEMS} more" if len(problems) > _LISTED_PROBLEMS else ""
    raise ValidationError(f"{what}: {len(problems)} problem(s):\n  {listing}{more}")


def _audio_problems(recordings: Iterable[Recording], read_data: bool) -> List[Problem]:
    if not read_data:
        return []
    tolerance = get_audio_duration_mismatch_tolerance()
    return [Problem("recordings", r.id, m) for r in recordings for m in check_audio_data(r, tolerance, False)]


def _warn_mixed_rates(recordings: Iterable[Recording]) -> None:
    rates = sorted({r.sampling_rate for r in recordings})
    if len(rates) > 1:
        logger.warning(
            "RecordingSet contains recordings with different sampling rates (%s). Make sure that this was intended.",
            rates,
        )


def _recording_problems(recordings: Iterable[Recording], read_data: bool) -> List[Problem]:
    recs = list(recordings)
    _warn_mixed_rates(recs)
    return validate_manifests(recordings=recs, check_files=False) + _audio_problems(recs, read_data)


def _supervision_problems(supervisions: Iterable[SupervisionSegment]) -> List[Problem]:
    sups = list(supervisions)
    return validate_manifests(supervisions=sups) + _extra_supervision_problems(sups)


def _extra_supervision_problems(supervisions: List[SupervisionSegment]) -> List[Problem]:
    """Lhotse's rules beyond :func:`validate_manifests`: positive durations; several starts at 0 are logged."""
    problems = [
        Problem("supervisions", s.id, f"duration must be positive, got {s.duration}")
        for s in supervisions
        if s.duration == 0
    ]
    at_zero: Dict[Tuple[str, Any], int] = collections.Counter(
        (s.recording_id, tuple(s.channel) if isinstance(s.channel, list) else s.channel)
        for s in supervisions
        if s.start == 0
    )
    for (recording_id, channel), count in at_zero.items():
        if count > 1:
            logger.warning(
                "SupervisionSet contains %d supervisions that start at 0 for recording %s (channel %s). "
                "Did you forget to set supervision start times?",
                count,
                recording_id,
                channel,
            )
    return problems


def _features_problems(
    features: Iterable[Features], read_data: bool, feats_data: Optional[Any] = None
) -> List[Problem]:
    problems: List[Problem] = []
    first: Optional[Features] = None
    for index, f in enumerate(features):
        where = f"item {index}"
        found = _lhotse_feature_rules(f)
        if not found:  # the shared checks need positive rates and shifts
            found = [p.message for p in validate_manifests(features=[f], check_files=False)]
            if read_data or feats_data is not None:
                found += check_feature_data(f) if feats_data is None else _shape_problems(f, feats_data)
        first = f if first is None else first
        for name in ("sampling_rate", "num_features", "type"):
            if getattr(f, name) != getattr(first, name):
                found.append(f"{name} {getattr(f, name)!r} differs from the first item's {getattr(first, name)!r}")
        item_id = f.recording_id if f.recording_id is not None else f.storage_key
        problems += [Problem("features", str(item_id), m, where) for m in found]
    return problems


def _lhotse_feature_rules(f: Features) -> List[str]:
    found = [
        f"{name} must be positive, got {getattr(f, name)}"
        for name in ("duration", "num_frames", "num_features", "sampling_rate", "frame_shift")
        if not getattr(f, name) > 0
    ]
    if f.start < 0:
        found.append(f"start must be >= 0, got {f.start}")
    if found:
        return found
    hop = round(f.frame_shift * f.sampling_rate, ndigits=12)
    if hop != int(hop):
        found.append(
            f"frame_shift {f.frame_shift} s is {hop} samples at {f.sampling_rate} Hz; it must be a whole "
            "number of samples"
        )
    expected = compute_num_frames(f.duration, f.frame_shift, f.sampling_rate)
    if expected != f.num_frames and abs(expected - f.num_frames) <= 1:  # larger gaps: validate_manifests says so
        found.append(
            f"num_frames {f.num_frames} differs from the {expected} frames of duration {f.duration} s "
            f"at frame_shift {f.frame_shift} s (lhotse_lite.units.compute_num_frames)"
        )
    return found


def _shape_problems(f: Features, data: Any) -> List[str]:
    shape = tuple(getattr(data, "shape", ()))
    if shape != (f.num_frames, f.num_features):
        return [f"the matrix has shape {shape}, the manifest declares {(f.num_frames, f.num_features)}"]
    return []


for _kind, _validator in (
    (Recording, validate_recording),
    (SupervisionSegment, validate_supervision),
    (Features, validate_features),
    (RecordingSet, validate_recording_set),
    (SupervisionSet, validate_supervision_set),
    (FeatureSet, validate_feature_set),
):
    _VALIDATORS[_kind] = _validator
