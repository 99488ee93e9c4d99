"""Export recordings and supervisions as a Kaldi data directory, every table sorted by key.

Part of :mod:`lhotse_lite.kaldi_data_dir` (the overview of the files and what they become is there).
"""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Tuple

from tqdm import tqdm

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.errors import ConfigError, ManifestFieldError, UnknownIdError
from lhotse_lite.kaldi_data_dir.tables import Pathlike, _write_table
from lhotse_lite.supervision import SupervisionSegment

if TYPE_CHECKING:
    from lhotse_lite.features.manifest import Features

__all__ = ["export_to_kaldi_data_dir", "wav_scp_entries"]

logger = logging.getLogger(__name__)

# What ends a line for Kaldi or for a Python reader (str.splitlines' breaks); a tab also ends a field.
_NEWLINES = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def export_to_kaldi_data_dir(
    recordings: Iterable[Recording],
    supervisions: Optional[Iterable[SupervisionSegment]],
    output_dir: Pathlike,
    features: Optional[Iterable["Features"]] = None,
    compression_method: Optional[int] = 1,
) -> Path:
    """Writes recordings and supervisions as a Kaldi data directory (see :mod:`lhotse_lite.kaldi_data_dir`).

    Args:
        recordings: The recordings (a ``RecordingSet`` or any iterable of ``Recording``).
        supervisions: Their supervisions, or ``None`` to write only ``wav.scp`` and ``reco2dur``.
        output_dir: The directory to create or overwrite files in.
        features: Features of the recordings (any storage): each utterance's frames are cut from
            the features of its recording and channel and written to ``feats.ark`` and
            ``feats.scp`` (absolute ark path, sorted by utterance id) with ``utt2num_frames``.
            Needs ``supervisions`` and the ``kaldi`` extra (``kaldiio``).
        compression_method: Kaldi's compression of the written matrices (1, the default of
            Kaldi's ``steps/make_fbank.sh`` and of Lhotse's ``KaldiWriter``, ... 7), or ``None``
            for uncompressed float32.

    Returns:
        ``output_dir`` as a :class:`~pathlib.Path`.

    Nothing is written until every entry is known to be valid. Ids (recording, supervision and
    speaker ids) become keys of whitespace-separated tables, so one that is empty or holds
    whitespace is refused. A text holding line breaks or tabs is written with
    each of them replaced by a space (logged as a warning); other values must be one line.

    Paths inside ``sox`` pipes are shell-quoted (:func:`shlex.quote`), so a corpus under a folder
    such as ``My Corpus (v2)/`` gives pipes a shell runs as written.

    Raises:
        ManifestFieldError: A recording Kaldi cannot read (URL or memory source, a multi-channel
            command, transforms), a speaker with two genders, an id that is empty or holds
            whitespace, or a value (path, command, language) holding a line break.
        UnknownIdError: A supervision of a recording that is not in ``recordings``, or (with
            ``features``) an utterance whose recording and channel have no features covering it.
        ConfigError: ``features`` without ``supervisions``, or ``kaldiio`` is not installed.

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
        if features is not None:
            raise ConfigError("exporting features to a Kaldi data directory needs the supervisions (its utterances)")
        _write_tables(out, {"wav.scp": wav_scp, "reco2dur": reco2dur})
        return out
    tables: Dict[str, Dict[str, str]] = {name: {} for name in ("segments", "text", "utt2spk", "utt2dur", "utt2lang")}
    genders: Dict[str, str] = {}
    flattened: List[str] = []
    utterances: Dict[str, Tuple[SupervisionSegment, int]] = {}
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
            utterances[uid] = (sup, channel)
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
                    f"{sup.gender!r}; spk2gender needs one gender per speaker"
                )
    if flattened:
        logger.warning(
            "%s: %d text(s) held line breaks or tabs; written with spaces instead (e.g. %s)",
            out / "text",
            len(flattened),
            ", ".join(repr(i) for i in flattened[:5]),
        )
    spk2utt: Dict[str, List[str]] = {}
    for uid, speaker in sorted(tables["utt2spk"].items()):
        spk2utt.setdefault(speaker, []).append(uid)
    tables["spk2utt"] = {spk: " ".join(uids) for spk, uids in spk2utt.items()}
    tables["spk2gender"] = {spk: gender.lower()[:1] for spk, gender in genders.items()}
    written = {
        name: table for name, table in tables.items() if table or name in ("segments", "utt2spk", "spk2utt", "utt2dur")
    }
    sources = _feature_sources(features, utterances) if features is not None else None
    _write_tables(out, {"wav.scp": wav_scp, "reco2dur": reco2dur, **written})
    if sources is not None:
        _write_features(out, utterances, sources, compression_method)
    return out


def _feature_sources(
    features: Iterable["Features"], utterances: Dict[str, Tuple[SupervisionSegment, int]]
) -> Dict[str, "Features"]:
    """The features item each utterance is cut from (checked before anything is written)."""
    by_channel: Dict[Tuple[Optional[str], int], List["Features"]] = {}
    for item in features:
        channels = item.channels if isinstance(item.channels, list) else [item.channels or 0]
        for channel in channels:
            by_channel.setdefault((item.recording_id, channel), []).append(item)
    chosen = {}
    for uid, (sup, channel) in utterances.items():
        candidates = [
            f
            for f in by_channel.get((sup.recording_id, channel), [])
            if f.start - 1e-3 <= sup.start and sup.end <= f.end + f.frame_shift
        ]
        if not candidates:
            raise UnknownIdError(
                f"utterance {uid!r}: no features of recording {sup.recording_id!r} channel {channel} cover "
                f"[{sup.start}, {sup.end}] s; extract features of every recording first (lite feat extract)"
            )
        chosen[uid] = candidates[0]
    return chosen


def _write_features(
    out: Path,
    utterances: Dict[str, Tuple[SupervisionSegment, int]],
    sources: Dict[str, "Features"],
    compression_method: Optional[int],
) -> None:
    """``feats.ark``/``feats.scp`` (sorted by utterance id, as Kaldi requires) and ``utt2num_frames``."""
    from lhotse_lite.features.storage.kaldi_ark import KaldiWriter

    num_frames = {}
    with KaldiWriter(out.resolve(), compression_method=compression_method) as writer:
        for uid in tqdm(sorted(utterances), desc="Writing feats.ark", unit="utt", leave=False):
            sup, _ = utterances[uid]
            matrix = sources[uid].load(start=sup.start, duration=sup.duration)
            writer.write(uid, matrix)
            num_frames[uid] = str(matrix.shape[0])
    _write_table(out / "utt2num_frames", num_frames)


def _write_tables(out: Path, tables: Dict[str, Dict[str, str]]) -> None:
    """Writes the tables once all of them are known to be valid (an error writes nothing)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        _write_table(out / name, table)


def _check_key(value: str, where: str, what: str) -> None:
    if not value or any(char.isspace() for char in value):
        raise ManifestFieldError(
            f"{where}: the {what} {value!r} is empty or holds whitespace; Kaldi tables are split at "
            f"whitespace, so the data directory could not be read back. Rename it (e.g. spaces to '_')"
        )


def _check_line(value: str, where: str, what: str) -> None:
    if _NEWLINES.search(value):
        raise ManifestFieldError(
            f"{where}: the {what} {value!r} holds a line break; a Kaldi table entry must be one line"
        )


def _wav_entries(rec: Recording) -> List[Tuple[str, str]]:
    if rec.transforms:
        raise ManifestFieldError(
            f"recording {rec.id!r} has transforms {[t.to_dict()['name'] for t in rec.transforms]}; Kaldi cannot "
            f"apply them: store the transformed audio first"
        )
    multi = rec.num_channels > 1
    entries = []
    for source in rec.sources:
        for channel, value in wav_scp_entries(source, where=f"recording {rec.id!r}").items():
            entries.append((f"{rec.id}_{channel}" if multi else rec.id, value))
    return entries


def wav_scp_entries(source: AudioSource, where: str = "") -> Dict[int, str]:
    """The ``wav.scp`` value for each channel of an audio source, as the exporter writes it.

    A single-channel ``.wav`` file is its path (Kaldi reads it directly); a command keeps its
    command line; any other file is piped through ``sox`` (``sox <file> -t wav -b 16 - |``, with
    ``remix <n>`` picking channel ``n`` of a multi-channel source). Paths in pipes are shell-quoted
    (and prefixed with ``./`` when they start with ``-``), and a ``.wav`` path that Kaldi would
    misread as a plain entry (leading space, ``~`` or ``|``) is piped too.

    Args:
        source: The audio source (``file`` or ``command``).
        where: What the source belongs to, for error messages (``"recording 'r1'"``).

    Returns:
        channel -> ``wav.scp`` value.

    Raises:
        ManifestFieldError: A URL or memory source, or a command holding several channels.

    Example:
        >>> wav_scp_entries(AudioSource(type="file", channels=[0, 1], source="My Corpus (v2)/a.flac"))[1]
        "sox 'My Corpus (v2)/a.flac' -t wav -b 16 - remix 2 |"
        >>> wav_scp_entries(AudioSource(type="file", channels=[0], source="/corpus/a b.wav"))
        {0: '/corpus/a b.wav'}
        >>> wav_scp_entries(AudioSource(type="file", channels=[0], source=" x.wav"))
        {0: "sox ' x.wav' -t wav -b 16 - |"}
    """
    prefix = f"{where}: " if where else ""
    if source.type not in ("file", "command"):
        raise ManifestFieldError(
            f"{prefix}a {source.type!r} audio source cannot be written to wav.scp (only files and commands)"
        )
    path = str(source.source)  # a str: AudioSource checks that files and commands are text
    if source.type == "command":
        if len(source.channels) > 1:
            raise ManifestFieldError(
                f"{prefix}a command source holding several channels {source.channels} cannot be split for wav.scp"
            )
        return {source.channels[0]: f"{path} |"}
    if len(source.channels) == 1 and path.lower().endswith(".wav") and _plain_entry_ok(path):
        return {source.channels[0]: path}
    entries = {}
    for index, channel in enumerate(source.channels):
        remix = f" remix {index + 1}" if len(source.channels) > 1 else ""
        # "./" keeps a relative name that starts with "-" from being read as a sox option
        shown = f"./{path}" if path.startswith("-") else path
        entries[channel] = f"sox {shlex.quote(shown)} -t wav -b 16 -{remix} |"
    return entries


def _plain_entry_ok(path: str) -> bool:
    """Whether Kaldi reads ``path`` as written when it is a ``wav.scp`` value (not trimmed, not a
    pipe, not standard input, and not refused by ``utils/validate_data_dir.sh``'s tilde check)."""
    return bool(path) and not path[0].isspace() and not path.startswith(("~", "|")) and path != "-"
