"""The checks of single manifest items and of their agreement: recordings, supervisions, features.

Part of :mod:`lhotse_lite.validation` (the list of checks is there). Every check returns messages
instead of raising, so one walk over the manifests reports every problem.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> segments = [SupervisionSegment("s1", "r1", 0.0, 1.0), SupervisionSegment("s1", "r1", 1.0, 1.0)]
    >>> [str(p) for p in validate_manifests(supervisions=segments)]
    ['supervisions[s1]: duplicate id (first at item 0)']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from lhotse_lite import remote
from lhotse_lite.units import compute_num_frames, compute_num_samples
from lhotse_lite.validation.data import check_audio_data, check_feature_data

__all__ = ["Problem", "validate_manifests", "validate_located", "DEFAULT_TOLERANCE"]

DEFAULT_TOLERANCE = 0.025
"""Seconds by which a segment may overhang its recording, or decoded audio differ from its manifest."""

_FILE_STORAGE = {"lilcom_files", "numpy_files"}
_MEMORY_STORAGE = {"memory_lilcom", "memory_npy", "memory_raw", "memory_writer"}

Located = Tuple[Any, Optional[str]]
"""A manifest item and where it was read (``"file:line"``), or ``None`` for an object in memory."""


@dataclass(frozen=True)
class Problem:
    """One inconsistency found by :func:`validate_manifests` or :func:`~lhotse_lite.validation.validate_manifest_files`.

    Attributes:
        manifest: ``"recordings"``, ``"supervisions"``, ``"features"`` (or ``"file"`` for a file that
            cannot be read at all).
        item_id: The id of the offending item (a feature's ``recording_id``); empty when a line
            cannot be read at all.
        message: What is wrong, with the values involved.
        where: ``file:line`` (or ``file[item N]``) of the item when it was read from a file.

    Example:
        >>> str(Problem("recordings", "r1", "duration must be positive, got 0"))
        'recordings[r1]: duration must be positive, got 0'
        >>> str(Problem("recordings", "r1", "duration must be positive, got 0", where="recs.jsonl:3"))
        'recs.jsonl:3: recordings[r1]: duration must be positive, got 0'
    """

    manifest: str
    item_id: str
    message: str
    where: Optional[str] = None

    def __str__(self) -> str:
        label = f"{self.manifest}[{self.item_id}]" if self.item_id else self.manifest
        text = f"{label}: {self.message}"
        return f"{self.where}: {text}" if self.where else text


def validate_manifests(
    recordings: Optional[Iterable[Any]] = None,
    supervisions: Optional[Iterable[Any]] = None,
    features: Optional[Iterable[Any]] = None,
    check_files: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
    read_data: bool = False,
) -> List[Problem]:
    """Checks each manifest and their agreement with each other; returns every problem found.

    Args:
        recordings: A ``RecordingSet`` (or any iterable of ``Recording``); ``None`` skips the
            recording checks and the cross-checks that need recordings.
        supervisions: A ``SupervisionSet`` or iterable of ``SupervisionSegment``.
        features: A ``FeatureSet`` or iterable of ``Features``.
        check_files: Whether to check that audio files and feature storage exist on disk.
        tolerance: Seconds by which a segment or feature span may overhang its recording, and by
            which decoded audio may differ from the declared length (with ``read_data``).
        read_data: Also decode every recording's audio (``command`` sources run, unless refused by
            :func:`~lhotse_lite.audio.set_command_sources_allowed`) and load every feature matrix,
            as Lhotse's ``validate(..., read_data=True)`` does.

    Returns:
        The problems, in manifest order (recordings, supervisions, features); empty when clean.

    Example:
        >>> validate_manifests()
        []
    """
    return validate_located(
        None if recordings is None else _unlocated(recordings),
        None if supervisions is None else _unlocated(supervisions),
        None if features is None else _unlocated(features),
        check_files=check_files,
        tolerance=tolerance,
        read_data=read_data,
    )


def validate_located(
    recordings: Optional[Iterable[Located]],
    supervisions: Optional[Iterable[Located]],
    features: Optional[Iterable[Located]],
    check_files: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
    read_data: bool = False,
) -> List[Problem]:
    """:func:`validate_manifests` over ``(item, where)`` pairs: problems name ``where``, and a
    duplicate id names where its first occurrence was.

    Example:
        >>> from lhotse_lite.supervision import SupervisionSegment
        >>> seg = SupervisionSegment("s1", "r1", 0.0, 1.0)
        >>> [str(p) for p in validate_located(None, [(seg, "a.jsonl:1"), (seg, "b.jsonl:7")], None)]
        ['b.jsonl:7: supervisions[s1]: duplicate id (first at a.jsonl:1)']
    """
    problems: List[Problem] = []
    by_id: Optional[Dict[str, Any]] = None
    if recordings is not None:
        by_id = {}
        first: Dict[str, str] = {}
        for index, (recording, where) in enumerate(recordings):
            found = _duplicate(recording.id, first, index, where)
            found += _check_recording(recording, check_files)
            if read_data:
                found += check_audio_data(recording, tolerance)
            problems += [Problem("recordings", recording.id, m, where) for m in found]
            by_id[recording.id] = recording
    if supervisions is not None:
        first = {}
        for index, (segment, where) in enumerate(supervisions):
            found = _duplicate(segment.id, first, index, where) + _check_supervision(segment, by_id, tolerance)
            problems += [Problem("supervisions", segment.id, m, where) for m in found]
    if features is not None:
        kinds: Dict[Optional[str], Tuple[Any, Any, Optional[str]]] = {}  # per file: first row's type, dim, place
        for feats, where in features:
            found = _check_features(feats, by_id, check_files, tolerance)
            kind = kinds.setdefault(where.rsplit(":", 1)[0] if where else None, (feats.type, feats.num_features, where))
            if (feats.type, feats.num_features) != kind[:2]:
                found.append(_mixed_kinds(feats, kind))
            if read_data:
                found += check_feature_data(feats)
            item_id = feats.recording_id if feats.recording_id is not None else feats.storage_key
            problems += [Problem("features", str(item_id), m, where) for m in found]
    return problems


def _unlocated(items: Iterable[Any]) -> Iterator[Located]:
    return ((item, None) for item in items)


def _duplicate(item_id: str, first: Dict[str, str], index: int, where: Optional[str]) -> List[str]:
    if item_id in first:
        return [f"duplicate id (first at {first[item_id]})"]
    first[item_id] = where if where is not None else f"item {index}"
    return []


def _check_recording(recording: Any, check_files: bool) -> List[str]:
    found: List[str] = []
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
            if source.type == "file" and not _audio_exists(source.source):
                found.append(f"audio file does not exist: {remote.redact(remote.map_path(source.source))}")
    return found


def _check_supervision(segment: Any, recordings: Optional[Dict[str, Any]], tolerance: float) -> List[str]:
    found: List[str] = []
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
                    f"ends at {end:.3f} s, after the end of recording {recording.id!r} ({recording.duration:.3f} s)"
                )
            bad = [c for c in _as_list(segment.channel) if c not in recording.channel_ids]
            if bad:
                found.append(f"channel {bad} not in recording channels {list(recording.channel_ids)}")
    return found


def _check_features(feats: Any, recordings: Optional[Dict[str, Any]], check_files: bool, tolerance: float) -> List[str]:
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
                    f"sampling_rate {feats.sampling_rate} differs from the recording's {recording.sampling_rate}"
                )
            if feats.start + feats.duration > recording.duration + tolerance:
                found.append(
                    f"span ends at {feats.start + feats.duration:.3f} s, after the end of the "
                    f"recording ({recording.duration:.3f} s)"
                )
    if check_files and feats.storage_type not in _MEMORY_STORAGE:
        path = feats.storage_path
        if feats.storage_type in _FILE_STORAGE:
            path = f"{feats.storage_path.rstrip('/')}/{feats.storage_key.lstrip('/')}"
        path = remote.map_path(path)
        if not remote.exists(path):
            found.append(f"feature storage does not exist: {remote.redact(path)}")
    return found


def _mixed_kinds(feats: Any, first: Tuple[Any, Any, Optional[str]]) -> str:
    where = f" ({first[2]})" if first[2] else ""
    return (
        f"feature type {feats.type!r} with {feats.num_features} features differs from the first row's "
        f"{first[0]!r} with {first[1]}{where}; one features manifest holds one kind of features: "
        f"extract the others into another manifest"
    )


def _audio_exists(source: str) -> bool:
    """Whether the file or object a ``file`` source names (after the path map) exists."""
    path = remote.map_path(source)
    if remote.is_url(path):
        return remote.exists(path)
    return os.path.isfile(path)


def _as_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]
