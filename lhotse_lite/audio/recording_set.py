"""RecordingSet: the set of a corpus's recordings (eager or lazy), built on :class:`ManifestSet`.

Everything generic (``filter``, ``map``, ``split``, ``subset``, I/O, dict-like access, lazy
streaming) comes from :class:`~lhotse_lite.manifest.ManifestSet`; this module adds what is
specific to recordings: scanning a directory of audio files, loading audio by id and the
per-recording transforms applied to every recording.

Example:
    >>> import numpy as np, soundfile as sf, tempfile, os
    >>> corpus = tempfile.mkdtemp()
    >>> for name in ["a", "b"]:
    ...     sf.write(os.path.join(corpus, f"{name}.wav"), np.zeros(8000, np.float32), 16000)
    >>> recs = RecordingSet.from_dir(corpus, "*.wav", progress_bar=False)
    >>> recs.ids, recs["a"].duration
    (['a', 'b'], 0.5)
    >>> recs.resample(8000).load_audio("b").shape
    (1, 4000)
    >>> recs.perturb_speed(0.9).ids
    ['a_sp0.9', 'b_sp0.9']
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Hashable, Iterable, List, Mapping, Optional, Union

import numpy as np
from tqdm import tqdm

from lhotse_lite.audio.recording import Channels, Recording
from lhotse_lite.errors import AudioNotFoundError, ConfigError, DuplicateIdError
from lhotse_lite.manifest import ManifestSet

__all__ = ["RecordingSet"]

logger = logging.getLogger(__name__)


class RecordingSet(ManifestSet[Recording]):
    """A set of :class:`Recording` keyed by id; eager (a dict) or lazy (streamed from JSONL).

    Example:
        >>> from lhotse_lite.audio import AudioSource
        >>> rec = Recording("r1", [AudioSource("file", [0], "r1.wav")], 16000, 16000, 1.0)
        >>> recs = RecordingSet.from_recordings([rec])
        >>> len(recs), "r1" in recs, recs["r1"].num_samples
        (1, True, 16000)
    """

    element_type = Recording

    def __init__(self, recordings: Optional[Iterable[Recording]] = None) -> None:
        super().__init__(recordings)

    @property
    def recordings(self) -> Union[Mapping[Hashable, Recording], Iterable[Recording]]:
        """Lhotse's name for :attr:`data`."""
        return self.data

    @classmethod
    def from_recordings(cls, recordings: Iterable[Recording]) -> "RecordingSet":
        """An eager set of ``recordings``.

        Raises:
            DuplicateIdError: two recordings share an id.
        """
        return cls(recordings)

    @classmethod
    def from_dir(
        cls,
        path: Union[str, Path],
        pattern: str,
        num_jobs: int = 1,
        force_opus_sampling_rate: Optional[int] = None,
        recording_id: Optional[Callable[[Path], str]] = None,
        exclude_pattern: Optional[str] = None,
        progress_bar: bool = True,
    ) -> "RecordingSet":
        """Scans ``path`` recursively for files matching ``pattern`` and reads their headers.

        Files are visited in sorted path order, so the result does not depend on the file system.

        Args:
            path: The directory to scan.
            pattern: A glob for file names, e.g. ``"*.wav"`` or ``"session1-*.flac"``.
            num_jobs: Header-reading threads (libsndfile releases the GIL); 1 reads serially.
            force_opus_sampling_rate: Lhotse's option to declare OPUS files at another rate; not
                supported (libsndfile reads OPUS at its coded rate): must be ``None``. Resample the
                set instead (:meth:`resample`).
            recording_id: A function of the path giving the id; defaults to the file stem.
            exclude_pattern: A regular expression; files whose name fully matches it are skipped.
            progress_bar: Show a tqdm bar.

        Returns:
            An eager set, one recording per file.

        Raises:
            AudioNotFoundError: ``path`` is not a directory.
            DuplicateIdError: two files give the same id (the message names both paths).
            AudioLoadingError: a matching file is not readable audio.
        """
        root = Path(path)
        if not root.is_dir():
            raise AudioNotFoundError(f"RecordingSet.from_dir: {str(root)!r} is not a directory")
        if num_jobs < 1:
            raise ConfigError(f"RecordingSet.from_dir: expected num_jobs >= 1, got {num_jobs}")
        if force_opus_sampling_rate is not None:
            raise ConfigError(
                f"RecordingSet.from_dir: force_opus_sampling_rate={force_opus_sampling_rate} is not supported "
                "(OPUS is read at its coded rate); pass None and call .resample(rate) on the result"
            )
        excluded = re.compile(exclude_pattern) if exclude_pattern is not None else None
        files = sorted(p for p in root.rglob(pattern) if p.is_file() and not (excluded and excluded.fullmatch(p.name)))
        ids: Dict[str, Path] = {}
        for file in files:
            rid = recording_id(file) if recording_id is not None else file.stem
            if rid in ids:
                raise DuplicateIdError(
                    f"RecordingSet.from_dir: files {str(ids[rid])!r} and {str(file)!r} both give recording id "
                    f"{rid!r}; pass recording_id= (e.g. lambda p: p.parent.name + '-' + p.stem) to make ids unique"
                )
            ids[rid] = file

        def read(item: "tuple[str, Path]") -> Recording:
            return Recording.from_file(item[1], recording_id=item[0])

        bar = tqdm(total=len(ids), desc=f"Scanning audio files ({pattern})", unit="file", disable=not progress_bar)
        recordings: List[Recording] = []
        with bar:
            if num_jobs == 1:
                for item in ids.items():
                    recordings.append(read(item))
                    bar.update()
            else:
                with ThreadPoolExecutor(num_jobs) as pool:
                    for rec in pool.map(read, ids.items()):
                        recordings.append(rec)
                        bar.update()
        logger.info("found %d recordings under %s", len(recordings), root)
        return cls(recordings)

    # ------------------------------------------------------------------------------- per id

    def load_audio(
        self,
        recording_id: str,
        channels: Optional[Channels] = None,
        offset_seconds: float = 0.0,
        duration_seconds: Optional[float] = None,
    ) -> np.ndarray:
        """Loads audio of one recording; see :meth:`Recording.load_audio` (Lhotse's argument names).

        Args:
            recording_id: The recording.
            channels: A channel id or a list of them; ``None`` loads all.
            offset_seconds: Start in seconds.
            duration_seconds: Length in seconds; ``None`` reads to the end.

        Returns:
            float32 array of shape ``(channels, samples)``.

        Raises:
            UnknownIdError: no recording has ``recording_id``.
            AudioSpanError, AudioNotFoundError, AudioLoadingError: as :meth:`Recording.load_audio`.

        Example:
            >>> import io, numpy as np, soundfile as sf
            >>> from lhotse_lite.audio import AudioSource
            >>> buffer = io.BytesIO()
            >>> sf.write(buffer, np.zeros(8000, np.float32), 8000, format="WAV")
            >>> recs = RecordingSet([Recording.from_bytes(buffer.getvalue(), "r1")])
            >>> recs.load_audio("r1", offset_seconds=0.5, duration_seconds=0.25).shape
            (1, 2000)
        """
        return self[recording_id].load_audio(channels=channels, offset=offset_seconds, duration=duration_seconds)

    def num_channels(self, recording_id: str) -> int:
        """The number of channels of a recording."""
        return self[recording_id].num_channels

    def sampling_rate(self, recording_id: str) -> int:
        """The sampling rate of a recording."""
        return self[recording_id].sampling_rate

    def num_samples(self, recording_id: str) -> int:
        """The number of samples of a recording."""
        return self[recording_id].num_samples

    def duration(self, recording_id: str) -> float:
        """The duration of a recording in seconds."""
        return self[recording_id].duration

    # ---------------------------------------------------------------------- whole-set copies

    def resample(self, sampling_rate: int) -> "RecordingSet":
        """Every recording resampled on load to ``sampling_rate`` (lazy stays lazy)."""
        return self.map(lambda r: r.resample(sampling_rate))

    def perturb_speed(self, factor: float, affix_id: bool = True) -> "RecordingSet":
        """Every recording speed-perturbed by ``factor``; ids get ``_sp{factor}`` unless ``affix_id=False``."""
        return self.map(lambda r: r.perturb_speed(factor, affix_id=affix_id))

    def perturb_tempo(self, factor: float, affix_id: bool = True) -> "RecordingSet":
        """Every recording tempo-perturbed by ``factor``; ids get ``_tp{factor}`` unless ``affix_id=False``."""
        return self.map(lambda r: r.perturb_tempo(factor, affix_id=affix_id))

    def perturb_volume(self, factor: float, affix_id: bool = True) -> "RecordingSet":
        """Every recording's gain scaled by ``factor``; ids get ``_vp{factor}`` unless ``affix_id=False``."""
        return self.map(lambda r: r.perturb_volume(factor, affix_id=affix_id))

    def with_path_prefix(self, path: Union[str, Path]) -> "RecordingSet":
        """Every relative file source put under the folder ``path``."""
        return self.map(lambda r: r.with_path_prefix(path))
