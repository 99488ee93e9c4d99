"""Export recordings and supervisions as a Kaldi data directory, every table sorted by key.

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from lhotse_lite.audio import Recording
from lhotse_lite.errors import ManifestFieldError, UnknownIdError
from lhotse_lite.kaldi_data_dir.tables import Pathlike, _write_table
from lhotse_lite.supervision import SupervisionSegment

__all__ = ["export_to_kaldi_data_dir"]

logger = logging.getLogger(__name__)

# What ends a line for Kaldi or for a Python reader (str.splitlines' breaks); a tab also ends a field.
_NEWLINES = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def export_to_kaldi_data_dir(
    recordings: Iterable[Recording],
    supervisions: Optional[Iterable[SupervisionSegment]],
    output_dir: Pathlike,
) -> Path:
    """Writes recordings and supervisions as a Kaldi data directory (see :mod:`lhotse_lite.kaldi_data_dir`).

    Args:
        recordings: The recordings (a ``RecordingSet`` or any iterable of ``Recording``).
        supervisions: Their supervisions, or ``None`` to write only ``wav.scp`` and ``reco2dur``.
        output_dir: The directory to create or overwrite files in.

    Returns:
        ``output_dir`` as a :class:`~pathlib.Path`.

    Nothing is written until every entry is known to be valid. Ids (recording, supervision and
    speaker ids) become keys of whitespace-separated tables, so one that is empty or holds
    whitespace is refused. A text holding line breaks or tabs is written with
    each of them replaced by a space (logged as a warning); other values must be one line.

    Raises:
        ManifestFieldError: A recording Kaldi cannot read (URL or memory source, a multi-channel
            command, transforms), a speaker with two genders, an id that is empty or holds
            whitespace, or a value (path, command, language) holding a line break.
        UnknownIdError: A supervision of a recording that is not in ``recordings``.

    Example:
        >>> import tempfile
        >>> from lhotse_lite.audio import AudioSource
        >>> from lhotse_lite.kaldi_data_dir import import_kaldi_data_dir
        >>> source = AudioSource(type="file", channels=[0], source="/corpus/a.wav")
        >>> recording = Recording(id="a", sources=[source], sampling_rate=16000, num_samples=32000, duration=2.0)
        >>> segment = SupervisionSegment(id="a-1", recording_id="a", start=0.5, duration=1.0,
        ...                              text="HELLO THERE", speaker="spk1")
        >>> out = export_to_kaldi_data_dir([recording], [segment], tempfile.mkdtemp())
        >>> print((out / "segments").read_text() + (out / "text").read_text(), end="")
        a-1 a 0.5 1.5
        a-1 HELLO THERE
        >>> import_kaldi_data_dir(out, sampling_rate=16000)[1]["a-1"].speaker
        'spk1'
    """
    out = Path(output_dir)
    recordings = list(recordings)
    multi = {r.id: r.num_channels > 1 for r in recordings}
    wav_scp: Dict[str, str] = {}
    reco2dur: Dict[str, str] = {}
    for rec in recordings:
        _check_key(rec.id, f"recording {rec.id!r}", "id")
        for kaldi_id, entry in _wav_entries(rec):
            _check_line(entry, f"recording {rec.id!r}", "wav.scp entry")
            wav_scp[kaldi_id] = entry
            reco2dur[kaldi_id] = repr(rec.duration)
    if supervisions is None:
        _write_tables(out, {"wav.scp": wav_scp, "reco2dur": reco2dur})
        return out
    tables: Dict[str, Dict[str, str]] = {name: {} for name in ("segments", "text", "utt2spk", "utt2dur", "utt2lang")}
    genders: Dict[str, str] = {}
    flattened: List[str] = []
    for sup in supervisions:
        _check_key(sup.id, f"supervision {sup.id!r}", "id")
        if sup.speaker is not None:
            _check_key(sup.speaker, f"supervision {sup.id!r}", "speaker")
        if sup.language is not None:
            _check_line(sup.language, f"supervision {sup.id!r}", "language")
        text = sup.text
        if text is not None and _LINE_BREAKS.search(text):
            text = _LINE_BREAKS.sub(" ", text)
            flattened.append(sup.id)
        if sup.recording_id not in multi:
            raise UnknownIdError(f"supervision {sup.id!r}: recording {sup.recording_id!r} is not in the recordings")
        channels = sup.channel if isinstance(sup.channel, list) else [sup.channel]
        for channel in channels:
            uid = f"{sup.id}-{channel}" if multi[sup.recording_id] else sup.id
            rid = f"{sup.recording_id}_{channel}" if multi[sup.recording_id] else sup.recording_id
            tables["segments"][uid] = f"{rid} {sup.start!r} {sup.end!r}"
            tables["utt2dur"][uid] = repr(sup.duration)
            speaker = sup.speaker if sup.speaker is not None else uid  # Kaldi's fallback: utterance = speaker
            tables["utt2spk"][uid] = speaker
            if text is not None:
                tables["text"][uid] = text
            if sup.language is not None:
                tables["utt2lang"][uid] = sup.language
            if sup.gender is not None and genders.setdefault(speaker, sup.gender) != sup.gender:
                raise ManifestFieldError(
                    f"supervision {sup.id!r}: speaker {speaker!r} has genders {genders[speaker]!r} and "
                    f"{sup.gender!r}; spk2gender needs one gender per speaker")
    if flattened:
        logger.warning("%s: %d text(s) held line breaks or tabs; written with spaces instead (e.g. %s)",
                       out / "text", len(flattened), ", ".join(repr(i) for i in flattened[:5]))
    spk2utt: Dict[str, List[str]] = {}
    for uid, speaker in sorted(tables["utt2spk"].items()):
        spk2utt.setdefault(speaker, []).append(uid)
    tables["spk2utt"] = {spk: " ".join(uids) for spk, uids in spk2utt.items()}
    tables["spk2gender"] = {spk: gender.lower()[:1] for spk, gender in genders.items()}
    written = {name: table for name, table in tables.items()
               if table or name in ("segments", "utt2spk", "spk2utt", "utt2dur")}
    _write_tables(out, {"wav.scp": wav_scp, "reco2dur": reco2dur, **written})
    return out


def _write_tables(out: Path, tables: Dict[str, Dict[str, str]]) -> None:
    """Writes the tables once all of them are known to be valid (an error writes nothing)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        _write_table(out / name, table)


def _check_key(value: str, where: str, what: str) -> None:
    if not value or any(char.isspace() for char in value):
        raise ManifestFieldError(
            f"{where}: the {what} {value!r} is empty or holds whitespace; Kaldi tables are split at "
            f"whitespace, so the data directory could not be read back. Rename it (e.g. spaces to '_')")


def _check_line(value: str, where: str, what: str) -> None:
    if _NEWLINES.search(value):
        raise ManifestFieldError(
            f"{where}: the {what} {value!r} holds a line break; a Kaldi table entry must be one line")


def _wav_entries(rec: Recording) -> List[Tuple[str, str]]:
    if rec.transforms:
        raise ManifestFieldError(
            f"recording {rec.id!r} has transforms {[t.to_dict()['name'] for t in rec.transforms]}; Kaldi cannot "
            f"apply them: store the transformed audio first")
    multi = rec.num_channels > 1
    entries = []
    for source in rec.sources:
        if source.type not in ("file", "command"):
            raise ManifestFieldError(
                f"recording {rec.id!r}: a {source.type!r} audio source cannot be written to wav.scp "
                f"(only files and commands)")
        for index, channel in enumerate(source.channels):
            kaldi_id = f"{rec.id}_{channel}" if multi else rec.id
            if source.type == "command":
                if len(source.channels) > 1:
                    raise ManifestFieldError(
                        f"recording {rec.id!r}: a command source holding several channels "
                        f"{source.channels} cannot be split for wav.scp")
                entries.append((kaldi_id, f"{source.source} |"))
            elif len(source.channels) == 1 and str(source.source).lower().endswith(".wav"):
                entries.append((kaldi_id, str(source.source)))
            else:
                remix = f" remix {index + 1}" if len(source.channels) > 1 else ""
                entries.append((kaldi_id, f"sox {source.source} -t wav -b 16 -{remix} |"))
    return entries
