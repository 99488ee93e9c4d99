"""Lhotse's ``lhotse.kaldi`` names over :mod:`lhotse_lite.kaldi_data_dir` (the one implementation).

A prep script written for Lhotse ports by renaming the import::

    from lhotse_lite.kaldi import export_to_kaldi, load_kaldi_data_dir

Signatures are Lhotse 1.33's. Where the behaviour differs, it is where lhotse_lite's Kaldi data
directory code is stricter or writes what Kaldi expects (see :doc:`/coming_from_lhotse`):

* durations read from the audio are exact, not floored to a millisecond;
* ``feats.scp`` lines are matched to ``segments`` by key (Lhotse requires the same order), and its
  headers are read without ``kaldi_native_io``; loading the matrices needs the ``kaldi`` extra;
* a text table with a repeated key or a line without a value raises, naming ``file:line``;
* ``export_to_kaldi`` writes Kaldi's ``spk2utt`` and ``spk2gender`` (Lhotse writes ``utt2gender``,
  which Kaldi does not read), pipes non-WAV audio through ``sox`` with shell-quoted paths (Lhotse:
  unquoted ``ffmpeg``), and refuses recordings with transforms (Lhotse writes them without applying
  them).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> data = Path(tempfile.mkdtemp())
    >>> _ = (data / "wav.scp").write_text("rec1 /corpus/rec1.wav\\n")
    >>> _ = (data / "reco2dur").write_text("rec1 2.5\\n")
    >>> _ = (data / "segments").write_text("utt1 rec1 0.5 2.0\\n")
    >>> _ = (data / "text").write_text("utt1 HELLO\\n")
    >>> recordings, supervisions, features = load_kaldi_data_dir(data, sampling_rate=16000)
    >>> recordings[0].num_samples, supervisions[0].duration, features
    (40000, 1.5, None)
"""

from __future__ import annotations

import logging
import math
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from lhotse_lite.audio import AudioSource, RecordingSet
from lhotse_lite.errors import AudioLoadingError, ManifestFieldError, ManifestFormatError, ManifestNotFoundError
from lhotse_lite.features.manifest import FeatureSet
from lhotse_lite.kaldi_data_dir import (
    export_to_kaldi_data_dir,
    import_kaldi_data_dir,
    import_kaldi_features,
    read_kaldi_table,
    wav_scp_duration,
    wav_scp_entries,
)
from lhotse_lite.kaldi_data_dir.importing import _feats_shapes
from lhotse_lite.kaldi_data_dir.tables import Pathlike, _write_table
from lhotse_lite.manifest.items import fastcopy
from lhotse_lite.supervision import SupervisionSet

__all__ = [
    "floor_duration_to_milliseconds",
    "get_duration",
    "load_kaldi_data_dir",
    "export_to_kaldi",
    "load_start_and_duration",
    "load_kaldi_text_file",
    "load_kaldi_text_mapping",
    "save_kaldi_text_mapping",
    "make_wavscp_channel_string_map",
]

logger = logging.getLogger(__name__)


def floor_duration_to_milliseconds(duration: float) -> float:
    """``duration`` floored to a multiple of 1 ms (Lhotse's helper).

    Example:
        >>> floor_duration_to_milliseconds(1093.33995833)
        1093.339
    """
    return math.floor(1000 * duration) / 1000


def get_duration(path: Pathlike) -> Optional[float]:
    """The duration of a ``wav.scp`` value (a file or a ``<command> |`` pipe), floored to 1 ms.

    Returns:
        Seconds, or ``None`` when a pipe cannot be read (Lhotse's convention; a file that cannot be
        read raises).

    Raises:
        AudioError: A file that cannot be read.

    Example:
        >>> import numpy as np, soundfile as sf, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a.wav")
        >>> sf.write(path, np.zeros(16001), 16000)
        >>> get_duration(path)
        1.0
    """
    value = str(path)
    try:
        return floor_duration_to_milliseconds(wav_scp_duration(value))
    except AudioLoadingError:
        if value.strip().endswith("|"):
            logger.warning("could not read the audio of the wav.scp pipe %r", value)
            return None
        raise


def load_kaldi_data_dir(
    path: Pathlike,
    sampling_rate: int,
    frame_shift: Optional[float] = None,
    map_string_to_underscores: Optional[str] = None,
    use_reco2dur: bool = True,
    num_jobs: int = 1,
    feature_type: str = "kaldi-fbank",
) -> Tuple[RecordingSet, Optional[SupervisionSet], Optional[FeatureSet]]:
    """Reads a Kaldi data directory as recordings, supervisions and (with ``frame_shift``) features.

    Lhotse's function over :func:`~lhotse_lite.kaldi_data_dir.import_kaldi_data_dir` and
    :func:`~lhotse_lite.kaldi_data_dir.import_kaldi_features`; see there for the files read.

    Args:
        path: The data directory (``wav.scp`` must exist).
        sampling_rate: The recordings' sampling rate in Hz.
        frame_shift: Seconds per frame; needed to import ``feats.scp`` (without it, a warning).
        map_string_to_underscores: Replace this string by ``_`` in supervision and speaker ids.
        use_reco2dur: Take durations from ``reco2dur`` when present (else from the audio).
        num_jobs: Threads reading audio headers.
        feature_type: The ``type`` of the imported features.

    Returns:
        ``(recordings, supervisions or None, features or None)``.
    """
    recordings, supervisions = import_kaldi_data_dir(
        path, sampling_rate=sampling_rate, frame_shift=frame_shift, num_jobs=num_jobs, use_reco2dur=use_reco2dur
    )
    features = None
    if frame_shift is not None:
        features = import_kaldi_features(
            path,
            frame_shift,
            sampling_rate=sampling_rate,
            supervisions=supervisions,
            recordings=recordings,
            feature_type=feature_type,
        )
    elif (Path(path) / "feats.scp").is_file():
        warnings.warn(
            "Failed to import Kaldi 'feats.scp' to Lhotse: frame_shift must be not None. Feature import omitted.",
            stacklevel=2,
        )
    if map_string_to_underscores is not None and supervisions is not None:
        old = map_string_to_underscores

        def fix(segment: Any) -> Any:
            speaker = segment.speaker.replace(old, "_") if segment.speaker is not None else None
            return fastcopy(segment, id=segment.id.replace(old, "_"), speaker=speaker)

        supervisions = SupervisionSet(fix(s) for s in supervisions)
    return recordings, supervisions, features


def export_to_kaldi(
    recordings: RecordingSet,
    supervisions: SupervisionSet,
    output_dir: Pathlike,
    map_underscores_to: Optional[str] = None,
    prefix_spk_id: Optional[bool] = False,
) -> None:
    """Writes recordings and supervisions as a Kaldi data directory (Lhotse's function).

    Over :func:`~lhotse_lite.kaldi_data_dir.export_to_kaldi_data_dir` (the files are listed there).

    Args:
        recordings: The recordings.
        supervisions: Their supervisions.
        output_dir: The directory to write.
        map_underscores_to: Replace ``_`` in supervision and speaker ids by this string.
        prefix_spk_id: Prefix utterance ids with ``<speaker>-`` (so Kaldi's sort by speaker holds).
    """

    def fix(segment: Any) -> Any:
        uid, speaker = segment.id, segment.speaker
        if map_underscores_to is not None:
            uid = uid.replace("_", map_underscores_to)
            speaker = speaker.replace("_", map_underscores_to) if speaker is not None else None
        if prefix_spk_id:
            uid = f"{speaker}-{uid}"
        return fastcopy(segment, id=uid, speaker=speaker)

    if map_underscores_to is not None or prefix_spk_id:
        supervisions = SupervisionSet(fix(s) for s in supervisions)
    export_to_kaldi_data_dir(recordings, supervisions, output_dir)


def load_start_and_duration(
    segments_path: Optional[Path] = None,
    feats_path: Optional[Path] = None,
    frame_shift: Optional[float] = None,
) -> Dict[str, Tuple[float, float]]:
    """utt-id -> (start from ``segments``, ``rows * frame_shift`` from ``feats.scp``).

    Empty unless both files exist and ``frame_shift`` is given (Lhotse's rule). Utterances are
    matched by key; one in ``feats.scp`` without a segment raises.

    Raises:
        ManifestFormatError: An utterance of ``feats.scp`` that ``segments`` lacks.
    """
    if segments_path is None or feats_path is None or frame_shift is None:
        return {}
    segments_path, feats_path = Path(segments_path), Path(feats_path)
    if not (segments_path.is_file() and feats_path.is_file()):
        return {}
    starts = {uid: value.split() for uid, value in read_kaldi_table(segments_path).items()}
    out = {}
    for uid, (_, shape) in _feats_shapes(feats_path).items():
        if uid not in starts or len(starts[uid]) != 3:
            raise ManifestFormatError(f"{feats_path}: utterance {uid!r} has no segments line in {segments_path}")
        out[uid] = (float(starts[uid][1]), shape.num_rows * frame_shift)
    return out


def load_kaldi_text_file(path: Path, allow_empty_ref: bool = True) -> Dict[str, str]:
    """Reads Kaldi's ``text`` (utterance -> transcript; an empty transcript is ``""``).

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: An empty transcript with ``allow_empty_ref=False`` (``file:line``), or a
            repeated key.
    """
    if not Path(path).is_file():
        raise ManifestNotFoundError(f"No such file: {path}")
    return read_kaldi_table(path, allow_empty=allow_empty_ref)


def load_kaldi_text_mapping(path: Path, must_exist: bool = False, float_vals: bool = False) -> Dict[str, Any]:
    """Reads a Kaldi table such as ``utt2spk`` or ``spk2gender`` as a dict.

    A missing file gives an empty ``defaultdict`` that answers ``None`` for every key (Lhotse's
    convention), or raises with ``must_exist=True``.

    Raises:
        ManifestNotFoundError: The file is missing and ``must_exist`` is set.
        ManifestFormatError: A line without a value, a repeated key, or a value that is not a number
            with ``float_vals`` (``file:line`` or the key).

    Example:
        >>> load_kaldi_text_mapping(Path("/nonexistent/utt2spk"))["utt1"] is None
        True
    """
    path = Path(path)
    if not path.is_file():
        if must_exist:
            raise ManifestNotFoundError(f"No such file: {path}")
        return defaultdict(lambda: None)
    table: Dict[str, Any] = read_kaldi_table(path)
    if float_vals:
        try:
            return {key: float(value) for key, value in table.items()}
        except ValueError as err:
            raise ManifestFormatError(f"{path}: expected a number after every key ({err})") from err
    return table


def save_kaldi_text_mapping(data: Dict[str, Any], path: Path) -> None:
    """Writes a flat dict as a Kaldi table (``<key> <value>`` lines sorted by key), atomically.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "utt2spk"
        >>> save_kaldi_text_mapping({"b": "spk2", "a": "spk1"}, path)
        >>> print(path.read_text(), end="")
        a spk1
        b spk2
    """
    _write_table(Path(path), {str(key): str(value) for key, value in data.items()})


def make_wavscp_channel_string_map(
    source: AudioSource, sampling_rate: int, transforms: Optional[List[Dict]] = None
) -> Dict[int, str]:
    """The ``wav.scp`` value of each channel of ``source``, as the exporter writes it.

    Over :func:`~lhotse_lite.kaldi_data_dir.wav_scp_entries`: non-WAV audio is piped through
    ``sox`` (keeping its sampling rate) with a shell-quoted path.

    Raises:
        ManifestFieldError: A URL or memory source, a multi-channel command, or ``transforms``
            (Kaldi would read the audio without them).

    Example:
        >>> make_wavscp_channel_string_map(AudioSource("file", [0], "/data/a.flac"), 16000)
        {0: 'sox /data/a.flac -t wav -b 16 - |'}
    """
    if transforms:
        raise ManifestFieldError(
            f"audio source {source.source!r} has transforms {transforms}; Kaldi cannot apply them: store the "
            f"transformed audio first"
        )
    return wav_scp_entries(source)
