"""VoxConverse: speaker diarization of multi-speaker recordings, annotated with RTTM files.

Layout (``download_voxconverse`` makes it: the audio zips unpacked into ``dev/`` and ``test/``, and
the annotation repository's ``dev/`` and ``test/`` RTTMs beside them, as Lhotse's download does)::

    <corpus_dir>/dev/<name>.wav      <corpus_dir>/dev/<name>.rttm
    <corpus_dir>/test/<name>.wav     <corpus_dir>/test/<name>.rttm

``rttm_dir`` points elsewhere for the annotations (``<rttm_dir>/<split>/<name>.rttm``), e.g. a
checkout of the ``voxconverse`` annotation repository.

One recording per audio file (id = file stem); one supervision per RTTM speaker turn, read with
:meth:`lhotse_lite.supervision.SupervisionSet.from_rttm` (ids ``<name>-<line:06d>``, which sort in
file order; Lhotse numbers them ``<name>-0``, ``<name>-1``, ...), with the speaker label and
``language="English"`` (Lhotse writes ``"en"`` here and ``"English"`` in its other recipes).
VoxConverse's RTTMs number the mono channel ``1``; the supervisions use channel ``0``, the
recording's only channel, as Lhotse's recipe does. As Lhotse's recipe, each split goes through
:func:`lhotse_lite.qa.fix_manifests`: turns ending after the audio (some end 0.3-0.7 ms after it) are
trimmed to its end, turns starting after it are dropped, and a recording whose RTTM has no turn is
left out (one whose turns were all dropped stays, as in Lhotse). With ``split_test=True`` the (larger) test
part is halved into ``dev`` and ``test`` and the original dev part becomes ``train``.

Outputs: ``voxconverse_recordings_<split>.jsonl.gz`` and ``voxconverse_supervisions_<split>.jsonl.gz``.

Example:
    >>> split_files(["a", "b", "c", "d"], ["x", "y", "z"], split_test=True)
    {'train': ['a', 'b', 'c', 'd'], 'dev': ['x'], 'test': ['y', 'z']}
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TypeVar

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.errors import AudioNotFoundError, DownloadError, ManifestFormatError
from lhotse_lite.qa import fix_manifests
from lhotse_lite.recipes.download import extract_archive, is_completed, mark_completed, resumable_download
from lhotse_lite.recipes.preparation import Manifests, Pathlike, corpus_path, finish_split, read_cached_split
from lhotse_lite.supervision import SupervisionSet

__all__ = ["download_voxconverse", "prepare_voxconverse", "split_files"]

CORPUS = "voxconverse"
PARTS = ("dev", "test")
DEV_AUDIO_ZIP = "https://www.robots.ox.ac.uk/~vgg/data/voxconverse/data/voxconverse_dev_wav.zip"
TEST_AUDIO_ZIP = "https://www.robots.ox.ac.uk/~vgg/data/voxconverse/data/voxconverse_test_wav.zip"
ANNOTATIONS_ZIP = "https://github.com/joonson/voxconverse/archive/master.zip"
T = TypeVar("T")


def _unpack_into(archive: Path, pattern: str, targets: Dict[str, Path]) -> None:
    """Unpacks ``archive`` and moves the files matching ``pattern`` below each key folder into its target."""
    with tempfile.TemporaryDirectory(dir=archive.parent) as scratch:
        extract_archive(archive, scratch)
        for part, target in targets.items():
            files = sorted(p for p in Path(scratch).rglob(pattern) if p.parent.name == part or part == "")
            if not files:
                raise DownloadError(
                    f"{archive} holds no {pattern} files{f' in a {part}/ folder' if part else ''}; "
                    "is it the right archive? Delete it and download again"
                )
            target.mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.move(str(path), target / path.name)


def download_voxconverse(
    corpus_dir: Pathlike,
    force_download: bool = False,
    *,
    dev_audio_url: Optional[str] = None,
    test_audio_url: Optional[str] = None,
    annotations_url: Optional[str] = None,
) -> Path:
    """Downloads the VoxConverse audio (dev and test) and RTTM annotations into ``corpus_dir``.

    Skipped when ``corpus_dir`` is already complete; an interrupted download resumes. The zips
    are deleted once unpacked, as Lhotse does.

    Args:
        corpus_dir: Where ``dev/`` and ``test/`` (audio and RTTMs together) are made.
        force_download: Download and unpack again even if complete.
        dev_audio_url: The dev audio zip (``.wav`` files under ``audio/``); default :data:`DEV_AUDIO_ZIP`.
        test_audio_url: The test audio zip; default :data:`TEST_AUDIO_ZIP`.
        annotations_url: A zip of the annotation repository (``dev/*.rttm``, ``test/*.rttm``);
            default :data:`ANNOTATIONS_ZIP`.

    Returns:
        ``corpus_dir`` (Lhotse's function returns nothing).

    Raises:
        DownloadError: no network, a refused URL, or an archive without the expected files.

    Example:
        A folder that is already complete is returned without fetching anything:

        >>> import tempfile
        >>> from lhotse_lite.recipes.download import mark_completed
        >>> corpus = Path(tempfile.mkdtemp())
        >>> mark_completed(corpus)
        >>> download_voxconverse(corpus) == corpus
        True
    """
    corpus = Path(corpus_dir)
    if is_completed(corpus) and not force_download:
        return corpus
    corpus.mkdir(parents=True, exist_ok=True)
    zips = {
        "dev": (dev_audio_url or DEV_AUDIO_ZIP, corpus / "dev.zip"),
        "test": (test_audio_url or TEST_AUDIO_ZIP, corpus / "test.zip"),
        "annotations": (annotations_url or ANNOTATIONS_ZIP, corpus / "annotations.zip"),
    }
    for url, archive in zips.values():
        resumable_download(url, archive, force_download)
    for part in PARTS:
        shutil.rmtree(corpus / part, ignore_errors=True)
        _unpack_into(zips[part][1], "*.wav", {"": corpus / part})
    _unpack_into(zips["annotations"][1], "*.rttm", {part: corpus / part for part in PARTS})
    for _, archive in zips.values():
        archive.unlink()
    mark_completed(corpus)
    return corpus


def split_files(dev: Sequence[T], test: Sequence[T], split_test: bool = False) -> Dict[str, List[T]]:
    """Assigns the dev and test files to splits (``split_test`` halves test into dev and test).

    Example:
        >>> split_files(["d1", "d2"], ["t1", "t2", "t3"], split_test=True)
        {'train': ['d1', 'd2'], 'dev': ['t1'], 'test': ['t2', 't3']}
    """
    if not split_test:
        return {"dev": list(dev), "test": list(test)}
    half = len(test) // 2
    return {"train": list(dev), "dev": list(test[:half]), "test": list(test[half:])}


def prepare_voxconverse(
    corpus_dir: Pathlike,
    output_dir: Optional[Pathlike] = None,
    split_test: bool = False,
    *,
    rttm_dir: Optional[Pathlike] = None,
) -> Manifests:
    """Prepares VoxConverse recordings and speaker-turn supervisions.

    Args:
        corpus_dir: The folder holding ``dev/`` and ``test/`` with the ``.wav`` files.
        output_dir: Where to write the manifests; ``None`` only returns them. Splits whose two
            files are already there are read back instead of prepared again.
        split_test: Use dev as ``train`` and halve test into ``dev`` and ``test``.
        rttm_dir: The folder holding ``dev/`` and ``test/`` with the ``.rttm`` files; defaults to
            ``corpus_dir``.

    Returns:
        ``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: no audio in ``dev/`` or ``test/``, or a recording without its RTTM.
        ManifestFormatError: a malformed RTTM line (``file:line``), or an RTTM naming another
            recording.
        ManifestError: the prepared manifests do not validate, or no turn is left in a split.

    Example:
        >>> import tempfile
        >>> import numpy as np, soundfile as sf
        >>> corpus = Path(tempfile.mkdtemp())
        >>> for split, rid in (("dev", "abjxc"), ("test", "bvyvm")):
        ...     (corpus / split).mkdir()
        ...     sf.write(corpus / split / f"{rid}.wav", np.zeros(32000, dtype=np.float32), 16000)
        ...     _ = (corpus / split / f"{rid}.rttm").write_text(
        ...         f"SPEAKER {rid} 1 0.50 1.00 <NA> <NA> spk00 <NA> <NA>\\n"
        ...         f"SPEAKER {rid} 1 1.20 0.60 <NA> <NA> spk01 <NA> <NA>\\n")
        >>> manifests = prepare_voxconverse(corpus)
        >>> [(s.start, s.duration, s.speaker) for s in manifests["dev"]["supervisions"]]
        [(0.5, 1.0, 'spk00'), (1.2, 0.6, 'spk01')]
    """
    root = corpus_path(corpus_dir)
    annotations = corpus_path(rttm_dir) if rttm_dir is not None else root
    wavs = {part: sorted((root / part).glob("*.wav")) for part in PARTS}
    if not any(wavs.values()):
        raise AudioNotFoundError(f"no VoxConverse audio in {str(root / 'dev')!r} or {str(root / 'test')!r}")
    audio_part = {wav: part for part, files in wavs.items() for wav in files}
    manifests: Manifests = {}
    for split, files in split_files(wavs["dev"], wavs["test"], split_test).items():
        cached = read_cached_split(output_dir, CORPUS, split)
        if cached is not None:
            manifests[split] = cached
            continue
        recordings, supervisions = [], []
        for wav in files:
            rttm = annotations / audio_part[wav] / f"{wav.stem}.rttm"
            if not rttm.is_file():
                raise AudioNotFoundError(f"recording {wav.stem!r} has no RTTM: {str(rttm)!r} does not exist")
            recordings.append(Recording.from_file(wav))
            for turn in SupervisionSet.from_rttm(rttm):
                if turn.recording_id != wav.stem:
                    raise ManifestFormatError(
                        f"{rttm}: a turn names recording {turn.recording_id!r}, expected {wav.stem!r} "
                        "(the RTTM file must describe the audio file of the same name)"
                    )
                supervisions.append(dataclasses.replace(turn, channel=0, language="English"))
        # As Lhotse's recipe: turns past the audio's end are trimmed (some end a fraction of a millisecond
        # after it), those starting after it dropped, and recordings without any turn left out.
        recording_set, supervision_set = fix_manifests(
            RecordingSet.from_recordings(recordings), SupervisionSet.from_segments(supervisions)
        )
        manifests[split] = finish_split(CORPUS, split, list(recording_set), list(supervision_set), output_dir)
    return manifests
