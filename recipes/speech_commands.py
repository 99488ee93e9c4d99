"""Google Speech Commands v1/v2 (and the bundled keyword demo): manifests split by the official lists.

Expected layout (``corpus_dir`` is the folder ``speech_commands_v0.0{1,2}.tar.gz`` unpacks to)::

    <corpus_dir>/<word>/<speaker>_nohash_<n>.wav     # 1 s, 16 kHz clips (FLAC accepted too)
    <corpus_dir>/validation_list.txt                 # "<word>/<speaker>_nohash_<n>.wav" lines
    <corpus_dir>/testing_list.txt
    <corpus_dir>/_background_noise_/*.wav            # optional, long noise recordings

Versions 1 and 2 share this layout (v2 adds five words), so one recipe reads both. A parent folder
holding exactly one ``speech_commands_v0.0*`` folder is accepted too.

Splits follow the lists, as TensorFlow's reference pipeline does: ``valid`` = the files in
``validation_list.txt``, ``test`` = those in ``testing_list.txt``, ``train`` = every other clip.
List entries match clips by path without extension, so lists naming ``.wav`` files still match a
corpus stored as FLAC (and the reverse). Folders starting with ``_`` are not words.

Ids are the relative path with ``/`` replaced by ``_`` and no extension
(``yes_0a7c2a8d_nohash_0``), as in Lhotse. Each clip gets one supervision covering it, with
``text`` = the word, ``speaker`` = the speaker hash and ``language="English"``. With
``include_background_noise=True`` the ``_background_noise_`` files form a fourth split ``noise``
(supervisions without text or speaker).

Outputs: ``speechcommands_recordings_<split>.jsonl.gz`` and ``speechcommands_supervisions_<split>.jsonl.gz``
for ``train``, ``valid`` and ``test`` (and ``noise``).

Run it::

    python recipes/speech_commands.py demo_data/speech_commands manifests/

Example:
    >>> from pathlib import Path
    >>> demo = Path(__file__).resolve().parent.parent / "demo_data" / "speech_commands"
    >>> manifests = prepare_speech_commands(demo)
    >>> sorted(manifests)
    ['test', 'train', 'valid']
    >>> sorted({s.text for s in manifests["test"]["supervisions"]})
    ['down', 'go', 'left', 'no', 'off', 'on', 'right', 'stop', 'up', 'yes']
"""

from __future__ import annotations

import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

if __package__ in (None, ""):  # run as a script: make the ``recipes`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm.auto import tqdm

from lhotse_lite.errors import AudioNotFoundError, ManifestFormatError
from recipes._common import Manifests, Pathlike, corpus_path, finish_split, recipe_main, whole_recording

__all__ = ["prepare_speech_commands", "CORE_WORDS", "BACKGROUND_NOISE"]

logger = logging.getLogger(__name__)

CORPUS = "speechcommands"
CORE_WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
"""The ten command words of the standard 12-class task (the other two are silence and unknown)."""
BACKGROUND_NOISE = "_background_noise_"
AUDIO_EXTENSIONS = (".wav", ".flac")
LISTS = {"valid": "validation_list.txt", "test": "testing_list.txt"}


def _locate(corpus_dir: Path) -> Path:
    """The folder holding the word folders (``corpus_dir`` or its only ``speech_commands_v0.0*``)."""
    if (corpus_dir / LISTS["test"]).is_file():
        return corpus_dir
    nested = sorted(d for d in corpus_dir.glob("speech_commands_v0.0*") if (d / LISTS["test"]).is_file())
    if len(nested) == 1:
        return nested[0]
    raise AudioNotFoundError(
        f"no {LISTS['test']} in {str(corpus_dir)!r}"
        + (f" but several versions inside: {[d.name for d in nested]}" if nested else "")
        + "; pass the folder speech_commands_v0.0*.tar.gz unpacks to (it holds the word folders and the lists)"
    )


def _read_list(path: Path) -> Set[str]:
    """The entries of a split list, as ``word/name`` without extension."""
    if not path.is_file():
        raise AudioNotFoundError(f"missing split list {str(path)!r}: the unpacked corpus should contain it")
    entries = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.count("/") != 1:
            raise ManifestFormatError(f"{path}:{lineno}: expected '<word>/<file>', got {line!r}")
        entries.add(line.rsplit(".", 1)[0] if Path(line).suffix else line)
    return entries


def _clip(path: Path, rel: str, text: Optional[str], speaker: Optional[str]) -> tuple:
    language = "English" if text else None
    return whole_recording(path, rel.replace("/", "_"), text=text, language=language, speaker=speaker)


def prepare_speech_commands(
    corpus_dir: Pathlike,
    output_dir: Optional[Pathlike] = None,
    words: Optional[Sequence[str]] = None,
    include_background_noise: bool = False,
    num_jobs: int = 1,
) -> Manifests:
    """Prepares the train/valid/test manifests of a Speech Commands corpus from its split lists.

    Args:
        corpus_dir: The unpacked corpus (word folders plus ``validation_list.txt`` and
            ``testing_list.txt``), or a parent holding exactly one ``speech_commands_v0.0*``.
        output_dir: Where to write the manifests; ``None`` only returns them.
        words: Keep only these words (e.g. :data:`CORE_WORDS`); ``None`` keeps every word folder.
        include_background_noise: Add a ``noise`` split with the ``_background_noise_`` files.
        num_jobs: Threads reading audio headers.

    Returns:
        ``{"train"|"valid"|"test"[|"noise"]: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: the corpus or a split list is missing, a listed clip has no audio
            file, or a requested word has no folder.
        ManifestFormatError: a malformed list line (``file:line``).
        ManifestError: the prepared manifests do not validate.

    Example:
        On the committed demo corpus: 67 "yes" clips, 16 listed for testing and 6 for validation.

        >>> demo = Path(__file__).resolve().parent.parent / "demo_data" / "speech_commands"
        >>> manifests = prepare_speech_commands(demo, words=["yes"])
        >>> {split: len(parts["supervisions"]) for split, parts in manifests.items()}
        {'train': 45, 'valid': 6, 'test': 16}
    """
    root = _locate(corpus_path(corpus_dir))
    listed = {split: _read_list(root / name) for split, name in LISTS.items()}
    word_dirs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith(("_", ".")))
    if words is not None:
        missing = sorted(set(words) - {d.name for d in word_dirs})
        if missing:
            raise AudioNotFoundError(f"no folder for word(s) {missing} in {str(root)!r}")
        word_dirs = [d for d in word_dirs if d.name in set(words)]
    jobs: Dict[str, List[tuple]] = {"train": [], "valid": [], "test": []}
    found: Set[str] = set()
    for word_dir in word_dirs:
        for path in sorted(p for p in word_dir.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS):
            key = f"{word_dir.name}/{path.stem}"
            found.add(key)
            split = "valid" if key in listed["valid"] else "test" if key in listed["test"] else "train"
            jobs[split].append((path, key, word_dir.name, path.stem.split("_nohash_")[0]))
    kept = {d.name for d in word_dirs}
    for split, entries in listed.items():
        absent = sorted(e for e in entries if e.split("/")[0] in kept and e not in found)
        if absent:
            raise AudioNotFoundError(
                f"{LISTS[split]} names {len(absent)} clip(s) with no audio file, e.g. {absent[:3]}; "
                "is the corpus completely unpacked?"
            )
    noise_dir = root / BACKGROUND_NOISE
    if include_background_noise and noise_dir.is_dir():
        jobs["noise"] = [
            (p, f"{BACKGROUND_NOISE}/{p.stem}", None, None)
            for p in sorted(noise_dir.iterdir())
            if p.suffix.lower() in AUDIO_EXTENSIONS
        ]
    manifests: Manifests = {}
    with ThreadPoolExecutor(max(1, num_jobs)) as pool:
        for split, split_jobs in jobs.items():
            results = list(tqdm(pool.map(lambda job: _clip(*job), split_jobs), total=len(split_jobs),
                                desc=f"Speech Commands {split}", leave=False))
            manifests[split] = finish_split(
                CORPUS, split, [r for r, _ in results], [s for _, s in results], output_dir
            )
    return manifests


def _add_arguments(parser) -> None:
    parser.add_argument("--words", nargs="+", default=None, help="keep only these words (default: all)")
    parser.add_argument("--include-background-noise", dest="include_background_noise", action="store_true",
                        help="add a 'noise' split with the _background_noise_ files")
    parser.add_argument("--num-jobs", dest="num_jobs", type=int, default=1, help="header-reading threads")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python recipes/speech_commands.py CORPUS_DIR OUTPUT_DIR [options]``."""
    return recipe_main(prepare_speech_commands, "Prepare Google Speech Commands manifests.", argv, _add_arguments)


if __name__ == "__main__":
    sys.exit(main())
