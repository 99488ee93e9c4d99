"""Any folder of audio files, with optional transcripts: the recipe for corpora without one.

Expected layout: audio files anywhere below ``corpus_dir`` (``.wav``, ``.flac``, ``.ogg``,
``.opus``, ``.mp3``). Transcripts are optional and come from, in this order:

1. ``text_file``: lines ``<key> <transcript>`` where the key is a recording id or the file's
   path relative to ``corpus_dir`` without extension (a Kaldi ``text`` file works);
2. a sidecar file next to the audio with the same stem and the extension ``.txt`` or ``.lab``.

Ids are the path relative to ``corpus_dir`` without extension, with ``/`` replaced by ``_``
(``spk1/take 3.wav`` -> ``spk1_take 3``). Each file gets one recording and one supervision
covering all of it (all of its channels), with its transcript if any, the speaker (the parent
folder's name when ``speaker_from_parent``) and ``language``.

A file name that is not valid UTF-8 (e.g. Latin-1 bytes from an old archive) is refused with the
path shown, its bad bytes escaped: ids and paths are written to UTF-8 manifests, which cannot hold
it. Rename the file (``convmv -f latin1 -t utf8 -r --notest corpus_dir``) and prepare again.

With ``split_by_folder=True`` each top-level folder is a split (``train/``, ``dev/``, ...);
otherwise everything is the split named ``split``.

Outputs: ``<name>_recordings_<split>.jsonl.gz`` and ``<name>_supervisions_<split>.jsonl.gz``.

From the command line: ``lite prepare audio-folder my_recordings/ manifests/ --name mydata
--speaker-from-parent``.

Example:
    >>> recording_id_for(Path("spk1/take 3.wav"))
    'spk1_take 3'
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from tqdm.auto import tqdm

from lhotse_lite.errors import AudioNotFoundError, DuplicateIdError, ManifestFieldError, ManifestFormatError
from lhotse_lite.kaldi_data_dir import read_kaldi_table
from lhotse_lite.recipes.preparation import (
    AUDIO_EXTENSIONS,
    Manifests,
    Pathlike,
    corpus_path,
    finish_split,
    read_cached_split,
    whole_recording,
)

__all__ = ["prepare_audio_folder", "recording_id_for"]

logger = logging.getLogger(__name__)

SIDECAR_EXTENSIONS = (".txt", ".lab")


def recording_id_for(relative: Path) -> str:
    """The recording id of a file given its path relative to the corpus folder.

    Example:
        >>> recording_id_for(Path("train/spk1/utt 7.flac"))
        'train_spk1_utt 7'
    """
    return relative.with_suffix("").as_posix().replace("/", "_")


def _check_utf8_names(files: Sequence[Path]) -> None:
    """Refuses file names that are not valid UTF-8 (Python holds their bytes as lone surrogates)."""
    bad = []
    for path in files:
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            bad.append(os.fsencode(path).decode("utf-8", errors="backslashreplace"))
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise ManifestFieldError(
            f"file name '{bad[0]}'{more} is not valid UTF-8 (the bytes shown as \\x..); manifests are UTF-8 and "
            f"cannot hold it. Rename the file(s) to UTF-8, e.g. convmv -f latin1 -t utf8 -r --notest <corpus_dir>"
        )


def _sidecar_text(audio: Path) -> Optional[str]:
    for ext in SIDECAR_EXTENSIONS:
        sidecar = audio.with_suffix(ext)
        if sidecar.is_file():
            try:
                return " ".join(sidecar.read_text(encoding="utf-8").split())
            except UnicodeDecodeError as err:
                raise ManifestFormatError(
                    f"{sidecar}: the transcript is not UTF-8 ({err.reason} at byte {err.start}); convert it, "
                    f"e.g. iconv -f latin1 -t utf-8"
                ) from err
    return None


def prepare_audio_folder(
    corpus_dir: Pathlike,
    output_dir: Optional[Pathlike] = None,
    name: str = "audio_folder",
    split: str = "all",
    split_by_folder: bool = False,
    text_file: Optional[Pathlike] = None,
    speaker_from_parent: bool = False,
    language: Optional[str] = None,
    extensions: Sequence[str] = AUDIO_EXTENSIONS,
) -> Manifests:
    """Prepares recordings and whole-file supervisions for a folder of audio files.

    Args:
        corpus_dir: The folder to scan (recursively).
        output_dir: Where to write the manifests; ``None`` only returns them. Splits whose two
            files are already there are read back instead of prepared again.
        name: The corpus name used in the output file names.
        split: The split name when ``split_by_folder`` is false.
        split_by_folder: Each top-level folder is a split; files directly in ``corpus_dir`` are
            then not allowed.
        text_file: Transcripts as ``<key> <transcript>`` lines (key: recording id or relative
            path without extension); takes precedence over sidecar ``.txt``/``.lab`` files.
        speaker_from_parent: Use each file's parent folder name as its speaker.
        language: The language written into every supervision.
        extensions: File extensions treated as audio (case-insensitive).

    Returns:
        ``{split: {"recordings": RecordingSet, "supervisions": SupervisionSet}}``.

    Raises:
        AudioNotFoundError: no audio file was found.
        DuplicateIdError: two files map to the same id (e.g. ``a.wav`` and ``a.flac``), or a key
            appears twice in ``text_file`` (``file:line``).
        ManifestFormatError: ``split_by_folder`` with files at the top level.
        ManifestFieldError: a file name is not valid UTF-8 (the message shows it).
        ManifestError: the prepared manifests do not validate.

    Example:
        >>> import tempfile
        >>> import numpy as np, soundfile as sf
        >>> folder = Path(tempfile.mkdtemp())
        >>> (folder / "alice").mkdir()
        >>> sf.write(folder / "alice" / "hello.wav", np.zeros(16000, dtype=np.float32), 16000)
        >>> _ = (folder / "alice" / "hello.txt").write_text("HELLO")
        >>> manifests = prepare_audio_folder(folder, split="dev", speaker_from_parent=True)
        >>> supervision = manifests["dev"]["supervisions"]["alice_hello"]
        >>> supervision.text, supervision.speaker, supervision.duration
        ('HELLO', 'alice', 1.0)
    """
    root = corpus_path(corpus_dir)
    suffixes = {e.lower() for e in extensions}
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise AudioNotFoundError(f"no audio files ({', '.join(sorted(suffixes))}) under {str(root)!r}")
    _check_utf8_names(files)
    texts = read_kaldi_table(text_file, allow_empty=True) if text_file is not None else {}
    by_split: Dict[str, List[Path]] = defaultdict(list)
    for path in files:
        rel = path.relative_to(root)
        if split_by_folder:
            if len(rel.parts) < 2:
                raise ManifestFormatError(
                    f"split_by_folder: {str(rel)!r} is not inside a split folder; move it into one "
                    "(e.g. train/) or drop split_by_folder"
                )
            by_split[rel.parts[0]].append(path)
        else:
            by_split[split].append(path)
    seen: Dict[str, Path] = {}
    manifests: Manifests = {}
    for split_name, paths in sorted(by_split.items()):
        cached = read_cached_split(output_dir, name, split_name)
        if cached is not None:
            manifests[split_name] = cached
            continue
        recordings, supervisions = [], []
        for path in tqdm(paths, desc=f"{name} {split_name}", leave=False):
            rel = path.relative_to(root)
            rid = recording_id_for(rel)
            if rid in seen:
                raise DuplicateIdError(
                    f"files {str(seen[rid])!r} and {str(path)!r} both map to recording id {rid!r}; rename one of them"
                )
            seen[rid] = path
            text = texts.get(rid, texts.get(rel.with_suffix("").as_posix()))
            if text is None:
                text = _sidecar_text(path)
            recording, supervision = whole_recording(
                path, rid, text=text, language=language, speaker=path.parent.name if speaker_from_parent else None
            )
            recordings.append(recording)
            supervisions.append(supervision)
        manifests[split_name] = finish_split(name, split_name, recordings, supervisions, output_dir)
    return manifests
