"""Import a Kaldi data directory as recordings and supervisions (Lhotse's ``load_kaldi_data_dir``).

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
"""

from __future__ import annotations

import io
import logging
import os
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, NamedTuple, Optional, Tuple, Union

import soundfile as sf
from tqdm import tqdm

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.audio.command_guard import check_command_allowed
from lhotse_lite.errors import (
    AudioLoadingError,
    AudioNotFoundError,
    CommandSourceRefusedError,
    ManifestFormatError,
    ManifestNotFoundError,
    StorageNotFoundError,
    UnknownIdError,
)
from lhotse_lite.kaldi_data_dir.tables import (
    Pathlike,
    _numbers,
    _optional_table,
    parse_seconds,
    read_kaldi_table,
    text_lines,
)
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.units import add_durations, compute_num_samples

if TYPE_CHECKING:
    from lhotse_lite.features.manifest import FeatureSet
    from lhotse_lite.features.storage.kaldi_ark import MatrixShape

__all__ = ["import_kaldi_data_dir", "import_kaldi_features", "wav_scp_duration"]

logger = logging.getLogger(__name__)

#: Sampling rate of Lhotse's supervision time arithmetic (``add_durations``).
_SUPERVISION_RATE = 48000


def import_kaldi_data_dir(
    path: Pathlike,
    sampling_rate: Optional[int] = None,
    frame_shift: Optional[float] = None,
    num_jobs: int = 1,
    allow_commands: bool = True,
    use_reco2dur: bool = True,
) -> Tuple[RecordingSet, Optional[SupervisionSet]]:
    """Reads a Kaldi data directory as a recordings manifest and (when it has one) supervisions.

    Args:
        path: The data directory (``wav.scp`` must exist).
        sampling_rate: The recordings' sampling rate in Hz. ``None`` reads it from each audio header
            (then every recording is opened, commands are run).
        frame_shift: Frame shift in seconds; with it, a segment's duration is ``rows * frame_shift``
            of its ``feats.scp`` matrix when the directory has ``segments`` and ``feats.scp`` (as
            Lhotse), else ``num_frames * frame_shift`` from ``utt2num_frames`` when present.
        num_jobs: Threads reading audio headers when a duration or ``sampling_rate`` is missing.
        allow_commands: Whether piped ``wav.scp`` entries (``<id> <command> |``) may be run to read
            their headers (Lhotse runs them). Durations come from ``reco2dur``, or from ``utt2dur``
            when there is no ``segments`` file (each utterance is then a whole recording); a command
            is run only when its recording's duration is in neither, or ``sampling_rate`` is
            ``None``. Commands refused by :func:`~lhotse_lite.audio.set_command_sources_allowed`
            never run. A pipe written by :func:`~lhotse_lite.kaldi_data_dir.export_to_kaldi_data_dir`
            (``sox <file> -t wav -b 16 - [remix <n>] |``) is never run to read its header: the file's
            own header gives the sampling rate and length.
        use_reco2dur: Take durations from ``reco2dur`` (and ``utt2dur``) when present; ``False``
            reads every recording's header instead (Lhotse's argument).

    Returns:
        ``(recordings, supervisions)``; supervisions is ``None`` without ``segments`` and ``utt2spk``.

    Raises:
        ManifestNotFoundError: ``path`` is not a directory or has no ``wav.scp``.
        ManifestFormatError: A malformed line (``file:line``) or a missing/bad entry.
        UnknownIdError: A segment of a recording that ``wav.scp`` does not list.
        CommandSourceRefusedError: A command would have to run to read a header, and commands are
            not allowed; the message names the recording, the command and what to do instead.
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
        raise ManifestNotFoundError(f"not a Kaldi data directory: {str(path)!r} has no wav.scp")
    wavs = read_kaldi_table(path / "wav.scp")
    durations = _known_durations(path, wavs) if use_reco2dur else {}
    if sampling_rate is not None and len(durations) == len(wavs):
        recordings = RecordingSet(_recording(rid, value, sampling_rate, durations[rid]) for rid, value in wavs.items())
    else:
        recordings = RecordingSet(_read_recordings(path, wavs, sampling_rate, durations, num_jobs, allow_commands))
    return recordings, _supervisions(path, recordings, frame_shift)


def _known_durations(path: Path, wavs: Dict[str, str]) -> Dict[str, float]:
    """Durations from ``reco2dur`` (which must then list every recording), else from ``utt2dur`` when
    there is no ``segments`` file (utterances are then whole recordings), else none."""
    if (path / "reco2dur").is_file():
        durations = _numbers(path / "reco2dur", float)
        missing = [rid for rid in wavs if rid not in durations]
        if missing:
            raise ManifestFormatError(
                f"{path / 'reco2dur'}: no duration for {len(missing)} recording(s) of wav.scp, e.g. "
                f"{missing[0]!r}; fix reco2dur or delete it to read durations from the audio"
            )
        return durations
    if (path / "utt2dur").is_file() and not (path / "segments").is_file():
        return {rid: duration for rid, duration in _numbers(path / "utt2dur", float).items() if rid in wavs}
    return {}


def _source(value: str, channels: List[int]) -> AudioSource:
    if value.endswith("|"):
        return AudioSource(type="command", channels=channels, source=value[:-1].rstrip())
    return AudioSource(type="file", channels=channels, source=value)


def _recording(rid: str, value: str, sampling_rate: int, duration: float, channels: int = 1) -> Recording:
    return Recording(
        id=rid,
        sources=[_source(value, list(range(channels)))],
        sampling_rate=sampling_rate,
        num_samples=compute_num_samples(duration, sampling_rate),
        duration=duration,
    )


def _read_recordings(
    path: Path,
    wavs: Dict[str, str],
    sampling_rate: Optional[int],
    durations: Dict[str, float],
    num_jobs: int,
    allow_commands: bool,
) -> List[Recording]:
    def read(item: Tuple[str, str]) -> Recording:
        rid, value = item
        if sampling_rate is not None and rid in durations:
            return _recording(rid, value, sampling_rate, durations[rid])
        if value.endswith("|") and not allow_commands and _exporter_pipe(value) is None:
            _refuse_command(path, rid, value, sampling_rate, rid in durations)
        info = _audio_info(rid, value)
        rate = sampling_rate if sampling_rate is not None else info.samplerate
        duration = durations.get(rid, info.frames / info.samplerate)
        return _recording(rid, value, rate, duration, info.channels)

    items = list(wavs.items())

    def bar(recordings: Iterable[Recording]) -> Iterable[Recording]:
        return tqdm(recordings, total=len(items), desc="Reading audio headers", unit="rec", leave=False)

    if num_jobs <= 1:
        return list(bar(read(item) for item in items))
    with ThreadPoolExecutor(max_workers=num_jobs) as pool:
        return list(bar(pool.map(read, items)))


def _refuse_command(path: Path, rid: str, value: str, sampling_rate: Optional[int], known_duration: bool) -> None:
    needs = [] if sampling_rate is not None else ["its sampling rate (pass sampling_rate, --sampling-rate)"]
    if not known_duration:
        needs.append("its duration (add reco2dur, or utt2dur when there is no segments file)")
    raise CommandSourceRefusedError(
        f"{path / 'wav.scp'}: recording {rid!r} is read by the command {value[:-1].rstrip()!r}, which would "
        f"have to run to learn {' and '.join(needs)}; commands are not allowed (allow_commands=False; "
        f"lite kaldi import runs them only with --allow-commands). Provide that instead, or allow "
        f"commands if you trust this data directory"
    )


def wav_scp_duration(value: str, where: str = "") -> float:
    """The duration in seconds of the audio a ``wav.scp`` value names (a file, or a ``<command> |`` pipe).

    The exporter's own ``sox`` pipes are read from their file's header without running; any other
    command runs (unless refused by :func:`~lhotse_lite.audio.set_command_sources_allowed`).

    Raises:
        AudioError: The audio cannot be read (missing file, failing command, unknown format).
        CommandSourceRefusedError: A command would have to run and commands are refused.

    Example:
        >>> import numpy as np, soundfile as sf, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a b.flac")
        >>> sf.write(path, np.zeros(12000), 8000)
        >>> wav_scp_duration(path), wav_scp_duration(f"sox '{path}' -t wav -b 16 - |")
        (1.5, 1.5)
    """
    info = _audio_info(where or value, value)
    return info.frames / info.samplerate


class _Header(NamedTuple):
    samplerate: int
    frames: int
    channels: int


def _exporter_pipe(value: str) -> Optional[Tuple[str, bool]]:
    """``(file, one_channel)`` when ``value`` is the pipe our exporter writes for a file (``sox <file>
    -t wav -b 16 - [remix <n>] |``), whose header we can read from the file without running it."""
    try:
        words = shlex.split(value[:-1]) if value.endswith("|") else []
    except ValueError:
        return None
    if len(words) in (7, 9) and words[0] == "sox" and words[2:7] == ["-t", "wav", "-b", "16", "-"]:
        if len(words) == 7:
            return words[1], False
        if words[7] == "remix" and words[8].isdigit():
            return words[1], True
    return None


def _audio_info(rid: str, value: str) -> _Header:
    own = _exporter_pipe(value)
    if own is not None:
        info = _file_info(rid, own[0], f"the file {own[0]!r} read by the wav.scp pipe {value!r}")
        return _Header(info.samplerate, info.frames, 1 if own[1] else info.channels)
    if value.endswith("|"):
        command = value[:-1].rstrip()
        check_command_allowed(command, f"recording {rid!r}")
        try:
            result = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        except OSError as err:
            raise AudioLoadingError(f"recording {rid!r}: wav.scp command {command!r} could not start ({err})") from err
        if result.returncode != 0 or not result.stdout:
            stderr = result.stderr.decode("utf-8", errors="replace").strip()[-500:]
            raise AudioLoadingError(
                f"recording {rid!r}: wav.scp command {command!r} failed (exit code {result.returncode}): "
                f"{stderr or 'no output'}"
            )
        info = _file_info(rid, io.BytesIO(result.stdout), repr(value))
    else:
        info = _file_info(rid, value, repr(value))
    return _Header(info.samplerate, info.frames, info.channels)


def _file_info(rid: str, target: Union[str, io.BytesIO], shown: str) -> "sf._SoundFileInfo":
    if isinstance(target, str) and not Path(target).is_file():
        raise AudioNotFoundError(
            f"recording {rid!r}: audio file {shown} from wav.scp not found; pass the sampling rate "
            f"and add reco2dur to import without reading audio"
        )
    try:
        return sf.info(target)
    except (sf.SoundFileError, RuntimeError) as err:
        raise AudioLoadingError(f"recording {rid!r}: cannot read the audio header of {shown} ({err})") from err


def _supervisions(path: Path, recordings: RecordingSet, frame_shift: Optional[float]) -> Optional[SupervisionSet]:
    texts = _optional_table(path / "text", allow_empty=True)
    speakers = _optional_table(path / "utt2spk")
    genders = _optional_table(path / "spk2gender")
    languages = _optional_table(path / "utt2lang")
    num_frames = _numbers(path / "utt2num_frames", int) if frame_shift and (path / "utt2num_frames").is_file() else {}
    feats_rows: Dict[str, int] = {}
    if frame_shift and (path / "segments").is_file() and (path / "feats.scp").is_file():
        feats_rows = {uid: shape.num_rows for uid, (_, shape) in _feats_shapes(path / "feats.scp").items()}

    def segment(uid: str, rid: str, start: float, duration: float) -> SupervisionSegment:
        speaker = speakers.get(uid)
        if frame_shift and uid in feats_rows:
            duration = feats_rows[uid] * frame_shift  # Lhotse's product, unrounded
        elif frame_shift and uid in num_frames:
            duration = round(num_frames[uid] * frame_shift, 8)
        return SupervisionSegment(
            id=uid,
            recording_id=rid,
            start=start,
            duration=duration,
            channel=0,
            text=texts.get(uid),
            language=languages.get(uid),
            speaker=speaker,
            gender=genders.get(speaker) if speaker is not None else None,
        )

    if (path / "segments").is_file():
        return SupervisionSet(segment(*row) for row in _read_segments(path / "segments", recordings))
    if speakers:
        out = []
        for uid in speakers:
            if uid not in recordings:
                raise UnknownIdError(
                    f"{path / 'utt2spk'}: utterance {uid!r} is not a recording of wav.scp; without a "
                    f"segments file every utterance must be a whole recording"
                )
            out.append(segment(uid, uid, 0.0, recordings[uid].duration))
        return SupervisionSet(out)
    return None


def _read_segments(path: Path, recordings: RecordingSet) -> Iterable[Tuple[str, str, float, float]]:
    for lineno, line in text_lines(path):
        parts = line.split()
        if not parts:
            continue
        where = f"{path}:{lineno}"
        if len(parts) != 4:
            raise ManifestFormatError(
                f"{where}: a segments line has 4 fields (<utt-id> <recording-id> <start> <end>), "
                f"got {len(parts)}: {line.strip()!r}"
            )
        uid, rid, start_text, end_text = parts
        start, end = parse_seconds(start_text, where, "start"), parse_seconds(end_text, where, "end")
        if rid not in recordings:
            raise UnknownIdError(f"{where}: recording {rid!r} is not in wav.scp")
        if end == -1:
            end = recordings[rid].duration
        if start < 0 or end < start:
            raise ManifestFormatError(f"{where}: expected 0 <= start <= end, got start {start} and end {end}")
        yield uid, rid, start, add_durations(end, -start, sampling_rate=_SUPERVISION_RATE)


def import_kaldi_features(
    path: Pathlike,
    frame_shift: float,
    sampling_rate: Optional[int] = None,
    supervisions: Optional[SupervisionSet] = None,
    recordings: Optional[RecordingSet] = None,
    feature_type: str = "kaldi-fbank",
) -> Optional["FeatureSet"]:
    """Describes the matrices of a data directory's ``feats.scp`` as a features manifest (Lhotse's rules).

    Each ``feats.scp`` line ``<utt-id> <file>:<offset>`` becomes a ``Features`` item with
    ``storage_type`` ``"kaldiio"``, ``storage_path`` the rxfilename ``<file>:<offset>`` and
    ``storage_key`` the utterance id; its rows and columns come from the matrix header (nothing
    else is read, and ``kaldiio`` is needed only to load the matrices later). Relative file names
    are relative to the working directory, as in Kaldi.

    Args:
        path: The data directory.
        frame_shift: Seconds per frame (Kaldi does not store it): ``duration = rows * frame_shift``.
        sampling_rate: The audio's sampling rate (Hz); ``None`` takes each recording's.
        supervisions: The directory's supervisions: an utterance's ``recording_id`` and ``start``
            come from its supervision. Without them the utterance id is the recording id and
            ``start`` is 0.
        recordings: Needed only when ``sampling_rate`` is ``None``.
        feature_type: The ``type`` of every item (``"kaldi-fbank"``, ``"kaldi-mfcc"``, ...).

    Returns:
        The features, in ``feats.scp`` order, or ``None`` when there is no ``feats.scp``.

    Raises:
        ConfigError: ``frame_shift`` is not positive, or neither ``sampling_rate`` nor the recording is known.
        UnknownIdError: An utterance that is not a supervision (``feats.scp:line``).
        StorageError: A matrix header that cannot be read (the message names its rxfilename).

    Example:
        >>> import numpy as np, tempfile
        >>> from lhotse_lite.features.io import KaldiWriter
        >>> data = Path(tempfile.mkdtemp())
        >>> with KaldiWriter(data) as writer:
        ...     _ = writer.write("utt1", np.zeros((150, 80), dtype=np.float32))
        >>> feats = import_kaldi_features(data, frame_shift=0.01, sampling_rate=16000)
        >>> f = feats[0]
        >>> f.storage_type, f.storage_key, f.recording_id, f.num_frames, f.num_features, f.duration
        ('kaldiio', 'utt1', 'utt1', 150, 80, 1.5)
    """
    from lhotse_lite.errors import ConfigError
    from lhotse_lite.features.manifest import Features, FeatureSet

    scp = Path(path) / "feats.scp"
    if not scp.is_file():
        return None
    if not frame_shift or frame_shift <= 0:
        raise ConfigError(f"{scp}: importing features needs a positive frame shift in seconds, got {frame_shift!r}")
    out = []
    for lineno, (uid, (rxfilename, shape)) in enumerate(_feats_shapes(scp).items(), 1):
        if supervisions is not None:
            if uid not in supervisions:
                raise UnknownIdError(f"{scp}:{lineno}: utterance {uid!r} is not a supervision of the data directory")
            rid, start = supervisions[uid].recording_id, supervisions[uid].start
        else:
            rid, start = uid, 0.0
        rate = sampling_rate
        if rate is None:
            if recordings is None or rid not in recordings:
                raise ConfigError(
                    f"{scp}:{lineno}: the sampling rate of recording {rid!r} is unknown; pass sampling_rate"
                )
            rate = recordings[rid].sampling_rate
        out.append(
            Features.from_stored(
                uid,
                (shape.num_rows, shape.num_cols),
                storage_type="kaldiio",
                storage_path=rxfilename,
                frame_shift=frame_shift,
                sampling_rate=rate,
                type=feature_type,
                start=start,
                duration=shape.num_rows * frame_shift,  # unrounded, as Lhotse's import writes it
                recording_id=rid,
                channels=0,
            )
        )
    return FeatureSet(out)


def _feats_shapes(scp: Path) -> Dict[str, Tuple[str, "MatrixShape"]]:
    """utt-id -> (rxfilename, shape) of ``feats.scp``; read once per import (supervisions and features)."""
    stat = scp.stat()
    return dict(_cached_feats_shapes(str(scp), stat.st_mtime_ns, stat.st_size, os.getcwd()))


@lru_cache(maxsize=2)
def _cached_feats_shapes(
    scp: str, mtime_ns: int, size: int, cwd: str
) -> Tuple[Tuple[str, Tuple[str, "MatrixShape"]], ...]:
    from lhotse_lite.features.storage.kaldi_ark import read_matrix_shape, read_scp

    entries = read_scp(scp)
    bar = tqdm(entries.items(), total=len(entries), desc="Reading feats.scp headers", unit="utt", leave=False)
    try:
        return tuple((uid, (rx, read_matrix_shape(rx))) for uid, rx in bar)
    except StorageNotFoundError as err:
        raise StorageNotFoundError(
            f"{scp}: {err}; relative ark paths in feats.scp are relative to the working directory, as in "
            f"Kaldi (now {cwd!r}): run from the recipe folder the data directory belongs to"
        ) from err
