"""Export recordings and supervisions as a Kaldi data directory, every table sorted by key.

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from lhotse_lite.audio import Recording
from lhotse_lite.errors import ManifestFieldError, UnknownIdError
from lhotse_lite.kaldi_data_dir.tables import Pathlike, _write_table
from lhotse_lite.supervision import SupervisionSegment

__all__ = ["export_to_kaldi_data_dir"]


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

    Raises:
        ManifestFieldError: A recording Kaldi cannot read (URL or memory source, a multi-channel
            command, transforms), or a speaker with two genders.
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
    out.mkdir(parents=True, exist_ok=True)
    recordings = list(recordings)
    multi = {r.id: r.num_channels > 1 for r in recordings}
    wav_scp: Dict[str, str] = {}
    reco2dur: Dict[str, str] = {}
    for rec in recordings:
        for kaldi_id, entry in _wav_entries(rec):
            wav_scp[kaldi_id] = entry
            reco2dur[kaldi_id] = repr(rec.duration)
    _write_table(out / "wav.scp", wav_scp)
    _write_table(out / "reco2dur", reco2dur)
    if supervisions is None:
        return out
    tables: Dict[str, Dict[str, str]] = {name: {} for name in ("segments", "text", "utt2spk", "utt2dur", "utt2lang")}
    genders: Dict[str, str] = {}
    for sup in supervisions:
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
            if sup.text is not None:
                tables["text"][uid] = sup.text
            if sup.language is not None:
                tables["utt2lang"][uid] = sup.language
            if sup.gender is not None and genders.setdefault(speaker, sup.gender) != sup.gender:
                raise ManifestFieldError(
                    f"supervision {sup.id!r}: speaker {speaker!r} has genders {genders[speaker]!r} and "
                    f"{sup.gender!r}; spk2gender needs one gender per speaker")
    spk2utt: Dict[str, List[str]] = {}
    for uid, speaker in sorted(tables["utt2spk"].items()):
        spk2utt.setdefault(speaker, []).append(uid)
    tables["spk2utt"] = {spk: " ".join(uids) for spk, uids in spk2utt.items()}
    tables["spk2gender"] = {spk: gender.lower()[:1] for spk, gender in genders.items()}
    for name, table in tables.items():
        if table or name in ("segments", "utt2spk", "spk2utt", "utt2dur"):
            _write_table(out / name, table)
    return out


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
