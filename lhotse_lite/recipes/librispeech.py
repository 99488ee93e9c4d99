"""LibriSpeech (and mini LibriSpeech, and the bundled demo corpus): download and manifests.

Layout (``download_librispeech`` unpacks the OpenSLR archives into ``target_dir/LibriSpeech``)::

    LibriSpeech/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac
    LibriSpeech/<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt   # "<utt-id> <TEXT>" lines

Every folder holding ``<speaker>/<chapter>/*.trans.txt`` is a split: ``dev-clean``,
``train-clean-100``, ... for LibriSpeech, ``dev-clean-2`` and ``train-clean-5`` for mini
LibriSpeech, ``dev-clean-demo`` and ``test-clean-demo`` for ``demo_data/LibriSpeech``.

One recording and one supervision per utterance, both with the utterance id
(``1001-2001-0000``); the supervision covers the whole recording, on channel 0, with the
transcript, the speaker (the id's first field) and ``language="English"``, as in Lhotse. Word
alignments (``<speaker>-<chapter>.alignment.txt`` beside the transcripts, or in the same
sub-folders of ``alignments_dir``; the format of the LibriSpeech alignments of Lugosch et al.)
become the supervisions' ``alignment["word"]``.

Outputs: ``librispeech_recordings_<split>.jsonl.gz`` and ``librispeech_supervisions_<split>.jsonl.gz``.

Example:
    >>> from pathlib import Path
    >>> demo = Path(__file__).resolve().parents[2] / "demo_data" / "LibriSpeech"
    >>> manifests = prepare_librispeech(demo, dataset_parts="dev-clean-demo")
    >>> sup = manifests["dev-clean-demo"]["supervisions"]["1001-2001-0000"]
    >>> sup.speaker, sup.text.split()[:3]
    ('1001', ['THE', 'RIVER', 'RAN'])
"""

from __future__ import annotations

import logging
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from tqdm.auto import tqdm

from lhotse_lite.audio import Recording
from lhotse_lite.checks import check_int
from lhotse_lite.errors import AudioNotFoundError, ConfigError, DownloadError, ManifestFormatError
from lhotse_lite.recipes.download import fetch_archive, is_completed, mark_completed, resumable_download
from lhotse_lite.recipes.preparation import (
    Manifests,
    Pathlike,
    corpus_path,
    finish_split,
    read_cached_split,
    whole_recording,
)
from lhotse_lite.supervision import AlignmentItem, SupervisionSegment

__all__ = [
    "LIBRISPEECH",
    "MINI_LIBRISPEECH",
    "download_librispeech",
    "find_librispeech_splits",
    "parse_alignments",
    "prepare_librispeech",
]

logger = logging.getLogger(__name__)

CORPUS = "librispeech"
LIBRISPEECH = (
    "dev-clean",
    "dev-other",
    "test-clean",
    "test-other",
    "train-clean-100",
    "train-clean-360",
    "train-other-500",
)
"""The splits of LibriSpeech (OpenSLR 12)."""
MINI_LIBRISPEECH = ("dev-clean-2", "train-clean-5")
"""The splits of mini LibriSpeech (OpenSLR 31)."""
OPENSLR_URL = "http://www.openslr.org/resources"
ALIGNMENTS_URL = "https://drive.google.com/uc?id=1WYfgr31T-PPwMcxuAq09XZfHQO5Mw8fE"
"""The word alignments of Lugosch et al. (a zip file on Google Drive), as Lhotse fetches them."""
AUDIO_EXTENSIONS = (".flac", ".wav")
_ALIASES = {"librispeech": LIBRISPEECH, "mini_librispeech": MINI_LIBRISPEECH}


def _expand_parts(dataset_parts: Union[str, Sequence[str]]) -> List[str]:
    if isinstance(dataset_parts, str):
        return list(_ALIASES.get(dataset_parts, (dataset_parts,)))
    return [p for part in dataset_parts for p in _expand_parts(part)]


def download_librispeech(
    target_dir: Pathlike = ".",
    dataset_parts: Optional[Union[str, Sequence[str]]] = "mini_librispeech",
    force_download: bool = False,
    alignments: bool = False,
    base_url: str = OPENSLR_URL,
    alignments_url: str = ALIGNMENTS_URL,
) -> Path:
    """Downloads and unpacks LibriSpeech or mini LibriSpeech into ``target_dir/LibriSpeech``.

    Each split is a ``<split>.tar.gz`` archive kept in ``target_dir``; a split already unpacked
    completely is skipped, an interrupted download resumes.

    Args:
        target_dir: Where the archives and the unpacked ``LibriSpeech/`` go.
        dataset_parts: ``"librispeech"`` (all seven splits, about 60 GB), ``"mini_librispeech"``
            (two splits, about 0.45 GB), one split name or a list of them.
        force_download: Download and unpack again even if complete.
        alignments: Also fetch the word alignments zip (``alignments_url``) and unpack it into
            ``target_dir``.
        base_url: The OpenSLR resources URL (or a mirror); archives are
            ``<base_url>/12/<split>.tar.gz`` and ``<base_url>/31/<split>.tar.gz``.
        alignments_url: Where the alignments zip is.

    Returns:
        The ``LibriSpeech`` folder (``prepare_librispeech``'s ``corpus_dir``).

    Raises:
        ConfigError: an unknown split name (Lhotse only warns and skips it).
        DownloadError: no network, a refused URL, or a damaged archive.

    Example:
        >>> import tempfile
        >>> download_librispeech(tempfile.mkdtemp(), "dev-clena")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: unknown LibriSpeech split 'dev-clena'; ...
    """
    target = Path(target_dir)
    corpus = target / "LibriSpeech"
    parts = _expand_parts(dataset_parts if dataset_parts is not None else "mini_librispeech")
    for part in parts:
        if part not in LIBRISPEECH + MINI_LIBRISPEECH:
            raise ConfigError(
                f"unknown LibriSpeech split {part!r}; choose from {list(LIBRISPEECH + MINI_LIBRISPEECH)} "
                "or 'librispeech' / 'mini_librispeech'"
            )
    for part in tqdm(parts, desc="Downloading LibriSpeech splits", leave=False):
        resource = 12 if part in LIBRISPEECH else 31
        archive = target / f"{part}.tar.gz"
        fetch_archive(f"{base_url}/{resource}/{part}.tar.gz", archive, target, corpus / part, force_download)
    if alignments and (force_download or not is_completed(target / "LibriSpeech-Alignments")):
        archive = resumable_download(alignments_url, target / "LibriSpeech-Alignments.zip", force_download)
        if not zipfile.is_zipfile(archive):
            archive.unlink()
            raise DownloadError(
                f"{alignments_url} did not give a zip file (Google Drive answers large files with a confirmation "
                f"page); download it in a browser, save it as {str(archive)!r} and run again"
            )
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
        (target / "LibriSpeech-Alignments").mkdir(exist_ok=True)
        mark_completed(target / "LibriSpeech-Alignments")
    return corpus


def find_librispeech_splits(corpus_dir: Pathlike) -> List[str]:
    """The split folders of a LibriSpeech-style corpus (those holding ``*/*/*.trans.txt``), sorted.

    Example:
        >>> find_librispeech_splits(Path(__file__).resolve().parents[2] / "demo_data" / "LibriSpeech")
        ['dev-clean-demo', 'test-clean-demo']
    """
    root = Path(corpus_dir)
    return sorted(d.name for d in root.iterdir() if d.is_dir() and next(d.glob("*/*/*.trans.txt"), None))


def parse_alignments(ali_path: Pathlike) -> Dict[str, List[AlignmentItem]]:
    """Word alignments of one chapter: ``utt-id ",W1,W2," "0.49,0.89,..."`` lines (end times).

    An empty word is a pause, kept as Lhotse keeps it. Durations are rounded to 8 decimals.

    Raises:
        ManifestFormatError: a malformed line (``file:line``).

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "84-121123.alignment.txt"
        >>> _ = path.write_text('84-121123-0000 ",GO,DO" "0.49,0.89,1.25"\\n')
        >>> [(w.symbol, w.start, w.duration) for w in parse_alignments(path)["84-121123-0000"]]
        [('', 0.0, 0.49), ('GO', 0.49, 0.4), ('DO', 0.89, 0.36)]
    """
    alignments = {}
    path = Path(ali_path)
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        try:
            utt_id, words, times = fields
            ends = [float(t) for t in times.replace('"', "").split(",")]
        except ValueError as err:
            raise ManifestFormatError(
                f'{path}:{lineno}: expected \'<utt-id> ",WORD,..." "END,..."\', got {line.strip()!r}'
            ) from err
        symbols = words.replace('"', "").split(",")
        if len(symbols) != len(ends):
            raise ManifestFormatError(f"{path}:{lineno}: {len(symbols)} words but {len(ends)} end times")
        starts = [0.0, *ends[:-1]]
        alignments[utt_id] = [
            AlignmentItem(symbol=w, start=s, duration=round(e - s, 8)) for w, s, e in zip(symbols, starts, ends)
        ]
    return alignments


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


def _chapter_alignments(root: Path, alignments_root: Path, trans_path: Path) -> Dict[str, List[AlignmentItem]]:
    chapter = trans_path.name[: -len(".trans.txt")]
    ali_path = alignments_root / trans_path.parent.relative_to(root) / f"{chapter}.alignment.txt"
    return parse_alignments(ali_path) if ali_path.is_file() else {}


def _resolve_parts(root: Path, dataset_parts: Union[str, Sequence[str]]) -> List[str]:
    found = find_librispeech_splits(root)
    if dataset_parts == "auto":
        if not found:
            raise AudioNotFoundError(
                f"no LibriSpeech split (a folder with <speaker>/<chapter>/*.trans.txt) under {str(root)!r}; "
                "pass the 'LibriSpeech' folder the archives unpack to"
            )
        return found
    if isinstance(dataset_parts, str) and dataset_parts in _ALIASES:  # the ones present, as Lhotse does
        return [p for p in _ALIASES[dataset_parts] if p in found]
    return _expand_parts(dataset_parts)


def prepare_librispeech(
    corpus_dir: Pathlike,
    alignments_dir: Optional[Pathlike] = None,
    dataset_parts: Union[str, Sequence[str]] = "auto",
    output_dir: Optional[Pathlike] = None,
    normalize_text: str = "none",
    num_jobs: int = 1,
    *,
    allow_missing_audio: bool = False,
) -> Manifests:
    """Prepares recordings and supervisions for each split of a LibriSpeech-style corpus.

    Args:
        corpus_dir: The ``LibriSpeech`` folder holding the split folders.
        alignments_dir: Where the ``*.alignment.txt`` files are, in the corpus's sub-folders;
            default ``corpus_dir``. Utterances without an alignment get none.
        dataset_parts: ``"auto"`` (every split folder found), ``"mini_librispeech"`` or
            ``"librispeech"`` (those of its splits that are present), one split name, or a list.
        output_dir: Where to write the manifests; ``None`` only returns them. Splits whose two
            files are already there are read back instead of prepared again.
        normalize_text: ``"none"`` keeps the upper-case transcripts, ``"lower"`` lower-cases them.
        num_jobs: Threads reading audio headers.
        allow_missing_audio: Skip (with a warning) transcript lines whose audio file is missing,
            instead of failing (Lhotse always skips them).

    Returns:
        ``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: ``corpus_dir`` or a requested split does not exist, no split was
            found, or an utterance's audio is missing (unless ``allow_missing_audio``).
        ManifestFormatError: a malformed transcript or alignment line (``file:line``).
        ManifestError: the prepared manifests do not validate.
        ConfigError: an unknown ``normalize_text`` value or a ``num_jobs`` below 1.

    Example:
        On the committed demo corpus (LibriSpeech layout, 18 utterances):

        >>> demo = Path(__file__).resolve().parents[2] / "demo_data" / "LibriSpeech"
        >>> manifests = prepare_librispeech(demo, normalize_text="lower")
        >>> {split: len(parts["recordings"]) for split, parts in manifests.items()}
        {'dev-clean-demo': 12, 'test-clean-demo': 6}
        >>> manifests["dev-clean-demo"]["supervisions"]["1002-2002-0001"].text
        'the train was late again so we walked home along the frozen canal'
    """
    if normalize_text not in ("none", "lower"):
        raise ConfigError(f"normalize_text must be 'none' or 'lower', got {normalize_text!r}")
    num_jobs = check_int("prepare_librispeech", "num_jobs", num_jobs, minimum=1)
    root = corpus_path(corpus_dir)
    alignments_root = corpus_path(alignments_dir) if alignments_dir is not None else root
    manifests: Manifests = {}
    for part in _resolve_parts(root, dataset_parts):
        cached = read_cached_split(output_dir, CORPUS, part)
        if cached is not None:
            manifests[part] = cached
            continue
        part_dir = root / part
        if not part_dir.is_dir():
            raise AudioNotFoundError(
                f"LibriSpeech split {part!r} not found: {str(part_dir)!r} is not a directory "
                f"(found: {find_librispeech_splits(root)})"
            )
        jobs, alignments = [], {}
        for trans_path in sorted(part_dir.glob("*/*/*.trans.txt")):
            alignments.update(_chapter_alignments(root, alignments_root, trans_path))
            for utt, text, lineno in _parse_transcripts(trans_path):
                jobs.append((trans_path.parent, utt, text, f"{trans_path}:{lineno}"))
        recordings, supervisions = [], []
        with ThreadPoolExecutor(num_jobs) as pool:
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
                if recording.id in alignments:
                    segment = segment.with_alignment("word", alignments[recording.id])
                recordings.append(recording)
                supervisions.append(segment)
        manifests[part] = finish_split(CORPUS, part, recordings, supervisions, output_dir)
    return manifests
