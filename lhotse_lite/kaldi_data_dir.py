"""Kaldi data directories: import them as recordings and supervisions, and export them back.

A Kaldi data directory holds plain-text tables, one ``<key> <value>`` entry per line:

======================  =================================================  ===========================
file                    line                                               becomes
======================  =================================================  ===========================
``wav.scp``             ``<recording-id> <path>`` or ``<id> <command> |``  a ``Recording`` (``file`` or
                                                                           ``command`` source)
``segments``            ``<utt-id> <recording-id> <start> <end>``          a ``SupervisionSegment``
                        (``end`` -1: to the end of the recording)
``reco2dur``            ``<recording-id> <seconds>``                       the recording's duration
``text``                ``<utt-id> <transcript ...>`` (may be empty)       ``text``
``utt2spk``             ``<utt-id> <speaker-id>``                          ``speaker``
``spk2gender``          ``<speaker-id> <m|f>``                             ``gender``
``utt2lang``            ``<utt-id> <language>``                            ``language``
``utt2num_frames``      ``<utt-id> <frames>`` (with ``frame_shift``)       the segment's duration
======================  =================================================  ===========================

Import follows Lhotse's ``load_kaldi_data_dir``: only ``wav.scp`` is required; supervisions come
from ``segments``, or, without it, from ``utt2spk`` with one supervision per whole recording (the
utterance id is the recording id). Durations come from ``reco2dur`` when present, otherwise from the
audio headers (commands are run). Unlike Lhotse, the sampling rate may be left out (it is then read
from the audio), the spaces before a command's ``|`` are not kept in its source, and a malformed
line raises :class:`~lhotse_lite.errors.ManifestFormatError`
naming ``file:line``.

Export writes ``wav.scp``, ``reco2dur``, ``segments``, ``text``, ``utt2spk``, ``spk2utt``,
``utt2dur`` and, when the supervisions have them, ``spk2gender`` and ``utt2lang``; every file is
sorted by key as Kaldi requires. A single-channel recording keeps its id; each channel ``c`` of a
multi-channel recording becomes a Kaldi recording ``<id>_<c>`` read through a ``sox ... remix``
pipe, and a supervision on several channels one utterance ``<utt-id>-<c>`` per channel (Lhotse's
naming). Non-WAV files are piped through ``sox`` too, so Kaldi tools can read them.

Example:
    >>> import os, tempfile
    >>> data = tempfile.mkdtemp()
    >>> _ = open(os.path.join(data, "wav.scp"), "w").write("rec1 sox rec1.flac -t wav - |\\n")
    >>> _ = open(os.path.join(data, "reco2dur"), "w").write("rec1 2.5\\n")
    >>> _ = open(os.path.join(data, "segments"), "w").write("utt1 rec1 0.5 2.0\\n")
    >>> _ = open(os.path.join(data, "utt2spk"), "w").write("utt1 spk1\\n")
    >>> recordings, supervisions = import_kaldi_data_dir(data, sampling_rate=16000)
    >>> recordings["rec1"].sources[0].type, recordings["rec1"].num_samples
    ('command', 40000)
    >>> sup = supervisions["utt1"]
    >>> sup.start, sup.duration, sup.speaker
    (0.5, 1.5, 'spk1')
"""

from __future__ import annotations

import io
import logging
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union

import soundfile as sf
from tqdm import tqdm

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import (
    AudioLoadError,
    AudioNotFoundError,
    DuplicateIdError,
    ManifestFieldError,
    ManifestFormatError,
    UnknownIdError,
)
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.units import add_durations, compute_num_samples

__all__ = ["import_kaldi_data_dir", "export_to_kaldi_data_dir", "read_kaldi_table"]

logger = logging.getLogger(__name__)

Pathlike = Union[str, Path]

#: Sampling rate of Lhotse's supervision time arithmetic (``add_durations``).
_SUPERVISION_RATE = 48000


def read_kaldi_table(path: Pathlike, allow_empty: bool = False) -> Dict[str, str]:
    """Reads a Kaldi ``<key> <value ...>`` table into a dict (order kept).

    Args:
        path: The file (e.g. ``utt2spk``).
        allow_empty: Accept lines with a key and no value (Kaldi ``text`` allows empty transcripts).

    Returns:
        key -> the rest of the line, stripped.

    Raises:
        FileNotFoundError: The file does not exist.
        ManifestFormatError: A line without a value (``file:line``).
        DuplicateIdError: A key appears twice (``file:line``).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "text")
        >>> _ = open(path, "w").write("utt1 HELLO  WORLD\\nutt2\\n")
        >>> read_kaldi_table(path, allow_empty=True)
        {'utt1': 'HELLO  WORLD', 'utt2': ''}
    """
    table: Dict[str, str] = {}
    for lineno, key, value in _entries(path, allow_empty):
        if key in table:
            raise DuplicateIdError(f"{path}:{lineno}: key {key!r} appears twice; keys must be unique")
        table[key] = value
    return table


def _entries(path: Pathlike, allow_empty: bool = False) -> Iterable[Tuple[int, str, str]]:
    with open(path, "r", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.strip().split(maxsplit=1)
            if not parts:
                continue
            if len(parts) == 1 and not allow_empty:
                raise ManifestFormatError(
                    f"{path}:{lineno}: expected '<key> <value>', got {line.strip()!r}; every line of a "
                    f"Kaldi table needs a key and a value")
            yield lineno, parts[0], parts[1].strip() if len(parts) == 2 else ""


def _optional_table(path: Path, allow_empty: bool = False) -> Dict[str, str]:
    return read_kaldi_table(path, allow_empty) if path.is_file() else {}


def _numbers(path: Path, kind: type) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for lineno, key, value in _entries(path):
        try:
            out[key] = kind(value)
        except ValueError as err:
            raise ManifestFormatError(
                f"{path}:{lineno}: expected a {kind.__name__} for {key!r}, got {value!r}") from err
    return out


def import_kaldi_data_dir(
    path: Pathlike,
    sampling_rate: Optional[int] = None,
    frame_shift: Optional[float] = None,
    num_jobs: int = 1,
) -> Tuple[RecordingSet, Optional[SupervisionSet]]:
    """Reads a Kaldi data directory as a recordings manifest and (when it has one) supervisions.

    Args:
        path: The data directory (``wav.scp`` must exist).
        sampling_rate: The recordings' sampling rate in Hz. ``None`` reads it from each audio header
            (then every recording is opened, commands are run).
        frame_shift: Frame shift in seconds; with it and an ``utt2num_frames`` file, a segment's
            duration is ``num_frames * frame_shift`` (Lhotse takes it from ``feats.scp``).
        num_jobs: Threads reading audio headers when ``reco2dur`` or ``sampling_rate`` is missing.

    Returns:
        ``(recordings, supervisions)``; supervisions is ``None`` without ``segments`` and ``utt2spk``.

    Raises:
        FileNotFoundError: ``path`` is not a directory or has no ``wav.scp``.
        ManifestFormatError: A malformed line (``file:line``) or a missing/bad entry.
        UnknownIdError: A segment of a recording that ``wav.scp`` does not list.
        AudioError: An audio file or command cannot be read (when headers are read).

    Example:
        Without ``segments`` or ``utt2spk`` there are no supervisions; with ``reco2dur`` and a
        ``sampling_rate`` no audio is opened:

        >>> import tempfile
        >>> data = Path(tempfile.mkdtemp())
        >>> _ = (data / "wav.scp").write_text("a /corpus/a.wav\\nb /corpus/b.wav\\n")
        >>> _ = (data / "reco2dur").write_text("a 1.5\\nb 3.0\\n")
        >>> recordings, supervisions = import_kaldi_data_dir(data, sampling_rate=8000)
        >>> [(r.id, r.num_samples) for r in recordings], supervisions
        ([('a', 12000), ('b', 24000)], None)
    """
    path = Path(path)
    if not (path / "wav.scp").is_file():
        raise FileNotFoundError(f"not a Kaldi data directory: {str(path)!r} has no wav.scp")
    wavs = read_kaldi_table(path / "wav.scp")
    durations = _numbers(path / "reco2dur", float) if (path / "reco2dur").is_file() else {}
    missing = [rid for rid in wavs if rid not in durations]
    if durations and missing:
        raise ManifestFormatError(
            f"{path / 'reco2dur'}: no duration for {len(missing)} recording(s) of wav.scp, e.g. "
            f"{missing[0]!r}; fix reco2dur or delete it to read durations from the audio")
    if durations and sampling_rate is not None:
        recordings = RecordingSet(_recording(rid, value, sampling_rate, durations[rid]) for rid, value in wavs.items())
    else:
        recordings = RecordingSet(_read_recordings(wavs, sampling_rate, durations, num_jobs))
    return recordings, _supervisions(path, recordings, frame_shift)


def _source(value: str, channels: List[int]) -> AudioSource:
    if value.endswith("|"):
        return AudioSource(type="command", channels=channels, source=value[:-1].rstrip())
    return AudioSource(type="file", channels=channels, source=value)


def _recording(rid: str, value: str, sampling_rate: int, duration: float, channels: int = 1) -> Recording:
    return Recording(id=rid, sources=[_source(value, list(range(channels)))], sampling_rate=sampling_rate,
                     num_samples=compute_num_samples(duration, sampling_rate), duration=duration)


def _read_recordings(wavs: Dict[str, str], sampling_rate: Optional[int], durations: Dict[str, float],
                     num_jobs: int) -> List[Recording]:
    def read(item: Tuple[str, str]) -> Recording:
        rid, value = item
        info = _audio_info(rid, value)
        rate = sampling_rate if sampling_rate is not None else info.samplerate
        duration = durations.get(rid, info.frames / info.samplerate)
        return _recording(rid, value, rate, duration, info.channels)

    items = list(wavs.items())
    bar = dict(total=len(items), desc="Reading audio headers", unit="rec", leave=False)
    if num_jobs <= 1:
        return [read(item) for item in tqdm(items, **bar)]
    with ThreadPoolExecutor(max_workers=num_jobs) as pool:
        return list(tqdm(pool.map(read, items), **bar))


def _audio_info(rid: str, value: str) -> "sf._SoundFileInfo":
    if value.endswith("|"):
        command = value[:-1].rstrip()
        try:
            result = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        except OSError as err:
            raise AudioLoadError(f"recording {rid!r}: wav.scp command {command!r} could not start ({err})") from err
        if result.returncode != 0 or not result.stdout:
            stderr = result.stderr.decode("utf-8", errors="replace").strip()[-500:]
            raise AudioLoadError(
                f"recording {rid!r}: wav.scp command {command!r} failed (exit code {result.returncode}): "
                f"{stderr or 'no output'}")
        target: Union[str, io.BytesIO] = io.BytesIO(result.stdout)
    else:
        if not Path(value).is_file():
            raise AudioNotFoundError(
                f"recording {rid!r}: audio file {value!r} from wav.scp not found; pass the sampling rate "
                f"and add reco2dur to import without reading audio")
        target = value
    try:
        return sf.info(target)
    except (sf.SoundFileError, RuntimeError) as err:
        raise AudioLoadError(f"recording {rid!r}: cannot read the audio header of {value!r} ({err})") from err


def _supervisions(path: Path, recordings: RecordingSet, frame_shift: Optional[float]) -> Optional[SupervisionSet]:
    texts = _optional_table(path / "text", allow_empty=True)
    speakers = _optional_table(path / "utt2spk")
    genders = _optional_table(path / "spk2gender")
    languages = _optional_table(path / "utt2lang")
    num_frames = _numbers(path / "utt2num_frames", int) if frame_shift and (path / "utt2num_frames").is_file() else {}

    def segment(uid: str, rid: str, start: float, duration: float) -> SupervisionSegment:
        speaker = speakers.get(uid)
        if uid in num_frames:
            duration = round(num_frames[uid] * frame_shift, 8)  # type: ignore[operator]
        return SupervisionSegment(id=uid, recording_id=rid, start=start, duration=duration, channel=0,
                                  text=texts.get(uid), language=languages.get(uid), speaker=speaker,
                                  gender=genders.get(speaker) if speaker is not None else None)

    if (path / "segments").is_file():
        return SupervisionSet(segment(*row) for row in _read_segments(path / "segments", recordings))
    if speakers:
        out = []
        for uid in speakers:
            if uid not in recordings:
                raise UnknownIdError(
                    f"{path / 'utt2spk'}: utterance {uid!r} is not a recording of wav.scp; without a "
                    f"segments file every utterance must be a whole recording")
            out.append(segment(uid, uid, 0.0, recordings[uid].duration))
        return SupervisionSet(out)
    return None


def _read_segments(path: Path, recordings: RecordingSet) -> Iterable[Tuple[str, str, float, float]]:
    with open(path, "r", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            where = f"{path}:{lineno}"
            if len(parts) != 4:
                raise ManifestFormatError(
                    f"{where}: a segments line has 4 fields (<utt-id> <recording-id> <start> <end>), "
                    f"got {len(parts)}: {line.strip()!r}")
            uid, rid, start_text, end_text = parts
            try:
                start, end = float(start_text), float(end_text)
            except ValueError as err:
                raise ManifestFormatError(
                    f"{where}: start and end must be seconds, got {start_text!r} {end_text!r}") from err
            if rid not in recordings:
                raise UnknownIdError(f"{where}: recording {rid!r} is not in wav.scp")
            if end == -1:
                end = recordings[rid].duration
            if start < 0 or end < start:
                raise ManifestFormatError(f"{where}: expected 0 <= start <= end, got start {start} and end {end}")
            yield uid, rid, start, add_durations(end, -start, sampling_rate=_SUPERVISION_RATE)


# ------------------------------------------------------------------------------------------- export


def export_to_kaldi_data_dir(
    recordings: Iterable[Recording],
    supervisions: Optional[Iterable[SupervisionSegment]],
    output_dir: Pathlike,
) -> Path:
    """Writes recordings and supervisions as a Kaldi data directory (see the module docs).

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
            if sup.gender is not None:
                if genders.setdefault(speaker, sup.gender) != sup.gender:
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


def _write_table(path: Path, table: Dict[str, str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for key in sorted(table):
            value = table[key]
            f.write(f"{key} {value}\n" if value != "" else f"{key}\n")
