"""What every recipe shares: validating a split's manifests, writing them, and the script front end.

A recipe turns one split of a corpus into a :class:`~lhotse_lite.audio.RecordingSet` and a
:class:`~lhotse_lite.supervision.SupervisionSet`, calls :func:`finish_split`, and returns
``{split: {"recordings": ..., "supervisions": ...}}``. :func:`finish_split` validates the pair
(ids unique, every supervision inside its recording on one of its channels, audio files present)
and, when an output directory is given, writes
``<corpus>_recordings_<split>.jsonl.gz`` and ``<corpus>_supervisions_<split>.jsonl.gz``.

Validation is the library's :func:`lhotse_lite.validation.validate_manifests` (the checks of
``lite manifest validate``), with audio files checked on disk.

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

import argparse
import logging
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.errors import AudioNotFoundError, LhotseLiteError, ManifestError
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.units import to_hours
from lhotse_lite.validation import validate_manifests

__all__ = [
    "AUDIO_EXTENSIONS",
    "Manifests",
    "Pathlike",
    "corpus_path",
    "finish_split",
    "manifest_paths",
    "recipe_main",
    "whole_recording",
]

logger = logging.getLogger(__name__)

Pathlike = Union[str, Path]
Manifests = Dict[str, Dict[str, Union[RecordingSet, SupervisionSet]]]
"""Split name -> ``{"recordings": RecordingSet, "supervisions": SupervisionSet}``."""

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3")
"""File extensions the recipes treat as audio (read with libsndfile)."""

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
    channels = recording.channel_ids
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
    """The corpus directory as an absolute path, so manifests stay valid from any working directory.

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


def manifest_paths(output_dir: Pathlike, corpus: str, split: str) -> Dict[str, Path]:
    """Where a split's manifests are written.

    Example:
        >>> sorted(p.name for p in manifest_paths("out", "yesno", "train").values())
        ['yesno_recordings_train.jsonl.gz', 'yesno_supervisions_train.jsonl.gz']
    """
    out = Path(output_dir)
    return {
        "recordings": out / f"{corpus}_recordings_{split}.jsonl.gz",
        "supervisions": out / f"{corpus}_supervisions_{split}.jsonl.gz",
    }


def finish_split(
    corpus: str,
    split: str,
    recordings: Sequence[Recording],
    supervisions: Sequence[SupervisionSegment],
    output_dir: Optional[Pathlike] = None,
) -> Dict[str, Union[RecordingSet, SupervisionSet]]:
    """Builds, validates and (optionally) writes the manifests of one split.

    Items are sorted by id, so the output does not depend on the file system's listing order.

    Args:
        corpus: The corpus name used in the file names (``librispeech``).
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
        >>> list(parts["recordings"].ids), sorted(p.name for p in (folder / "out").iterdir())
        (['a', 'b'], ['toy_recordings_dev.jsonl.gz', 'toy_supervisions_dev.jsonl.gz'])
    """
    recording_set = RecordingSet.from_recordings(sorted(recordings, key=lambda r: r.id))
    supervision_set = SupervisionSet.from_segments(sorted(supervisions, key=lambda s: s.id))
    problems = [str(p) for p in validate_manifests(recordings=recording_set, supervisions=supervision_set)]
    if problems:
        listing = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise ManifestError(
            f"{corpus} split {split!r}: {len(problems)} problem(s) in the prepared manifests:\n  {listing}{more}\n"
            "Check that the corpus is complete and unmodified."
        )
    if output_dir is not None:
        paths = manifest_paths(output_dir, corpus, split)
        paths["recordings"].parent.mkdir(parents=True, exist_ok=True)
        recording_set.to_file(paths["recordings"])
        supervision_set.to_file(paths["supervisions"])
        logger.info("%s %s: wrote %s and %s", corpus, split, paths["recordings"], paths["supervisions"])
    logger.info("%s %s: %d recordings, %d supervisions", corpus, split, len(recording_set), len(supervision_set))
    return {"recordings": recording_set, "supervisions": supervision_set}


def recipe_main(
    prepare: Callable[..., Manifests],
    description: str,
    argv: Optional[Sequence[str]] = None,
    add_arguments: Optional[Callable[[argparse.ArgumentParser], None]] = None,
) -> int:
    """The command-line front end shared by the recipe scripts.

    Parses ``CORPUS_DIR OUTPUT_DIR`` plus the options ``add_arguments`` adds (passed to
    ``prepare`` as keyword arguments under their ``dest`` names), runs ``prepare`` and prints one
    line per split. Errors of the library become ``Error: ...`` and exit status 1.

    Args:
        prepare: The recipe's ``prepare_<corpus>(corpus_dir, output_dir, **options)`` function.
        description: The ``--help`` text.
        argv: Arguments (defaults to ``sys.argv[1:]``).
        add_arguments: Adds the recipe's own options to the parser.

    Returns:
        The exit status.

    Example:
        >>> import tempfile
        >>> from recipes.yesno import prepare_yesno
        >>> empty, out = tempfile.mkdtemp(), tempfile.mkdtemp()
        >>> recipe_main(prepare_yesno, "Prepare yesno.", [empty, out, "--log-level", "WARNING"])  # doctest: +ELLIPSIS
        Error: no yesno *.wav files in '...'; pass the waves_yesno folder
        1
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("corpus_dir", type=Path, help="the unpacked corpus")
    parser.add_argument("output_dir", type=Path, help="where to write the .jsonl.gz manifests")
    parser.add_argument("--log-level", default="INFO", help="logging level (default: INFO)")
    if add_arguments is not None:
        add_arguments(parser)
    args = vars(parser.parse_args(argv))
    logging.basicConfig(level=args.pop("log_level").upper(), format="%(levelname)s %(name)s: %(message)s")
    corpus_dir, output_dir = args.pop("corpus_dir"), args.pop("output_dir")
    try:
        manifests = prepare(corpus_dir, output_dir, **args)
    except LhotseLiteError as err:
        print(f"Error: {err}")
        return 1
    for split, parts in manifests.items():
        recs, sups = parts["recordings"], parts["supervisions"]
        hours = to_hours(sum(r.duration for r in recs))
        print(f"{split}: {len(recs)} recordings ({hours:.3f} h), {len(sups)} supervisions")
    return 0
