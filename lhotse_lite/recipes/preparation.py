"""What every recipe shares: finding the corpus, whole-file supervisions, and finishing a split.

A recipe turns one split of a corpus into recordings and supervisions and hands them to
:func:`finish_split`, which sorts them by id, validates the pair (ids unique, every supervision
inside its recording on one of its channels, audio files present; the checks of
``lite manifest validate``) and, given an output folder, writes
``<prefix>_recordings_<split>.jsonl.gz`` and ``<prefix>_supervisions_<split>.jsonl.gz`` (each
written atomically). The ``prepare_*`` functions return Lhotse's shape,
``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

A split whose two files are already in the output folder is read back instead of prepared again
(:func:`read_cached_split`, as Lhotse's LibriSpeech recipe does), so a re-run after an interruption
redoes only the unfinished splits. Delete the files to prepare a split afresh.

Example:
    >>> from lhotse_lite.audio import AudioSource, Recording
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> rec = Recording("r1", [AudioSource("file", [0], "r1.wav")], 16000, 16000, 1.0)
    >>> finish_split("toy", "dev", [rec], [SupervisionSegment("s1", "r1", 0.5, 1.0)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.ManifestError: toy split 'dev': 2 problem(s) in the prepared manifests:
      recordings[r1]: audio file does not exist: r1.wav
      supervisions[s1]: ...
    Check that the corpus is complete and unmodified.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ManifestError
from lhotse_lite.recipes.utils import manifests_exist, output_file
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.types import Pathlike
from lhotse_lite.validation import validate_manifests

__all__ = [
    "AUDIO_EXTENSIONS",
    "Manifests",
    "Pathlike",
    "corpus_path",
    "finish_split",
    "manifest_paths",
    "read_cached_split",
    "whole_recording",
]

logger = logging.getLogger(__name__)

Manifests = Dict[str, Dict[str, Union[RecordingSet, SupervisionSet]]]
"""Split name -> ``{"recordings": RecordingSet, "supervisions": SupervisionSet}`` (Lhotse's shape)."""

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3")
"""File extensions the recipes treat as audio (read with libsndfile)."""

_LISTED_PROBLEMS = 50


def whole_recording(
    path: Pathlike, recording_id: Optional[str] = None, **fields: Any
) -> Tuple[Recording, SupervisionSegment]:
    """A recording of an audio file and one supervision covering all of it, on all its channels.

    Args:
        path: The audio file (its header is read for the sampling rate, length and channels).
        recording_id: The id of both; default the file stem.
        **fields: Other supervision fields (``text``, ``speaker``, ``language``, ...).

    Returns:
        ``(recording, supervision)``; the supervision's ``channel`` is ``0`` for mono audio and the
        list of channel ids otherwise.

    Example:
        >>> import tempfile
        >>> import numpy as np, soundfile as sf
        >>> path = Path(tempfile.mkdtemp()) / "0_1_1.wav"
        >>> sf.write(path, np.zeros((8000, 2), dtype=np.float32), 8000)
        >>> recording, supervision = whole_recording(path, text="NO YES YES")
        >>> recording.id, supervision.duration, supervision.channel, supervision.text
        ('0_1_1', 1.0, [0, 1], 'NO YES YES')
    """
    recording = Recording.from_file(path, recording_id=recording_id)
    channels = recording.channel_ids or []  # never None: Recording fills it from its sources
    supervision = SupervisionSegment(
        id=recording.id,
        recording_id=recording.id,
        start=0.0,
        duration=recording.duration,
        channel=channels[0] if len(channels) == 1 else list(channels),
        **fields,
    )
    return recording, supervision


def corpus_path(corpus_dir: Pathlike) -> Path:
    """The corpus folder as an absolute path, so manifests stay valid from any working directory.

    Raises:
        AudioNotFoundError: ``corpus_dir`` is not a directory.

    Example:
        >>> corpus_path(".").is_absolute()
        True
    """
    path = Path(corpus_dir).expanduser().resolve()
    if not path.is_dir():
        raise AudioNotFoundError(
            f"corpus directory {str(corpus_dir)!r} does not exist or is not a directory; "
            "pass the folder that holds the unpacked corpus"
        )
    return path


def manifest_paths(output_dir: Pathlike, prefix: str, split: str) -> Dict[str, Union[Path, str]]:
    """Where a split's manifests are written (Lhotse's file names): paths, or URLs under a URL folder.

    Example:
        >>> sorted(p.name for p in manifest_paths("out", "yesno", "train").values())
        ['yesno_recordings_train.jsonl.gz', 'yesno_supervisions_train.jsonl.gz']
        >>> manifest_paths("s3://bucket/out", "yesno", "train")["recordings"]
        's3://bucket/out/yesno_recordings_train.jsonl.gz'
    """
    return {
        "recordings": output_file(output_dir, f"{prefix}_recordings_{split}.jsonl.gz"),
        "supervisions": output_file(output_dir, f"{prefix}_supervisions_{split}.jsonl.gz"),
    }


def read_cached_split(
    output_dir: Optional[Pathlike], prefix: str, split: str
) -> Optional[Dict[str, Union[RecordingSet, SupervisionSet]]]:
    """A split prepared earlier: both of its files read back, or ``None`` when either is missing.

    Args:
        output_dir: The recipe's output folder (``None``: nothing is cached).
        prefix: The file-name prefix (``librispeech``).
        split: The split name.

    Example:
        >>> import tempfile
        >>> read_cached_split(tempfile.mkdtemp(), "yesno", "train") is None
        True
    """
    if output_dir is None or not manifests_exist(split, output_dir, prefix=prefix):
        return None
    paths = manifest_paths(output_dir, prefix, split)
    logger.info(
        "%s %s: reusing %s and %s (delete them to prepare the split again)",
        prefix,
        split,
        paths["recordings"],
        paths["supervisions"],
    )
    return {
        "recordings": RecordingSet.from_file(paths["recordings"]),
        "supervisions": SupervisionSet.from_file(paths["supervisions"]),
    }


def finish_split(
    prefix: str,
    split: str,
    recordings: Sequence[Recording],
    supervisions: Sequence[SupervisionSegment],
    output_dir: Optional[Pathlike] = None,
) -> Dict[str, Union[RecordingSet, SupervisionSet]]:
    """Builds, validates and (optionally) writes the manifests of one split.

    Items are sorted by id, so the output does not depend on the file system's listing order.

    Args:
        prefix: The corpus name used in the file names (``librispeech``).
        split: The split name used in the file names (``dev-clean``).
        recordings: The split's recordings.
        supervisions: The split's supervisions.
        output_dir: Where to write the two ``.jsonl.gz`` files; ``None`` writes nothing.

    Returns:
        ``{"recordings": RecordingSet, "supervisions": SupervisionSet}``.

    Raises:
        ManifestError: the manifests are inconsistent; the message lists every problem.
        DuplicateIdError: two recordings or two supervisions share an id.

    Example:
        >>> import tempfile
        >>> import numpy as np, soundfile as sf
        >>> folder = Path(tempfile.mkdtemp())
        >>> for name in ("b", "a"):
        ...     sf.write(folder / f"{name}.wav", np.zeros(1600, dtype=np.float32), 16000)
        >>> pairs = [whole_recording(folder / f"{name}.wav") for name in ("b", "a")]
        >>> parts = finish_split("toy", "dev", [r for r, _ in pairs], [s for _, s in pairs], folder / "out")
        >>> list(parts["recordings"].ids), sorted(p.name for p in (folder / "out").glob("*.gz"))
        (['a', 'b'], ['toy_recordings_dev.jsonl.gz', 'toy_supervisions_dev.jsonl.gz'])
    """
    recording_set = RecordingSet.from_recordings(sorted(recordings, key=lambda r: r.id))
    supervision_set = SupervisionSet.from_segments(sorted(supervisions, key=lambda s: s.id))
    problems = [str(p) for p in validate_manifests(recordings=recording_set, supervisions=supervision_set)]
    if problems:
        listing = "\n  ".join(problems[:_LISTED_PROBLEMS])
        more = f"\n  ... and {len(problems) - _LISTED_PROBLEMS} more" if len(problems) > _LISTED_PROBLEMS else ""
        raise ManifestError(
            f"{prefix} split {split!r}: {len(problems)} problem(s) in the prepared manifests:\n  {listing}{more}\n"
            "Check that the corpus is complete and unmodified."
        )
    if output_dir is not None:
        paths = manifest_paths(output_dir, prefix, split)
        if isinstance(paths["recordings"], Path):  # (a URL folder needs no creating)
            paths["recordings"].parent.mkdir(parents=True, exist_ok=True)
        # recordings first: a split counts as finished (read_cached_split) once its supervisions exist
        recording_set.to_file(paths["recordings"])
        supervision_set.to_file(paths["supervisions"])
        logger.info("%s %s: wrote %s and %s", prefix, split, paths["recordings"], paths["supervisions"])
    logger.info("%s %s: %d recordings, %d supervisions", prefix, split, len(recording_set), len(supervision_set))
    return {"recordings": recording_set, "supervisions": supervision_set}
