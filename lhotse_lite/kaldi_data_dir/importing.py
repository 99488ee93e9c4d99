"""Import a Kaldi data directory as recordings and supervisions (Lhotse's ``load_kaldi_data_dir``).

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
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
from lhotse_lite.errors import AudioLoadError, AudioNotFoundError, ManifestFormatError, UnknownIdError
from lhotse_lite.kaldi_data_dir.tables import Pathlike, _numbers, _optional_table, read_kaldi_table
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.units import add_durations, compute_num_samples

__all__ = ["import_kaldi_data_dir"]

logger = logging.getLogger(__name__)

#: Sampling rate of Lhotse's supervision time arithmetic (``add_durations``).
_SUPERVISION_RATE = 48000


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
