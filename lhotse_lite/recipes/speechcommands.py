"""Google Speech Commands v1/v2 (and the bundled keyword demo): download and manifests.

Layout (``download_speechcommands`` makes it in ``target_dir/SpeechCommands<version>``)::

    speech_commands_v0.02/<word>/<speaker>_nohash_<n>.wav    # 1 s, 16 kHz clips (FLAC accepted too)
    speech_commands_v0.02/validation_list.txt                # "<word>/<speaker>_nohash_<n>.wav" lines
    speech_commands_v0.02/testing_list.txt
    speech_commands_v0.02/_background_noise_/*.wav           # long noise recordings
    speech_commands_test_set_v0.02/<word>/..., _silence_/..., _unknown_/<word>_<speaker>_nohash_<n>.wav

``corpus_dir`` is the folder holding ``speech_commands_v0.0<version>`` (and, if downloaded, the
separately released test set), or the unpacked main archive itself (a folder with the lists, such
as ``demo_data/speech_commands``).

Splits: ``valid`` = the clips in ``validation_list.txt``; ``test`` = the separately released test
set when it is there (as in Lhotse; the clips of ``testing_list.txt`` are then left out of every
split, as Lhotse leaves them out), otherwise the clips in ``testing_list.txt`` (TensorFlow's
reference split); ``train`` = every other clip. List entries match clips by path without extension,
so lists naming ``.wav`` files still match a corpus stored as FLAC. Folders starting with ``_`` are
not words.

Ids are the relative path with ``/`` replaced by ``_`` and no extension (``yes_0a7c2a8d_nohash_0``),
as in Lhotse. Each clip gets one supervision covering it, with ``text`` = the word (``""`` for
``_silence_``), ``speaker`` = the speaker hash and ``language="English"``. Lhotse puts the
``_background_noise_`` files into ``train`` (and one of them into ``valid``); here they form a
split of their own, ``noise``, and only when asked (``include_background_noise=True``): a minute of
noise is not a keyword example.

Outputs: ``speechcommands<version>_recordings_<split>.jsonl.gz`` and
``speechcommands<version>_supervisions_<split>.jsonl.gz``, as Lhotse names them.

Example:
    >>> from pathlib import Path
    >>> demo = Path(__file__).resolve().parents[2] / "demo_data" / "speech_commands"
    >>> manifests = prepare_speechcommands("2", demo)
    >>> sorted(manifests)
    ['test', 'train', 'valid']
    >>> sorted({s.text for s in manifests["test"]["supervisions"]}) == sorted(WORDS)
    True
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from tqdm.auto import tqdm

from lhotse_lite.checks import check_int
from lhotse_lite.errors import AudioNotFoundError, ConfigError, ManifestFormatError
from lhotse_lite.recipes.download import fetch_archive
from lhotse_lite.recipes.preparation import (
    Manifests,
    Pathlike,
    corpus_path,
    finish_split,
    read_cached_split,
    whole_recording,
)

__all__ = [
    "BACKGROUND_NOISE",
    "SILENCE",
    "UNKNOWN",
    "WORDS",
    "download_speechcommands",
    "prepare_speechcommands",
]

logger = logging.getLogger(__name__)

WORDS = ("down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes")
"""The ten command words of the standard 12-class task (the other two are silence and unknown)."""
SILENCE = "_silence_"
UNKNOWN = "_unknown_"
BACKGROUND_NOISE = "_background_noise_"
VERSIONS = ("1", "2")
TENSORFLOW_URL = "http://download.tensorflow.org/data"
AUDIO_EXTENSIONS = (".wav", ".flac")
LISTS = {"valid": "validation_list.txt", "test": "testing_list.txt"}

_Job = Tuple[Path, str, str, Optional[str]]  # audio path, id, text, speaker


def _version(speechcommands_version: object) -> str:
    version = str(speechcommands_version)
    if version not in VERSIONS:
        raise ConfigError(f"speechcommands_version must be '1' or '2', got {speechcommands_version!r}")
    return version


def _parts(version: str) -> Tuple[str, str]:
    return f"speech_commands_v0.0{version}", f"speech_commands_test_set_v0.0{version}"


def download_speechcommands(
    speechcommands_version: str = "2",
    target_dir: Pathlike = ".",
    force_download: bool = False,
    *,
    base_url: str = TENSORFLOW_URL,
) -> Path:
    """Downloads and unpacks Speech Commands (the clips and the separate test set).

    Both archives (2.3 GB and 0.1 GB for v2) are kept in ``target_dir/SpeechCommands<version>``
    and unpacked beside them; a part already unpacked completely is skipped, an interrupted
    download resumes.

    Args:
        speechcommands_version: ``"1"`` or ``"2"``.
        target_dir: Where ``SpeechCommands<version>/`` is made.
        force_download: Download and unpack again even if complete.
        base_url: Where the archives are (``<base_url>/speech_commands_v0.02.tar.gz``, ...).

    Returns:
        The ``SpeechCommands<version>`` folder (``prepare_speechcommands``'s ``corpus_dir``).

    Raises:
        ConfigError: an unknown version.
        DownloadError: no network, a refused URL, or a damaged archive.

    Example:
        >>> download_speechcommands("3")
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: speechcommands_version must be '1' or '2', got '3'
    """
    version = _version(speechcommands_version)
    corpus = Path(target_dir) / f"SpeechCommands{version}"
    for part in tqdm(_parts(version), desc=f"Downloading Speech Commands v0.0{version}", leave=False):
        part_dir = corpus / part
        fetch_archive(f"{base_url}/{part}.tar.gz", corpus / f"{part}.tar.gz", part_dir, part_dir, force_download)
    return corpus


def _locate(corpus: Path, version: str) -> Tuple[Path, Optional[Path]]:
    """The folder holding the word folders and lists, and the separate test set if present."""
    main_name, test_name = _parts(version)
    main = corpus / main_name
    if not (main / LISTS["test"]).is_file():
        if not (corpus / LISTS["test"]).is_file():
            raise AudioNotFoundError(
                f"no {main_name}/{LISTS['test']} and no {LISTS['test']} in {str(corpus)!r}; pass the folder "
                f"download_speechcommands made (SpeechCommands{version}) or the one {main_name}.tar.gz unpacks to"
            )
        main = corpus
    test_set = corpus / test_name
    return main, (test_set if test_set.is_dir() else None)


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


def _audio_files(folder: Path) -> List[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_EXTENSIONS)


def _clip_job(path: Path, folder: str) -> _Job:
    """What a clip's supervision says, from its folder (a word, ``_silence_`` or ``_unknown_``)."""
    fields = path.stem.split("_")
    if folder in (SILENCE, BACKGROUND_NOISE):
        return path, f"{folder}_{path.stem}", "", None
    if folder == UNKNOWN:  # <word>_<speaker>_nohash_<n>
        return path, f"{folder}_{path.stem}", fields[0], fields[1] if len(fields) > 1 else None
    return path, f"{folder}_{path.stem}", folder, fields[0]


def _main_set_jobs(root: Path, separate_test: bool) -> Dict[str, List[_Job]]:
    listed = {split: _read_list(root / name) for split, name in LISTS.items()}
    jobs: Dict[str, List[_Job]] = {"train": [], "valid": [], "test": []}
    found: Set[str] = set()
    left_out = 0
    for word_dir in sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith(("_", "."))):
        for path in _audio_files(word_dir):
            key = f"{word_dir.name}/{path.stem}"
            found.add(key)
            split = "valid" if key in listed["valid"] else "test" if key in listed["test"] else "train"
            if split == "test" and separate_test:
                left_out += 1
                continue
            jobs[split].append(_clip_job(path, word_dir.name))
    for split, entries in listed.items():
        absent = sorted(entries - found)
        if absent:
            raise AudioNotFoundError(
                f"{root / LISTS[split]} names {len(absent)} clip(s) with no audio file, e.g. {absent[:3]}; "
                "is the corpus completely unpacked?"
            )
    if separate_test:
        logger.info("%d clips of %s left out: the separate test set is the test split", left_out, LISTS["test"])
    return jobs


def prepare_speechcommands(
    speechcommands_version: str,
    corpus_dir: Pathlike,
    output_dir: Optional[Pathlike] = None,
    *,
    words: Optional[Sequence[str]] = None,
    include_background_noise: bool = False,
    num_jobs: int = 1,
) -> Manifests:
    """Prepares the train/valid/test manifests of Speech Commands from its split lists.

    Args:
        speechcommands_version: ``"1"`` or ``"2"`` (the layout is the same; it names the folders
            looked for and the output files).
        corpus_dir: The folder holding ``speech_commands_v0.0<version>`` (and optionally
            ``speech_commands_test_set_v0.0<version>``), or the unpacked main archive itself.
        output_dir: Where to write the manifests; ``None`` only returns them. Splits whose two
            files are already there are read back instead of prepared again.
        words: Keep only the supervisions of these words (e.g. :data:`WORDS`); ``None`` keeps all.
        include_background_noise: Add a ``noise`` split with the ``_background_noise_`` files.
        num_jobs: Threads reading audio headers.

    Returns:
        ``{"train"|"valid"|"test"[|"noise"]: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: the corpus or a split list is missing, a listed clip has no audio
            file, or a requested word has no clip.
        ManifestFormatError: a malformed list line (``file:line``).
        ManifestError: the prepared manifests do not validate.
        ConfigError: an unknown version or a ``num_jobs`` below 1.

    Example:
        On the committed demo corpus: 67 "yes" clips, 16 listed for testing and 6 for validation.

        >>> demo = Path(__file__).resolve().parents[2] / "demo_data" / "speech_commands"
        >>> manifests = prepare_speechcommands("2", demo, words=["yes"])
        >>> {split: len(parts["supervisions"]) for split, parts in manifests.items()}
        {'train': 45, 'valid': 6, 'test': 16}
    """
    version = _version(speechcommands_version)
    num_jobs = check_int("prepare_speechcommands", "num_jobs", num_jobs, minimum=1)
    prefix = f"speechcommands{version}"
    root, test_set = _locate(corpus_path(corpus_dir), version)
    jobs = _main_set_jobs(root, separate_test=test_set is not None)
    if test_set is not None:
        jobs["test"] = [
            _clip_job(path, folder.name)
            for folder in sorted(d for d in test_set.iterdir() if d.is_dir() and not d.name.startswith("."))
            for path in _audio_files(folder)
        ]
    if words is not None:
        present = {job[2] for split_jobs in jobs.values() for job in split_jobs}
        missing = sorted(set(words) - present)
        if missing:
            raise AudioNotFoundError(f"no clips of the word(s) {missing} in {str(root)!r}")
        jobs = {split: [job for job in split_jobs if job[2] in set(words)] for split, split_jobs in jobs.items()}
    noise_dir = root / BACKGROUND_NOISE
    if include_background_noise and noise_dir.is_dir():
        jobs["noise"] = [_clip_job(path, BACKGROUND_NOISE) for path in _audio_files(noise_dir)]
    manifests: Manifests = {}
    with ThreadPoolExecutor(num_jobs) as pool:
        for split, split_jobs in jobs.items():
            cached = read_cached_split(output_dir, prefix, split)
            if cached is not None:
                manifests[split] = cached
                continue
            pairs = list(
                tqdm(
                    pool.map(
                        lambda job: whole_recording(job[0], job[1], text=job[2], language="English", speaker=job[3]),
                        split_jobs,
                    ),
                    total=len(split_jobs),
                    desc=f"Speech Commands {split}",
                    leave=False,
                )
            )
            manifests[split] = finish_split(prefix, split, [r for r, _ in pairs], [s for _, s in pairs], output_dir)
    return manifests
