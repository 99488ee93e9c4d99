"""Cross-checks of recordings, supervisions and features manifests, reporting every problem at once.

:func:`validate_manifests` never stops at the first problem: it walks each manifest once (lazy
manifests stay lazy) and returns a list of :class:`Problem` records, each naming the manifest, the
item id and what is wrong. An empty list means the manifests are consistent. ``lite manifest
validate`` prints this report and exits with status 1 when it is not empty.

Checks:

* recordings: positive sampling rate and duration, ``num_samples`` agrees with ``duration``, at
  least one channel, every channel id provided by a source, ``file`` sources exist on disk;
* supervisions: non-negative start and duration, the recording exists, the segment lies inside
  it (within ``tolerance`` seconds) on one of its channels;
* features: the recording exists, the time span lies inside it, the sampling rate matches, the
  frame count agrees with the duration, and file-based storage exists;
* every manifest: ids are unique.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments([SupervisionSegment("s1", "missing", 0.0, 1.0)])
    >>> [p.message for p in validate_manifests(supervisions=sups, recordings=[])]
    ["recording 'missing' is not in the recordings manifest"]
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from lhotse_lite.errors import LhotseLiteError, ManifestFieldError
from lhotse_lite.manifest import formats, resolve_manifest_type
from lhotse_lite.units import compute_num_frames, compute_num_samples

__all__ = [
    "Problem",
    "validate_manifests",
    "validate_manifest_files",
    "read_items_reporting",
    "DEFAULT_TOLERANCE",
    "MANIFEST_KINDS",
]

DEFAULT_TOLERANCE = 0.025
"""Seconds by which a segment may overhang its recording (Lhotse's audio tolerance)."""

_FILE_STORAGE = {"lilcom_files", "numpy_files"}
_MEMORY_STORAGE = {"memory_lilcom", "memory_npy", "memory_raw", "memory_writer"}


@dataclass(frozen=True)
class Problem:
    """One inconsistency found by :func:`validate_manifests`.

    Attributes:
        manifest: ``"recordings"``, ``"supervisions"`` or ``"features"``.
        item_id: The id of the offending item (a feature's ``recording_id``).
        message: What is wrong, with the values involved.

    Example:
        >>> str(Problem("recordings", "r1", "duration must be positive, got 0"))
        'recordings[r1]: duration must be positive, got 0'
    """

    manifest: str
    item_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.manifest}[{self.item_id}]: {self.message}"


def validate_manifests(
    recordings: Optional[Iterable[Any]] = None,
    supervisions: Optional[Iterable[Any]] = None,
    features: Optional[Iterable[Any]] = None,
    check_files: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
) -> List[Problem]:
    """Checks each manifest and their agreement with each other; returns every problem found.

    Args:
        recordings: A ``RecordingSet`` (or any iterable of ``Recording``); ``None`` skips the
            recording checks and the cross-checks that need recordings.
        supervisions: A ``SupervisionSet`` or iterable of ``SupervisionSegment``.
        features: A ``FeatureSet`` or iterable of ``Features``.
        check_files: Whether to check that audio files and feature storage exist on disk.
        tolerance: Seconds by which a segment or feature span may overhang its recording.

    Returns:
        The problems, in manifest order (recordings, supervisions, features); empty when clean.

    Example:
        >>> validate_manifests()
        []
    """
    problems: List[Problem] = []
    by_id: Optional[Dict[str, Any]] = None
    if recordings is not None:
        by_id = {}
        for recording in recordings:
            problems.extend(_check_recording(recording, by_id, check_files))
            by_id[recording.id] = recording
    if supervisions is not None:
        seen: Set[str] = set()
        for segment in supervisions:
            problems.extend(_check_supervision(segment, seen, by_id, tolerance))
            seen.add(segment.id)
    if features is not None:
        for feats in features:
            problems.extend(_check_features(feats, by_id, check_files, tolerance))
    return problems


def validate_manifest_files(
    paths: Sequence[Union[str, os.PathLike]],
    check_files: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
) -> List[Problem]:
    """Validates manifest files of any type together, reporting unreadable items instead of stopping.

    Each file's type is detected from its first item (see :mod:`lhotse_lite.manifest.detect`);
    several files of one type are checked as one manifest (so ids must be unique across them).
    Items that cannot be parsed (a missing field, a negative duration, malformed JSON) become
    problems naming ``file:line``; the readable items are then checked by :func:`validate_manifests`.

    Args:
        paths: Manifest files (``.jsonl``, ``.jsonl.gz``, ``.json``, ``.json.gz``, ``.yaml``).
        check_files: Whether to check that audio files and feature storage exist on disk.
        tolerance: Seconds by which a segment or feature span may overhang its recording.

    Returns:
        Every problem found; empty when the files are consistent.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
        >>> _ = open(path, "w").write(
        ...     '{"id": "a", "recording_id": "r", "start": 0, "duration": -1}\\n'
        ...     '{"id": "b", "recording_id": "r", "start": 0, "duration": 1}\\n')
        >>> [p.item_id for p in validate_manifest_files([path])]
        ['a']
    """
    problems: List[Problem] = []
    grouped: Dict[str, List[Any]] = {}
    for path in paths:
        kind, items, found = read_items_reporting(path)
        problems.extend(found)
        if kind is not None:
            grouped.setdefault(kind, []).extend(items)
    problems.extend(validate_manifests(recordings=grouped.get("recordings"), supervisions=grouped.get("supervisions"),
                                       features=grouped.get("features"), check_files=check_files, tolerance=tolerance))
    return problems


MANIFEST_KINDS: Dict[str, str] = {
    "RecordingSet": "recordings",
    "SupervisionSet": "supervisions",
    "FeatureSet": "features",
}
"""The kind of each manifest set type, as reports and the ``lite`` commands name it."""


def read_items_reporting(path: Union[str, os.PathLike]) -> Tuple[Optional[str], List[Any], List[Problem]]:
    """Reads the items of a manifest file, turning each unreadable item into a :class:`Problem`.

    Args:
        path: A manifest file.

    Returns:
        ``(kind, items, problems)``: kind is ``"recordings"``, ``"supervisions"``, ``"features"``
        or ``None`` when the type cannot be told (then ``problems`` says why).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "sups.jsonl"
        >>> _ = path.write_text('{"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 1.0}\\n'
        ...                     '{"id": "s2", "recording_id": "r1", "start": 0.0}\\n')
        >>> kind, items, problems = read_items_reporting(path)
        >>> kind, [s.id for s in items], [(p.item_id, p.message.startswith(f"{path}:2")) for p in problems]
        ('supervisions', ['s1'], [('s2', True)])
    """
    kind: Optional[str] = None
    from_dict = None
    items: List[Any] = []
    problems: List[Problem] = []
    try:
        for where, data in _numbered_dicts(path):
            if from_dict is None:
                cls = resolve_manifest_type(data, where)
                kind = MANIFEST_KINDS.get(cls.__name__, cls.__name__)
                from_dict = cls.element_type.from_dict
            try:
                items.append(from_dict(data))
            except (ManifestFieldError, TypeError, ValueError, AttributeError) as err:
                item_id = data.get("id", data.get("recording_id", where))
                problems.append(Problem(kind or "manifest", str(item_id), f"{where}: cannot read the item ({err})"))
    except (LhotseLiteError, OSError) as err:
        problems.append(Problem(kind or "file", str(path), str(err)))
    if kind is None and not problems:
        problems.append(Problem("file", str(path), "the manifest is empty; its type cannot be detected"))
    return kind, items, problems


def _numbered_dicts(path: Union[str, os.PathLike]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    if formats.detect_format(path) == "jsonl":
        for lineno, data in formats.iter_jsonl_dicts(path):
            yield f"{path}:{lineno}", data
        return
    for index, data in enumerate(formats.read_list_file(path)):
        if not isinstance(data, dict):
            raise ManifestFieldError(f"{path}[item {index}]: expected a mapping, got {type(data).__name__}")
        yield f"{path}[item {index}]", data


def _check_recording(recording: Any, seen: Dict[str, Any], check_files: bool) -> List[Problem]:
    found: List[str] = []
    if recording.id in seen:
        found.append("duplicate id")
    if recording.sampling_rate <= 0:
        found.append(f"sampling_rate must be positive, got {recording.sampling_rate}")
    if recording.duration <= 0:
        found.append(f"duration must be positive, got {recording.duration}")
    elif recording.sampling_rate > 0:
        expected = compute_num_samples(recording.duration, recording.sampling_rate)
        if expected != recording.num_samples:
            found.append(
                f"num_samples {recording.num_samples} does not match duration {recording.duration} s "
                f"at {recording.sampling_rate} Hz (expected {expected})"
            )
    channel_ids = list(recording.channel_ids)
    if not channel_ids:
        found.append("no channels (channel_ids is empty)")
    provided = {c for source in recording.sources for c in _as_list(source.channels)}
    missing = [c for c in channel_ids if c not in provided]
    if missing:
        found.append(f"channels {missing} are not provided by any source (sources give {sorted(provided)})")
    if check_files:
        for source in recording.sources:
            if source.type == "file" and not os.path.isfile(source.source):
                found.append(f"audio file does not exist: {source.source}")
    return [Problem("recordings", recording.id, message) for message in found]


def _check_supervision(
    segment: Any, seen: Set[str], recordings: Optional[Dict[str, Any]], tolerance: float
) -> List[Problem]:
    found: List[str] = []
    if segment.id in seen:
        found.append("duplicate id")
    if segment.start < 0:
        found.append(f"start must be >= 0, got {segment.start}")
    if segment.duration < 0:
        found.append(f"duration must be >= 0, got {segment.duration}")
    if recordings is not None:
        recording = recordings.get(segment.recording_id)
        if recording is None:
            found.append(f"recording {segment.recording_id!r} is not in the recordings manifest")
        else:
            end = segment.start + segment.duration
            if end > recording.duration + tolerance:
                found.append(
                    f"ends at {end:.3f} s, after the end of recording {recording.id!r} "
                    f"({recording.duration:.3f} s)"
                )
            bad = [c for c in _as_list(segment.channel) if c not in recording.channel_ids]
            if bad:
                found.append(f"channel {bad} not in recording channels {list(recording.channel_ids)}")
    return [Problem("supervisions", segment.id, message) for message in found]


def _check_features(
    feats: Any, recordings: Optional[Dict[str, Any]], check_files: bool, tolerance: float
) -> List[Problem]:
    found: List[str] = []
    expected_frames = compute_num_frames(feats.duration, feats.frame_shift, feats.sampling_rate)
    if abs(expected_frames - feats.num_frames) > 1:
        found.append(
            f"num_frames {feats.num_frames} does not match duration {feats.duration} s with frame "
            f"shift {feats.frame_shift} s (expected about {expected_frames})"
        )
    if recordings is not None and feats.recording_id is not None:
        recording = recordings.get(feats.recording_id)
        if recording is None:
            found.append(f"recording {feats.recording_id!r} is not in the recordings manifest")
        else:
            if feats.sampling_rate != recording.sampling_rate:
                found.append(
                    f"sampling_rate {feats.sampling_rate} differs from the recording's "
                    f"{recording.sampling_rate}"
                )
            if feats.start + feats.duration > recording.duration + tolerance:
                found.append(
                    f"span ends at {feats.start + feats.duration:.3f} s, after the end of the "
                    f"recording ({recording.duration:.3f} s)"
                )
    if check_files and feats.storage_type not in _MEMORY_STORAGE:
        path = feats.storage_path
        if feats.storage_type in _FILE_STORAGE:
            path = os.path.join(feats.storage_path, feats.storage_key)
        if not os.path.exists(path):
            found.append(f"feature storage does not exist: {path}")
    item_id = feats.recording_id if feats.recording_id is not None else feats.storage_key
    return [Problem("features", str(item_id), message) for message in found]


def _as_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]
