"""What produced a resumable feature output: the sidecar file, and what a resume may keep.

:class:`~lhotse_lite.features.builder.FeatureSetBuilder` resumes an output manifest only if the same
job produced it. Before it writes the first line of a new output manifest ``<manifest>`` it writes
``<manifest>.producer.json`` beside it (atomically: a temporary file renamed into place), a JSON
object::

    {"feature_format_version": 1,
     "extractor": "kaldi-fbank",
     "extractor_config": {"feature_type": "kaldi-fbank", "num_filters": 80, ...},
     "storage_type": "lilcom_chunky",
     "storage_options": {"tick_power": -5},
     "augment_fn": null,
     "lhotse_lite_version": "0.1.0"}

A resume (:class:`ResumeGuard`) compares every field but ``lhotse_lite_version`` and ``augment_fn``
(and the extractor's ``device``, which does not change the features) with the current job and refuses
any difference
(:class:`~lhotse_lite.errors.ResumeMismatchError`, naming each difference, the kept and the new
value, and the ways out: ``--overwrite`` / ``overwrite=True``, or another folder). ``augment_fn`` is
recorded by its qualified name for reference only: a name says too little about a function (every
lambda is ``<lambda>``) to refuse or accept a resume by it. An output without the sidecar
(written by an older lhotse_lite, or by Lhotse) is checked through its kept rows instead: their
feature type and storage type must be this job's, and the sidecar is then written.

A kept row is recomputed, not kept, when its recording no longer matches it: another sampling rate,
duration or number of samples in the recording manifest (:func:`row_matches_recording`). The audio
itself is not hashed: audio replaced by audio of the same length and rate goes unnoticed.

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.features.kaldi.extractors import Fbank
    >>> from lhotse_lite.features.io import get_writer
    >>> folder = tempfile.mkdtemp()
    >>> job = describe_job(Fbank(), get_writer("lilcom_chunky")(os.path.join(folder, "feats")))
    >>> write_producer(os.path.join(folder, "feats.jsonl.gz"), job)
    >>> sorted(os.listdir(folder))
    ['feats.jsonl.gz.producer.json']
    >>> other = describe_job(Fbank.from_dict({"feature_type": "kaldi-fbank", "num_filters": 40}),
    ...                      get_writer("lilcom_chunky")(os.path.join(folder, "feats")))
    >>> differences(read_producer(os.path.join(folder, "feats.jsonl.gz")), other)
    ['extractor_config.num_filters: 80 (kept) vs 40 (this run)']
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from lhotse_lite import remote
from lhotse_lite.errors import ManifestFormatError, ResumeMismatchError
from lhotse_lite.safe_writes import atomic_open
from lhotse_lite.types import Pathlike
from lhotse_lite.units import compute_num_samples
from lhotse_lite.version import __version__

__all__ = [
    "FEATURE_FORMAT_VERSION",
    "PRODUCER_SUFFIX",
    "producer_path",
    "describe_job",
    "write_producer",
    "read_producer",
    "differences",
    "ResumeGuard",
    "row_matches_recording",
]

logger = logging.getLogger(__name__)

FEATURE_FORMAT_VERSION = 1
"""The version of how lhotse_lite computes and stores features; raised when stored output would change."""

PRODUCER_SUFFIX = ".producer.json"
"""Appended to an output manifest's name to name its sidecar."""

_NOT_COMPARED = {"lhotse_lite_version", "augment_fn"}
_STORAGE_OPTIONS = ("tick_power", "compression_method")  # what changes the stored values
_CONFIG_NOT_COMPARED = {"device"}


def producer_path(manifest: Pathlike) -> Pathlike:
    """The sidecar of an output manifest: ``<manifest>.producer.json`` (a URL for a URL manifest).

    Example:
        >>> str(producer_path("out/feats.jsonl.gz"))
        'out/feats.jsonl.gz.producer.json'
    """
    if remote.is_url(manifest):
        return f"{manifest}{PRODUCER_SUFFIX}"
    path = Path(manifest)
    return path.with_name(path.name + PRODUCER_SUFFIX)


def describe_job(extractor: Any, storage: Any, augment_fn: Optional[Any] = None) -> Dict[str, Any]:
    """What a feature job is, as written to the sidecar (JSON types only).

    Args:
        extractor: The feature extractor.
        storage: The storage writer (its ``name`` and, where it has them, its ``tick_power`` (lilcom
            precision) and ``compression_method`` (Kaldi ark compression)).
        augment_fn: The augmentation function, or ``None``.

    Example:
        >>> from lhotse_lite.features.kaldi.extractors import Mfcc
        >>> from lhotse_lite.features.io import get_writer
        >>> job = describe_job(Mfcc(), get_writer("memory_npy")())
        >>> job["extractor"], job["storage_type"], job["storage_options"], job["extractor_config"]["num_ceps"]
        ('kaldi-mfcc', 'memory_npy', {}, 13)
    """
    options = {name: getattr(storage, name) for name in _STORAGE_OPTIONS if hasattr(storage, name)}
    augment = None
    if augment_fn is not None:
        name = getattr(augment_fn, "__qualname__", type(augment_fn).__qualname__)
        augment = f"{getattr(augment_fn, '__module__', '?')}.{name}"
    job = {
        "feature_format_version": FEATURE_FORMAT_VERSION,
        "extractor": extractor.name,
        "extractor_config": extractor.to_dict(),
        "storage_type": storage.name,
        "storage_options": options,
        "augment_fn": augment,
        "lhotse_lite_version": __version__,
    }
    return json.loads(json.dumps(job, default=str))  # tuples become lists, as when read back


def write_producer(manifest: Pathlike, job: Dict[str, Any]) -> None:
    """Writes the sidecar of ``manifest`` atomically."""
    with atomic_open(producer_path(manifest)) as file:
        file.write((json.dumps(job, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def read_producer(manifest: Pathlike) -> Optional[Dict[str, Any]]:
    """The sidecar of ``manifest``, or ``None`` when there is none.

    Raises:
        ManifestFormatError: It exists but is not a JSON object.
    """
    path = producer_path(manifest)
    try:
        text = remote.read_bytes(path).decode("utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ManifestFormatError(
            f"{path}: not valid JSON ({err}); it records what produced {manifest}. "
            f"Start over (--overwrite) or write to another folder"
        ) from err
    if not isinstance(data, dict):
        raise ManifestFormatError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def differences(kept: Dict[str, Any], current: Dict[str, Any]) -> List[str]:
    """Every compared field in which two job descriptions differ, as ``"field: kept (kept) vs new (this run)"``.

    Example:
        >>> differences({"extractor": "kaldi-fbank"}, {"extractor": "kaldi-mfcc"})
        ["extractor: 'kaldi-fbank' (kept) vs 'kaldi-mfcc' (this run)"]
    """
    found = []
    for key in sorted(set(kept) | set(current)):
        if key in _NOT_COMPARED:
            continue
        old, new = kept.get(key), current.get(key)
        if key == "extractor_config" and kept.get("extractor") != current.get("extractor"):
            continue  # another extractor altogether: its fields say nothing more
        if key == "extractor_config" and isinstance(old, dict) and isinstance(new, dict):
            for field in sorted(set(old) | set(new)):
                if field not in _CONFIG_NOT_COMPARED and not _same(old.get(field), new.get(field)):
                    found.append(f"{key}.{field}: {old.get(field)!r} (kept) vs {new.get(field)!r} (this run)")
        elif not _same(old, new):
            found.append(f"{key}: {old!r} (kept) vs {new!r} (this run)")
    return found


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


class ResumeGuard:
    """Decides, line by line, what a resume of an output manifest keeps (``SequentialJsonlWriter(keep=...)``).

    Called with each complete line (a dict) the resume would keep, before the writer rewrites
    anything: at the first line it refuses the resume if another job produced the output (the sidecar
    differs from ``job``; without a sidecar, every line must have ``job``'s feature type and storage
    type); it drops (returns ``False`` for) a line whose recording is in ``recordings`` but no longer
    matches it (:func:`row_matches_recording`), so that recording is extracted again. Lines of
    recordings not in ``recordings`` are kept. After the writer has opened, :meth:`finish` writes the
    sidecar for a new output or one that had none.

    Args:
        manifest: The output manifest.
        job: :func:`describe_job` of this run.
        recordings: This run's recordings.

    Attributes:
        stale: Ids of the recordings whose kept rows were dropped.

    Example:
        >>> import os, tempfile
        >>> from lhotse_lite.audio import AudioSource, Recording
        >>> rec = Recording("a", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0)
        >>> job = {"extractor": "kaldi-fbank", "storage_type": "memory_npy"}
        >>> guard = ResumeGuard(os.path.join(tempfile.mkdtemp(), "feats.jsonl"), job, [rec])
        >>> row = {"type": "kaldi-fbank", "storage_type": "memory_npy", "recording_id": "a",
        ...        "sampling_rate": 16000, "duration": 1.0}
        >>> guard(row), guard(dict(row, duration=0.5)), guard.stale
        (True, False, ['a'])
        >>> guard(dict(row, type="kaldi-mfcc"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ResumeMismatchError: cannot resume ...: feature type 'kaldi-mfcc' (kept rows) vs ...
    """

    def __init__(self, manifest: Pathlike, job: Dict[str, Any], recordings: Iterable[Any]) -> None:
        self.manifest = manifest if remote.is_url(manifest) else Path(manifest)
        self.job = job
        self.recordings = {recording.id: recording for recording in recordings}
        self.stale: List[str] = []
        self._recorded: Optional[Dict[str, Any]] = None
        self._rows = 0

    def __call__(self, row: Dict[str, Any]) -> bool:
        if not isinstance(row, dict):
            return True  # not a features row: reading it back names the line
        if self._rows == 0:
            self._recorded = read_producer(self.manifest)
            if self._recorded is not None:
                self._refuse(differences(self._recorded, self.job), f"{producer_path(self.manifest)} records")
        self._rows += 1
        if self._recorded is None:
            self._refuse(_row_differences(row, self.job), f"line {self._rows} of its kept rows holds")
        recording = self.recordings.get(row.get("recording_id"))
        if recording is None or row_matches_recording(row, recording):
            return True
        if recording.id not in self.stale:
            self.stale.append(recording.id)
        return False

    def finish(self) -> None:
        """Writes the sidecar unless the resumed output had one (call once the writer is open)."""
        if self._recorded is None:
            if self._rows:
                logger.info(
                    "%s had no %s sidecar; its rows match this run: resumed, sidecar written",
                    self.manifest,
                    PRODUCER_SUFFIX,
                )
            write_producer(self.manifest, self.job)
        if self.stale:
            logger.warning(
                "%s: %d recording(s) changed since their features were stored (duration, sample "
                "count or sampling rate); extracting them again: %s",
                self.manifest,
                len(self.stale),
                ", ".join(self.stale[:10]),
            )

    def _refuse(self, found: List[str], source: str) -> None:
        if found:
            raise ResumeMismatchError(
                f"cannot resume {self.manifest}: another job produced it; {source} what differs from "
                f"this run: {'; '.join(found)}. Resuming would mix both in one manifest. Start over with "
                f"--overwrite (overwrite=True), which discards the kept rows, or write to another folder"
            )


def _row_differences(row: Dict[str, Any], job: Dict[str, Any]) -> List[str]:
    found = []
    if row.get("type") != job["extractor"]:
        found.append(f"feature type {row.get('type')!r} (kept rows) vs {job['extractor']!r} (this run)")
    if row.get("storage_type") != job["storage_type"]:
        found.append(f"storage type {row.get('storage_type')!r} (kept rows) vs {job['storage_type']!r} (this run)")
    return found


def row_matches_recording(row: Dict[str, Any], recording: Any) -> bool:
    """Whether a kept features row (a dict) still describes ``recording``: the same sampling rate,
    duration and number of samples.

    Example:
        >>> from lhotse_lite.audio import AudioSource, Recording
        >>> rec = Recording("a", [AudioSource("file", [0], "a.wav")], 16000, 16000, 1.0)
        >>> row = {"recording_id": "a", "sampling_rate": 16000, "duration": 1.0}
        >>> row_matches_recording(row, rec), row_matches_recording(dict(row, duration=2.0), rec)
        (True, False)
    """
    rate, duration = row.get("sampling_rate"), row.get("duration")
    if rate != recording.sampling_rate or not isinstance(duration, (int, float)):
        return False
    if abs(duration - recording.duration) > 1e-6:
        return False
    if compute_num_samples(recording.duration, rate) != recording.num_samples:
        return True  # the recording disagrees with itself: its duration is what the row was made from
    return compute_num_samples(duration, rate) == recording.num_samples
