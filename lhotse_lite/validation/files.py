"""Validating manifest files: every unreadable line reported with ``file:line``, then the item checks.

Part of :mod:`lhotse_lite.validation`. :func:`check_manifest_files` is what ``lite manifest validate``
runs: it reads each file to its end whatever it finds (a malformed JSON line, an item with a missing
field or a negative duration is a :class:`~lhotse_lite.validation.Problem` naming ``file:line``, and
reading goes on), checks the readable items together, and also lists the ``command`` audio sources
it saw, which run through the shell when their audio is loaded, and the ``url`` sources, which are
fetched then.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
    >>> _ = open(path, "w").write('{oops\\n{"id": "a", "recording_id": "r", "start": 0, "duration": 1}\\n{"id"\\n')
    >>> [p.where.endswith(f"sups.jsonl:{n}") for p, n in zip(validate_manifest_files([path]), (1, 3))]
    [True, True]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from lhotse_lite.errors import LhotseLiteError, ManifestFieldError, ManifestFormatError
from lhotse_lite.manifest import formats, resolve_manifest_type
from lhotse_lite.manifest.detect import MANIFEST_TYPES, manifest_type_kind
from lhotse_lite.validation.items import DEFAULT_TOLERANCE, Located, Problem, validate_located

__all__ = [
    "CommandSource",
    "UrlSource",
    "ValidationReport",
    "check_manifest_files",
    "validate_manifest_files",
    "read_items_reporting",
    "MANIFEST_KINDS",
]

MANIFEST_KINDS: Dict[str, str] = {
    MANIFEST_TYPES.target(kind).rpartition(":")[2]: kind for kind in MANIFEST_TYPES.names()
}
"""The kind of each built-in manifest set type by class name, as reports and the ``lite`` commands name it
(read from :data:`~lhotse_lite.manifest.detect.MANIFEST_TYPES`; :func:`~lhotse_lite.manifest.detect.manifest_type_kind`
also knows types registered later)."""


@dataclass(frozen=True)
class _SourceSeen:
    """An audio source of a recording that does more than read a local file, and where it was seen."""

    recording_id: str
    source: str
    where: Optional[str] = None

    def __str__(self) -> str:
        text = f"recordings[{self.recording_id}]: {self.source!r}"
        return f"{self.where}: {text}" if self.where else text


@dataclass(frozen=True)
class CommandSource(_SourceSeen):
    """A ``command`` audio source seen in a recordings manifest (it runs when its audio is loaded).

    Attributes:
        recording_id: The recording it belongs to.
        source: The shell command (also readable as ``command``).
        where: ``file:line`` of the recording.

    Example:
        >>> seen = CommandSource("r1", "sox r1.flac -t wav -", "recs.jsonl:4")
        >>> str(seen), seen.command == seen.source
        ("recs.jsonl:4: recordings[r1]: 'sox r1.flac -t wav -'", True)
    """

    @property
    def command(self) -> str:
        """The shell command."""
        return self.source


@dataclass(frozen=True)
class UrlSource(_SourceSeen):
    """A ``url`` audio source seen in a recordings manifest (it is fetched when its audio is loaded).

    Attributes:
        recording_id: The recording it belongs to.
        source: The URL (also readable as ``url``).
        where: ``file:line`` of the recording.

    Example:
        >>> str(UrlSource("r1", "https://example.org/r1.flac", "recs.jsonl:4"))
        "recs.jsonl:4: recordings[r1]: 'https://example.org/r1.flac'"
    """

    @property
    def url(self) -> str:
        """The URL."""
        return self.source


@dataclass
class ValidationReport:
    """What :func:`check_manifest_files` found.

    Attributes:
        problems: Every problem (an empty list: the manifests are consistent).
        command_sources: The ``command`` audio sources of the recordings, in file order.
        url_sources: The ``url`` audio sources of the recordings, in file order.
        audio_checked: Whether audio and feature data were decoded (``read_data``).

    Example:
        >>> ValidationReport().problems, ValidationReport().audio_checked
        ([], False)
    """

    problems: List[Problem] = field(default_factory=list)
    command_sources: List[CommandSource] = field(default_factory=list)
    url_sources: List[UrlSource] = field(default_factory=list)
    audio_checked: bool = False


def check_manifest_files(
    paths: Sequence[Union[str, os.PathLike]],
    check_files: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
    read_data: bool = False,
) -> ValidationReport:
    """Validates manifest files of any type together; reports every problem, command and url source.

    Each file's type is detected from its first readable item; several files of one type are
    checked as one manifest (so ids must be unique across them, and a duplicate names where the
    first one is).

    Args:
        paths: Manifest files (``.jsonl``, ``.jsonl.gz``, ``.json``, ``.json.gz``, ``.yaml``).
        check_files: Whether to check that audio files and feature storage exist on disk.
        tolerance: Seconds by which a segment or feature span may overhang its recording, and by
            which decoded audio may differ from ``num_samples`` (with ``read_data``).
        read_data: Decode every recording's audio and load every feature matrix (see
            :mod:`lhotse_lite.validation.data`). Command sources then run and url sources are
            fetched, unless refused by :func:`~lhotse_lite.audio.set_command_sources_allowed` or
            :func:`~lhotse_lite.audio.set_url_sources_allowed`.

    Returns:
        A :class:`ValidationReport`.

    Example:
        >>> import os, tempfile
        >>> from lhotse_lite.audio import AudioSource, Recording, RecordingSet
        >>> path = os.path.join(tempfile.mkdtemp(), "recs.jsonl")
        >>> RecordingSet([Recording("r1", [AudioSource("command", [0], "cat r1.wav")], 8000, 8000, 1.0)]
        ...              ).to_file(path)
        >>> report = check_manifest_files([path])
        >>> report.problems, [c.command for c in report.command_sources], report.audio_checked
        ([], ['cat r1.wav'], False)
    """
    report = ValidationReport(audio_checked=read_data)
    grouped: Dict[str, List[Located]] = {}
    for path in paths:
        kind, items, found = _read_located(path)
        report.problems.extend(found)
        if kind is not None:
            grouped.setdefault(kind, []).extend(items)
    for recording, where in grouped.get("recordings", []):
        report.command_sources.extend(
            CommandSource(recording.id, str(source.source), where)
            for source in recording.sources
            if source.type == "command"
        )
        report.url_sources.extend(
            UrlSource(recording.id, str(source.source), where) for source in recording.sources if source.type == "url"
        )
    report.problems.extend(
        validate_located(
            grouped.get("recordings"),
            grouped.get("supervisions"),
            grouped.get("features"),
            check_files=check_files,
            tolerance=tolerance,
            read_data=read_data,
        )
    )
    return report


def validate_manifest_files(
    paths: Sequence[Union[str, os.PathLike]],
    check_files: bool = True,
    tolerance: float = DEFAULT_TOLERANCE,
    read_data: bool = False,
) -> List[Problem]:
    """The problems of :func:`check_manifest_files` (reading every file to its end).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
        >>> _ = open(path, "w").write(
        ...     '{"id": "a", "recording_id": "r", "start": 0, "duration": -1}\\n'
        ...     '{"id": "b", "recording_id": "r", "start": 0, "duration": 1}\\n')
        >>> [p.item_id for p in validate_manifest_files([path])]
        ['a']
    """
    return check_manifest_files(paths, check_files=check_files, tolerance=tolerance, read_data=read_data).problems


def read_items_reporting(path: Union[str, os.PathLike]) -> Tuple[Optional[str], List[Any], List[Problem]]:
    """Reads the items of a manifest file, turning each unreadable line or item into a :class:`Problem`.

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
        >>> kind, [s.id for s in items], [(p.item_id, p.where == f"{path}:2") for p in problems]
        ('supervisions', ['s1'], [('s2', True)])
    """
    kind, located, problems = _read_located(path)
    return kind, [item for item, _ in located], problems


def _read_located(path: Union[str, os.PathLike]) -> Tuple[Optional[str], List[Located], List[Problem]]:
    kind: Optional[str] = None
    from_dict = None
    items: List[Located] = []
    problems: List[Problem] = []

    def bad_line(err: ManifestFormatError) -> None:
        where, message = _split_where(str(err), path)
        problems.append(Problem(kind or "manifest", "", message, where))

    try:
        for where, data in _numbered_dicts(path, bad_line):
            if from_dict is None:
                cls = resolve_manifest_type(data, where)
                kind = manifest_type_kind(cls) or cls.__name__
                from_dict = cls.element_type.from_dict
            try:
                items.append((from_dict(data), where))
            except (ManifestFieldError, TypeError, ValueError, AttributeError) as err:
                item_id = data.get("id", data.get("recording_id", ""))
                problems.append(Problem(kind or "manifest", str(item_id), f"cannot read the item ({err})", where))
    except (LhotseLiteError, OSError) as err:
        problems.append(Problem(kind or "file", str(path), str(err)))
    if kind is None and not problems:
        problems.append(Problem("file", str(path), "the manifest is empty; its type cannot be detected"))
    return kind, items, problems


def _numbered_dicts(path: Union[str, os.PathLike], bad_line: Any) -> Iterator[Tuple[str, Dict[str, Any]]]:
    if formats.detect_format(path) == "jsonl":
        for lineno, data in formats.iter_jsonl_dicts(path, on_bad_line=bad_line):
            yield f"{path}:{lineno}", data
        return
    for index, data in enumerate(formats.read_list_file(path)):
        if not isinstance(data, dict):
            bad_line(ManifestFormatError(f"{path}[item {index}]: expected a mapping, got {type(data).__name__}"))
            continue
        yield f"{path}[item {index}]", data


def _split_where(message: str, path: Union[str, os.PathLike]) -> Tuple[Optional[str], str]:
    """``("file:line", rest)`` of a message that starts with ``file:line: `` (or ``file[item N]: ``)."""
    head = str(path)
    if message.startswith(head):
        where, sep, rest = message.partition(": ")
        if sep and where.startswith(head):
            return where, rest
    return None, message
