"""LibriSpeech (and mini LibriSpeech, and the bundled demo corpus): manifests from the unpacked corpus.

Expected layout (``corpus_dir`` is the ``LibriSpeech`` folder the archives unpack to)::

    LibriSpeech/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac
    LibriSpeech/<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt   # "<utt-id> <TEXT>" lines

Every folder holding ``<speaker>/<chapter>/*.trans.txt`` is a split: ``dev-clean``,
``train-clean-100``, ... for LibriSpeech, ``dev-clean-2`` and ``train-clean-5`` for mini
LibriSpeech, ``dev-clean-demo`` and ``test-clean-demo`` for ``demo_data/LibriSpeech``.

One recording and one supervision per utterance, both with the utterance id
(``1001-2001-0000``); the supervision covers the whole recording, on channel 0, with the
transcript, the speaker (the id's first field) and ``language="English"``, as in Lhotse.

Outputs: ``librispeech_recordings_<split>.jsonl.gz`` and ``librispeech_supervisions_<split>.jsonl.gz``.

Run it::

    python recipes/librispeech.py demo_data/LibriSpeech manifests/

Example:
    >>> from pathlib import Path
    >>> demo = Path(__file__).resolve().parent.parent / "demo_data" / "LibriSpeech"
    >>> manifests = prepare_librispeech(demo, dataset_parts="dev-clean-demo")
    >>> sup = manifests["dev-clean-demo"]["supervisions"]["1001-2001-0000"]
    >>> sup.speaker, sup.text.split()[:3]
    ('1001', ['THE', 'RIVER', 'RAN'])
"""

from __future__ import annotations

import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

if __package__ in (None, ""):  # run as a script: make the ``recipes`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm.auto import tqdm

from lhotse_lite.audio import Recording
from lhotse_lite.errors import AudioNotFoundError, ManifestFormatError
from lhotse_lite.supervision import SupervisionSegment
from recipes._common import Manifests, Pathlike, corpus_path, finish_split, recipe_main, whole_recording

__all__ = ["prepare_librispeech", "find_librispeech_splits"]

logger = logging.getLogger(__name__)

CORPUS = "librispeech"
AUDIO_EXTENSIONS = (".flac", ".wav")


def find_librispeech_splits(corpus_dir: Pathlike) -> List[str]:
    """The split folders of a LibriSpeech-style corpus (those holding ``*/*/*.trans.txt``), sorted.

    Example:
        >>> find_librispeech_splits(Path(__file__).resolve().parent.parent / "demo_data" / "LibriSpeech")
        ['dev-clean-demo', 'test-clean-demo']
    """
    root = Path(corpus_dir)
    return sorted(d.name for d in root.iterdir() if d.is_dir() and next(d.glob("*/*/*.trans.txt"), None))


def _parse_transcripts(trans_path: Path) -> List[Tuple[str, str, int]]:
    """``(utterance id, text, line number)`` of one ``*.trans.txt`` file."""
    entries = []
    for lineno, line in enumerate(trans_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.strip().split(maxsplit=1)
        utt_id = fields[0]
        if utt_id.count("-") != 2:
            raise ManifestFormatError(
                f"{trans_path}:{lineno}: expected '<speaker>-<chapter>-<utt> TEXT', got {line.strip()!r}"
            )
        entries.append((utt_id, fields[1] if len(fields) > 1 else "", lineno))
    return entries


def _utterance(chapter_dir: Path, utt_id: str, text: str) -> Optional[Tuple[Recording, SupervisionSegment]]:
    for ext in AUDIO_EXTENSIONS:
        audio = chapter_dir / f"{utt_id}{ext}"
        if audio.is_file():
            break
    else:
        return None
    return whole_recording(audio, utt_id, text=text, language="English", speaker=utt_id.split("-")[0])


def prepare_librispeech(
    corpus_dir: Pathlike,
    output_dir: Optional[Pathlike] = None,
    dataset_parts: Union[str, Sequence[str]] = "auto",
    normalize_text: str = "none",
    num_jobs: int = 1,
    allow_missing_audio: bool = False,
) -> Manifests:
    """Prepares recordings and supervisions for each split of a LibriSpeech-style corpus.

    Args:
        corpus_dir: The ``LibriSpeech`` folder holding the split folders.
        output_dir: Where to write the manifests; ``None`` only returns them.
        dataset_parts: ``"auto"`` (every split folder found), one split name, or a list of them.
        normalize_text: ``"none"`` keeps the upper-case transcripts, ``"lower"`` lower-cases them.
        num_jobs: Threads reading audio headers.
        allow_missing_audio: Skip (with a warning) transcript lines whose audio file is missing,
            instead of failing.

    Returns:
        ``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: ``corpus_dir`` or a requested split does not exist, no split was
            found, or an utterance's audio is missing (unless ``allow_missing_audio``).
        ManifestFormatError: a malformed transcript line (``file:line``).
        ManifestError: the prepared manifests do not validate.
        ValueError: an unknown ``normalize_text`` value.

    Example:
        On the committed demo corpus (LibriSpeech layout, 18 utterances):

        >>> demo = Path(__file__).resolve().parent.parent / "demo_data" / "LibriSpeech"
        >>> manifests = prepare_librispeech(demo, normalize_text="lower")
        >>> {split: len(parts["recordings"]) for split, parts in manifests.items()}
        {'dev-clean-demo': 12, 'test-clean-demo': 6}
        >>> manifests["dev-clean-demo"]["supervisions"]["1002-2002-0001"].text
        'the train was late again so we walked home along the frozen canal'
    """
    if normalize_text not in ("none", "lower"):
        raise ValueError(f"normalize_text must be 'none' or 'lower', got {normalize_text!r}")
    root = corpus_path(corpus_dir)
    if dataset_parts == "auto":
        parts = find_librispeech_splits(root)
        if not parts:
            raise AudioNotFoundError(
                f"no LibriSpeech split (a folder with <speaker>/<chapter>/*.trans.txt) under {str(root)!r}; "
                "pass the 'LibriSpeech' folder the archives unpack to"
            )
    else:
        parts = [dataset_parts] if isinstance(dataset_parts, str) else list(dataset_parts)
    manifests: Manifests = {}
    for part in parts:
        part_dir = root / part
        if not part_dir.is_dir():
            raise AudioNotFoundError(
                f"LibriSpeech split {part!r} not found: {str(part_dir)!r} is not a directory "
                f"(found: {find_librispeech_splits(root)})"
            )
        jobs = []
        for trans_path in sorted(part_dir.glob("*/*/*.trans.txt")):
            jobs += [
                (trans_path.parent, utt, text, f"{trans_path}:{n}") for utt, text, n in _parse_transcripts(trans_path)
            ]
        recordings, supervisions = [], []
        with ThreadPoolExecutor(max(1, num_jobs)) as pool:
            results = pool.map(lambda job: _utterance(*job[:3]), jobs)
            for job, result in tqdm(zip(jobs, results), total=len(jobs), desc=f"LibriSpeech {part}", leave=False):
                if result is None:
                    message = f"{job[3]}: no audio file {job[1]}.flac or .wav in {str(job[0])!r}"
                    if not allow_missing_audio:
                        raise AudioNotFoundError(f"{message}; pass allow_missing_audio=True to skip it")
                    logger.warning("%s; skipped", message)
                    continue
                recording, segment = result
                if normalize_text == "lower":
                    segment = segment.transform_text(str.lower)
                recordings.append(recording)
                supervisions.append(segment)
        manifests[part] = finish_split(CORPUS, part, recordings, supervisions, output_dir)
    return manifests


def _add_arguments(parser) -> None:
    parser.add_argument("--dataset-parts", dest="dataset_parts", nargs="+", default="auto",
                        help="splits to prepare (default: every split folder found)")
    parser.add_argument("--normalize-text", dest="normalize_text", choices=("none", "lower"), default="none")
    parser.add_argument("--num-jobs", dest="num_jobs", type=int, default=1, help="header-reading threads")
    parser.add_argument("--allow-missing-audio", dest="allow_missing_audio", action="store_true",
                        help="skip transcript lines without audio instead of failing")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python recipes/librispeech.py CORPUS_DIR OUTPUT_DIR [options]``."""
    return recipe_main(prepare_librispeech, "Prepare LibriSpeech-style manifests.", argv, _add_arguments)


if __name__ == "__main__":
    sys.exit(main())
