"""yesno (OpenSLR 1): sixty 8 kHz recordings of eight Hebrew "yes"/"no" words each.

Layout (``download_yesno`` unpacks ``waves_yesno.tar.gz`` into ``target_dir``)::

    waves_yesno/0_0_1_0_1_0_1_1.wav     # eight fields, 1 = "yes" (ken), 0 = "no" (lo)

The file name is the transcript. As in Lhotse's recipe the files are sorted by name and split
alternately: even positions are ``train``, odd positions ``test``. One recording and one
supervision per file, both with the file's stem as id; the supervision covers the whole file on
channel 0 with ``text`` such as ``"NO NO YES NO YES NO YES YES"`` and ``language="Hebrew"``.

Outputs: ``yesno_recordings_{train,test}.jsonl.gz`` and ``yesno_supervisions_{train,test}.jsonl.gz``.

Example:
    >>> words_from_name("0_0_1_0_1_0_1_1")
    'NO NO YES NO YES NO YES YES'
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from lhotse_lite.audio import Recording
from lhotse_lite.errors import AudioNotFoundError, ManifestFormatError
from lhotse_lite.recipes.download import fetch_archive
from lhotse_lite.recipes.preparation import (
    Manifests,
    Pathlike,
    corpus_path,
    finish_split,
    read_cached_split,
    whole_recording,
)
from lhotse_lite.supervision import SupervisionSegment

__all__ = ["download_yesno", "prepare_yesno", "words_from_name", "YESNO_URL"]

CORPUS = "yesno"
YESNO_URL = "http://www.openslr.org/resources/1/waves_yesno.tar.gz"
"""Where OpenSLR serves the corpus (4.5 MB)."""
WORDS = {"0": "NO", "1": "YES"}


def download_yesno(target_dir: Pathlike = ".", force_download: bool = False, url: str = YESNO_URL) -> Path:
    """Downloads and unpacks the yesno corpus into ``target_dir/waves_yesno``.

    Skipped when ``waves_yesno`` is already complete; an interrupted download resumes.

    Args:
        target_dir: Where ``waves_yesno.tar.gz`` and the unpacked ``waves_yesno/`` go.
        force_download: Download and unpack again even if complete.
        url: The archive's URL (a mirror, or a ``file://`` copy).

    Returns:
        The ``waves_yesno`` folder.

    Raises:
        DownloadError: no network, a refused URL, or a damaged archive (the message says what to do).

    Example:
        >>> import tempfile
        >>> download_yesno(tempfile.mkdtemp(), url="file:///nonexistent/waves_yesno.tar.gz")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.DownloadError: could not download file:///nonexistent/waves_yesno.tar.gz: ...
    """
    target = Path(target_dir)
    return fetch_archive(url, target / "waves_yesno.tar.gz", target, target / "waves_yesno", force_download)


def words_from_name(stem: str) -> str:
    """The transcript encoded in a yesno file name.

    Raises:
        ManifestFormatError: the name is not eight ``0``/``1`` fields joined by ``_``.

    Example:
        >>> words_from_name("1_1_0_0_1_0_0_0")
        'YES YES NO NO YES NO NO NO'
    """
    fields = stem.split("_")
    if len(fields) != 8 or any(f not in WORDS for f in fields):
        raise ManifestFormatError(
            f"yesno file name {stem!r}: expected eight 0/1 fields joined by '_' (e.g. 0_1_1_0_0_1_0_1)"
        )
    return " ".join(WORDS[f] for f in fields)


def prepare_yesno(corpus_dir: Pathlike, output_dir: Optional[Pathlike] = None) -> Manifests:
    """Prepares the ``train`` and ``test`` manifests of the yesno corpus.

    Args:
        corpus_dir: The ``waves_yesno`` folder, or a folder holding it (``download_yesno``'s
            ``target_dir``).
        output_dir: Where to write the manifests; ``None`` only returns them.

    Returns:
        ``{"train"|"test": {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: no ``*.wav`` files were found.
        ManifestFormatError: a file name does not encode eight words.
        ManifestError: the prepared manifests do not validate.

    Example:
        Sorted by name, files alternate between train and test:

        >>> import tempfile
        >>> import numpy as np, soundfile as sf
        >>> waves = Path(tempfile.mkdtemp()) / "waves_yesno"
        >>> waves.mkdir()
        >>> for name in ("0_0_0_0_1_1_1_1", "0_0_1_0_0_1_1_0", "1_1_1_1_0_0_0_0"):
        ...     sf.write(waves / f"{name}.wav", np.zeros(8000, dtype=np.float32), 8000)
        >>> manifests = prepare_yesno(waves.parent)
        >>> [s.id for s in manifests["train"]["supervisions"]], manifests["test"]["supervisions"][0].text
        (['0_0_0_0_1_1_1_1', '1_1_1_1_0_0_0_0'], 'NO NO YES NO NO YES YES NO')
    """
    root = corpus_path(corpus_dir)
    if not any(root.glob("*.wav")) and (root / "waves_yesno").is_dir():
        root = root / "waves_yesno"
    files = sorted(root.glob("*.wav"))
    if not files:
        raise AudioNotFoundError(f"no yesno *.wav files in {str(root)!r}; pass the waves_yesno folder")
    manifests: Manifests = {}
    for split, chosen in (("train", files[::2]), ("test", files[1::2])):
        cached = read_cached_split(output_dir, CORPUS, split)
        if cached is not None:
            manifests[split] = cached
            continue
        recordings: List[Recording] = []
        supervisions: List[SupervisionSegment] = []
        for path in chosen:
            recording, supervision = whole_recording(path, text=words_from_name(path.stem), language="Hebrew")
            recordings.append(recording)
            supervisions.append(supervision)
        manifests[split] = finish_split(CORPUS, split, recordings, supervisions, output_dir)
    return manifests
