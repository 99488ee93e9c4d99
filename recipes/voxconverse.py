"""VoxConverse: speaker diarization of multi-speaker recordings, annotated with RTTM files.

Expected layout (the one Lhotse's download helper produces: the audio zips unpacked into
``dev/`` and ``test/`` and the annotation repository's ``dev/`` and ``test/`` RTTMs beside them)::

    <corpus_dir>/dev/<name>.wav      <corpus_dir>/dev/<name>.rttm
    <corpus_dir>/test/<name>.wav     <corpus_dir>/test/<name>.rttm

``rttm_dir`` points elsewhere for the annotations (``<rttm_dir>/<split>/<name>.rttm``), e.g. a
checkout of the ``voxconverse`` annotation repository.

One recording per audio file (id = file stem); one supervision per RTTM speaker turn, read with
:meth:`lhotse_lite.supervision.SupervisionSet.from_rttm` (ids ``<name>-<line:06d>``), with the
speaker label and ``language="English"``. VoxConverse's RTTMs number the mono channel ``1``; the
supervisions use channel ``0``, the recording's only channel, as Lhotse's recipe does. With
``split_test=True`` the (larger) test part is halved into ``dev`` and ``test`` and the original
dev part becomes ``train``.

Outputs: ``voxconverse_recordings_<split>.jsonl.gz`` and ``voxconverse_supervisions_<split>.jsonl.gz``.

Run it::

    python recipes/voxconverse.py /data/voxconverse manifests/

Example:
    >>> split_files(["a", "b", "c", "d"], ["x", "y", "z"], split_test=True)
    {'train': ['a', 'b', 'c', 'd'], 'dev': ['x'], 'test': ['y', 'z']}
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, TypeVar

if __package__ in (None, ""):  # run as a script: make the ``recipes`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lhotse_lite.audio import Recording
from lhotse_lite.errors import AudioNotFoundError, ManifestFormatError
from lhotse_lite.supervision import SupervisionSet
from recipes._common import Manifests, Pathlike, corpus_path, finish_split, recipe_main

__all__ = ["prepare_voxconverse", "split_files"]

CORPUS = "voxconverse"
PARTS = ("dev", "test")
T = TypeVar("T")


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
    rttm_dir: Optional[Pathlike] = None,
    split_test: bool = False,
) -> Manifests:
    """Prepares VoxConverse recordings and speaker-turn supervisions.

    Args:
        corpus_dir: The folder holding ``dev/`` and ``test/`` with the ``.wav`` files.
        output_dir: Where to write the manifests; ``None`` only returns them.
        rttm_dir: The folder holding ``dev/`` and ``test/`` with the ``.rttm`` files; defaults to
            ``corpus_dir``.
        split_test: Use dev as ``train`` and halve test into ``dev`` and ``test``.

    Returns:
        ``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: no audio in ``dev/`` or ``test/``, or a recording without its RTTM.
        ManifestFormatError: a malformed RTTM line (``file:line``), or an RTTM naming another
            recording.
        ManifestError: the prepared manifests do not validate (e.g. a turn past the end).

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
        manifests[split] = finish_split(CORPUS, split, recordings, supervisions, output_dir)
    return manifests


def _add_arguments(parser) -> None:
    parser.add_argument("--rttm-dir", dest="rttm_dir", type=Path, default=None,
                        help="folder with dev/ and test/ RTTMs (default: CORPUS_DIR)")
    parser.add_argument("--split-test", dest="split_test", action="store_true",
                        help="dev becomes train; test is halved into dev and test")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python recipes/voxconverse.py CORPUS_DIR OUTPUT_DIR [options]``."""
    return recipe_main(prepare_voxconverse, "Prepare VoxConverse diarization manifests.", argv, _add_arguments)


if __name__ == "__main__":
    sys.exit(main())
