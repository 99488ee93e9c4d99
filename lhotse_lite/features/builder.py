"""Extracting and storing features for many recordings: in process, in a process pool, or on Dask.

:class:`FeatureSetBuilder` splits the work so that every worker does the expensive part (load the
audio, augment, extract, lilcom-compress) and returns bytes, while this process is the only one that
touches the storage and the manifest. For each recording it first writes the data (and flushes it),
then appends the manifest line: a crash can leave unreferenced bytes in the storage, never a manifest
line pointing at missing data. The manifest is flushed at most every :data:`MANIFEST_FLUSH_SECONDS`
(a flush per line would end a gzip block per line: 1.6x larger ``.jsonl.gz`` manifests), so a crash
loses at most that much finished work, which a resume recomputes. Results are written in input
order, whatever executor runs them, so a run with 1 job, N processes or a Dask cluster produces the
same manifest and the same ``lilcom_chunky`` archive.

Resuming: with ``output_manifest`` set, a second run over the same recordings keeps the lines already
written (including those of an interrupted run, see :func:`lhotse_lite.manifest.open_writer`) and
extracts only what is missing; a ``lilcom_chunky`` archive opened for writing (mode ``"wb"``) is then
appended to, not truncated, after its unreferenced tail is cut off: the bytes an interrupted run
stored without getting to write their manifest lines (see
:meth:`~lhotse_lite.features.storage.lilcom_chunky.LilcomChunkyWriter.truncate_after`). A resumed run
therefore leaves the same archive, byte for byte, as an uninterrupted one.

One run per output, and resumes only of the same job: before it touches anything, a run takes the
lock of the storage (:meth:`~lhotse_lite.features.storage.base.FeaturesWriter.lock_output`) and of the
output manifest (:class:`~lhotse_lite.output_lock.OutputLock`), so a second run on either fails at
once with :class:`~lhotse_lite.errors.OutputLockedError`; the locks are held by this process, which is
the only one that writes (workers return bytes). The output manifest's sidecar
(``<manifest>.producer.json``, :mod:`lhotse_lite.features.producer`) records the extractor and its
config, the storage type and the feature format version; a resume by any other job is refused
(:class:`~lhotse_lite.errors.ResumeMismatchError`) unless ``overwrite=True``, and a kept row whose
recording changed (duration, sample count or sampling rate) is extracted again.

Recording ids must be unique (features are stored and resumed per recording id and channel); the
process pool's workers exit when this process dies (:func:`~lhotse_lite.features.executors.exit_with_parent`),
and they refuse ``command`` audio sources when this process does
(:func:`~lhotse_lite.audio.set_command_sources_allowed`).

Example:
    >>> import numpy as np, os, tempfile, soundfile as sf
    >>> from lhotse_lite.audio import Recording
    >>> from lhotse_lite.features.io import LilcomChunkyWriter
    >>> from lhotse_lite.features.kaldi.extractors import Fbank
    >>> folder = tempfile.mkdtemp()
    >>> sf.write(os.path.join(folder, "a.wav"), np.zeros(16000, dtype=np.float32), 16000)
    >>> rec = Recording.from_file(os.path.join(folder, "a.wav"))
    >>> with LilcomChunkyWriter(os.path.join(folder, "feats")) as storage:
    ...     builder = FeatureSetBuilder(Fbank(), storage)
    ...     feats = builder.process_and_store_recordings([rec], progress_bar=False)
    >>> feats[0].num_frames, feats[0].recording_id
    (100, 'a')
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import math
import pickle
import time
import uuid
from pathlib import Path
from typing import Any, Deque, Iterable, List, NamedTuple, Optional, Protocol, Tuple, Union, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

from lhotse_lite.audio.command_guard import apply_guard_settings, guard_settings
from lhotse_lite.errors import AudioLoadingError, ConfigError, DuplicateIdError, LhotseLiteError, ShapeError
from lhotse_lite.features.executors import dask_executor, is_dask, num_workers, process_pool, use_one_thread
from lhotse_lite.features.extractor import AugmentFn, FeatureExtractor, check_extractor_sampling_rate
from lhotse_lite.features.io import FeaturesWriter
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.features.producer import ResumeGuard, describe_job
from lhotse_lite.units import compute_num_samples, to_hours

__all__ = ["FeatureSetBuilder", "SkippedRecording", "MANIFEST_FLUSH_SECONDS"]

logger = logging.getLogger(__name__)

MANIFEST_FLUSH_SECONDS = 1.0
"""How often (at most) the output manifest is flushed while features are being stored."""


class SkippedRecording(NamedTuple):
    """A recording left out by ``on_error="skip"``: its id and why."""

    recording_id: str
    reason: str


@runtime_checkable
class _OpenedInMode(Protocol):
    """An archive writer that opens its file in ``mode`` (``"wb"`` truncates, ``"ab"`` appends)."""

    mode: str


class _Stored(NamedTuple):
    channel: int
    num_frames: int
    num_features: int
    payload: Any


class _Result(NamedTuple):
    recording_id: str
    sampling_rate: int
    duration: float
    stored: List[_Stored]
    error: Optional[BaseException]


class FeatureSetBuilder:
    """Computes features of recordings and stores them, with resume and parallel execution.

    Args:
        feature_extractor: The extractor (e.g. ``Fbank()``).
        storage: The writer that receives the matrices (e.g. ``LilcomChunkyWriter("feats")``).
        augment_fn: Optional ``fn(samples, sampling_rate) -> samples`` applied to the audio first.

    Attributes:
        skipped: After a run with ``on_error="skip"``, the recordings that were left out.

    Example:
        >>> import numpy as np, os, tempfile, soundfile as sf
        >>> from lhotse_lite.audio import Recording
        >>> from lhotse_lite.features.io import NumpyFilesWriter
        >>> from lhotse_lite.features.kaldi.extractors import Fbank
        >>> folder = tempfile.mkdtemp()
        >>> sf.write(os.path.join(folder, "b.wav"), np.zeros(8000, dtype=np.float32), 16000)
        >>> builder = FeatureSetBuilder(Fbank(), NumpyFilesWriter(os.path.join(folder, "feats")))
        >>> feats = builder.process_and_store_recordings(
        ...     [Recording.from_file(os.path.join(folder, "b.wav"))], progress_bar=False)
        >>> feats[0].load().shape, builder.skipped
        ((50, 80), [])
    """

    def __init__(
        self, feature_extractor: FeatureExtractor, storage: FeaturesWriter, augment_fn: Optional[AugmentFn] = None
    ) -> None:
        self.feature_extractor = feature_extractor
        self.storage = storage
        self.augment_fn = augment_fn
        self.skipped: List[SkippedRecording] = []
        self._last_flush = -math.inf

    def process_and_store_recordings(
        self,
        recordings: Iterable[Any],
        output_manifest: Optional[Union[str, Path]] = None,
        num_jobs: int = 1,
        executor: Optional[Union[concurrent.futures.Executor, str]] = None,
        on_error: str = "raise",
        progress_bar: bool = True,
        overwrite: bool = False,
    ) -> FeatureSet:
        """Extracts features of every channel of every recording and stores them.

        Args:
            recordings: ``Recording`` objects (e.g. a ``RecordingSet``).
            output_manifest: A ``.jsonl``/``.jsonl.gz`` file receiving one line per stored matrix
                as soon as it is stored; re-running with the same file resumes.
            num_jobs: Worker processes when ``executor`` is not given (1: run in this process).
                Each worker uses one torch thread.
            executor: Any ``concurrent.futures.Executor`` (e.g. a Dask client's
                ``client.get_executor()``), or the address of a Dask scheduler
                (``"tcp://host:8786"``). Overrides ``num_jobs``.
            on_error: ``"raise"`` stops at the first bad recording (missing or unreadable audio,
                a sampling rate the extractor is not configured for, shorter than one frame);
                ``"skip"`` logs it, lists it in :attr:`skipped` and goes on.
            progress_bar: Show a tqdm bar counting recordings and hours of audio.
            overwrite: Start ``output_manifest`` afresh (and a ``lilcom_chunky`` archive opened
                with ``mode="wb"``) instead of resuming it.

        Returns:
            The features of all recordings (those kept from an earlier run first).

        Raises:
            ConfigError: Invalid ``on_error`` or ``num_jobs``.
            DuplicateIdError: Two recordings share an id (nothing is extracted).
            AudioError, ConfigError, ShapeError: A bad recording with ``on_error="raise"``; the
                message names it.
            StorageError: Resuming into a ``lilcom_chunky`` archive shorter than the kept manifest
                lines say (it was replaced or cut).
            OutputLockedError: Another run or writer holds the storage or the output manifest;
                nothing was touched.
            ResumeMismatchError: ``output_manifest`` was produced by another job (extractor, config,
                storage type, feature format version); nothing was touched.
        """
        if on_error not in ("raise", "skip"):
            raise ConfigError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
        if num_jobs < 1:
            raise ConfigError(f"num_jobs must be >= 1, got {num_jobs}")
        self.skipped = []
        recordings = list(recordings)
        _check_unique_ids(recordings)
        guard = None
        if output_manifest is not None:
            guard = ResumeGuard(
                output_manifest, describe_job(self.feature_extractor, self.storage, self.augment_fn), recordings
            )
        manifest = self._open_output(output_manifest, overwrite, guard)
        with manifest:
            previous = _written_items(manifest)
            done = {(f.recording_id, f.channels) for f in previous}
            if previous and isinstance(self.storage, _OpenedInMode) and self.storage.mode == "wb":
                self.storage.mode = "ab"  # resuming: never truncate ...
                _drop_unreferenced_tail(self.storage, previous)  # ... except what no kept line references
            todo = [r for r in recordings if any((r.id, c) not in done for c in r.channel_ids)]
            if previous:
                logger.info(
                    "resuming %s: %d matrices kept, %d of %d recordings to do",
                    output_manifest,
                    len(previous),
                    len(todo),
                    len(recordings),
                )
            tasks = [(r, [c for c in r.channel_ids if (r.id, c) not in done]) for r in todo]
            new = self._run(tasks, manifest, num_jobs, executor, on_error, progress_bar)
            self.storage.flush()  # the data is durable (a URL archive uploaded) before the manifest is in place
        if self.skipped:
            logger.warning(
                "skipped %d recording(s): %s",
                len(self.skipped),
                "; ".join(f"{s.recording_id}: {s.reason}" for s in self.skipped[:10]),
            )
        return FeatureSet(previous + new)

    def _open_output(
        self, output_manifest: Optional[Union[str, Path]], overwrite: bool, guard: Optional[ResumeGuard]
    ) -> Any:
        """Locks the storage and the output manifest, checks what a resume would keep, opens the manifest.

        Nothing is written, truncated or renamed before both locks are held and the resume is accepted.
        """
        from lhotse_lite.manifest import InMemoryWriter, SequentialJsonlWriter

        took_lock = not getattr(self.storage, "holds_output_lock", True)
        lock_output = getattr(self.storage, "lock_output", None)
        if lock_output is not None:
            lock_output()  # a second run on this storage fails here
        try:
            if output_manifest is None:
                return InMemoryWriter()
            manifest = SequentialJsonlWriter(output_manifest, overwrite=overwrite, keep=guard)
            manifest.open()  # locks, then resumes: the guard refuses another job's output
            if guard is not None:  # there is one whenever there is an output manifest
                guard.finish()
        except BaseException:
            if took_lock:
                self.storage.release_output_lock()  # nothing written yet
            raise
        return manifest

    # ---- running -------------------------------------------------------------------------------

    def _run(
        self, tasks: list, manifest: Any, num_jobs: int, executor: Any, on_error: str, progress_bar: bool
    ) -> List[Features]:
        total_hours = to_hours(sum(r.duration for r, _ in tasks))
        bar = tqdm(total=len(tasks), desc="Extracting features", unit="rec", disable=not progress_bar)
        written: List[Features] = []
        hours = 0.0
        own_executor, client = None, None
        try:
            if executor is None and num_jobs > 1:
                own_executor = executor = process_pool(num_jobs)
            elif isinstance(executor, str):
                client, executor = dask_executor(executor)
            single = own_executor is not None or client is not None or is_dask(executor)
            results = self._results(
                tasks, executor, single_thread=single, window=2 * max(num_jobs, num_workers(executor)) + 2
            )
            for result in results:
                if result.error is not None:
                    if on_error == "raise":
                        raise result.error
                    self.skipped.append(SkippedRecording(result.recording_id, str(result.error)))
                    logger.warning("skipping recording %r: %s", result.recording_id, result.error)
                else:
                    written.extend(self._store(result, manifest))
                hours += to_hours(result.duration)
                bar.update(1)
                bar.set_postfix(hours=f"{hours:.2f}/{total_hours:.2f}", skipped=len(self.skipped), refresh=False)
        finally:
            bar.close()
            if own_executor is not None:
                own_executor.shutdown(wait=True, cancel_futures=True)
            if client is not None:
                client.close()
        return written

    def _results(self, tasks: list, executor: Any, single_thread: bool, window: int) -> Iterable[_Result]:
        args = (self.feature_extractor, self.storage, self.augment_fn)
        if executor is None:
            for recording, channels in tasks:
                yield _extract_task(*args, recording, channels, False)
            return
        size = _batch_size(len(tasks), window)
        batches = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        pending: Deque[concurrent.futures.Future] = collections.deque()
        in_flight = window  # batches queued ahead: workers never wait for this process to store
        commands = guard_settings()  # workers are other processes: pass the guards on
        try:
            for batch in batches:
                pending.append(executor.submit(_extract_batch, *args, batch, single_thread, commands))
                if len(pending) >= in_flight:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def _store(self, result: _Result, manifest: Any) -> List[Features]:
        extractor = self.feature_extractor
        out = []
        for item in result.stored:
            key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lhotse_lite/{result.recording_id}/{item.channel}"))
            storage_key = self.storage.write_encoded(key, item.payload)  # data first ...
            features = Features.from_stored(
                storage_key,
                (item.num_frames, item.num_features),
                storage_type=self.storage.name,
                storage_path=self.storage.storage_path,
                frame_shift=extractor.frame_shift,
                sampling_rate=result.sampling_rate,
                type=extractor.name,
                start=0,
                duration=result.duration,
                recording_id=result.recording_id,
                channels=item.channel,
            )
            now = time.monotonic()
            flush = now - self._last_flush >= MANIFEST_FLUSH_SECONDS
            manifest.write(features, flush=flush)  # ... then the line that points at it
            if flush:
                self._last_flush = now
            out.append(features)
        return out


# ---- the task (runs in workers) ----------------------------------------------------------------


def _extract_batch(
    extractor: FeatureExtractor,
    encoder: FeaturesWriter,
    augment_fn: Optional[AugmentFn],
    batch: List[Tuple[Any, List[int]]],
    single_thread: bool,
    commands_allowed: Union[bool, Tuple[bool, bool]] = True,
) -> List[_Result]:
    """Runs :func:`_extract_task` on several recordings: one task (and one pickled extractor) per batch,
    with the calling process's command- and url-source guards."""
    apply_guard_settings(commands_allowed)
    return [_extract_task(extractor, encoder, augment_fn, rec, channels, single_thread) for rec, channels in batch]


def _extract_task(
    extractor: FeatureExtractor,
    encoder: FeaturesWriter,
    augment_fn: Optional[AugmentFn],
    recording: Any,
    channels: List[int],
    single_thread: bool,
) -> _Result:
    """Loads, checks, augments, extracts and encodes one recording; errors are returned, not raised."""
    if single_thread:
        use_one_thread()
    try:
        _check_recording(extractor, recording)
        stored = []
        for channel in channels:
            samples = _load(recording, channel)
            if augment_fn is not None:
                samples = augment_fn(samples, recording.sampling_rate)
            feats = np.asarray(extractor.extract(samples, recording.sampling_rate))
            stored.append(_Stored(channel, int(feats.shape[0]), int(feats.shape[1]), encoder.encode(feats)))
        return _Result(recording.id, recording.sampling_rate, recording.duration, stored, None)
    except Exception as err:  # noqa: BLE001  (one bad recording must not kill the pool; reported by the caller)
        return _Result(recording.id, recording.sampling_rate, recording.duration, [], _portable(err, recording.id))


def _batch_size(num_tasks: int, window: int) -> int:
    """Recordings per executor task: enough to amortise pickling the extractor and the scheduler's
    per-task cost, few enough that every worker gets several tasks (load balance, progress)."""
    workers = max(1, (window - 2) // 2)
    return max(1, min(4, num_tasks // (8 * workers)))


def _check_recording(extractor: FeatureExtractor, recording: Any) -> None:
    config = extractor.config
    check_extractor_sampling_rate(extractor, recording.sampling_rate, recording.id)
    frame_length = getattr(config, "frame_length", None)
    if frame_length is not None:
        window = compute_num_samples(frame_length, recording.sampling_rate)
        if recording.num_samples < window:
            raise ShapeError(
                f"recording {recording.id!r} has {recording.num_samples} samples "
                f"({recording.duration}s), shorter than one {frame_length}s frame ({window} samples); "
                f"drop it (e.g. recordings.filter(lambda r: r.duration >= {frame_length}))"
            )


def _load(recording: Any, channel: int) -> np.ndarray:
    try:
        return recording.load_audio(channels=channel)
    except LhotseLiteError:
        raise
    except (OSError, RuntimeError, ValueError) as err:
        raise AudioLoadingError(f"recording {recording.id!r}: cannot read its audio: {err}") from err


def _portable(err: BaseException, recording_id: str) -> BaseException:
    """The error, made sure to name the recording and to survive pickling to the parent process."""
    if isinstance(err, LhotseLiteError) and recording_id not in str(err):
        with contextlib.suppress(TypeError):
            err = type(err)(f"recording {recording_id!r}: {err}")
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:  # noqa: BLE001  (unpicklable user exception: keep its text)
        return RuntimeError(f"recording {recording_id!r}: {type(err).__name__}: {err}")


def _check_unique_ids(recordings: List[Any]) -> None:
    first: dict = {}
    for position, recording in enumerate(recordings):
        if recording.id in first:
            raise DuplicateIdError(
                f"recording id {recording.id!r} is given twice (recordings {first[recording.id]} and {position}, "
                f"counting from 0); features are stored and resumed per recording id, so ids must be unique: "
                f"drop or rename the duplicate"
            )
        first[recording.id] = position


# ---- resume ------------------------------------------------------------------------------------


def _drop_unreferenced_tail(storage: FeaturesWriter, kept: List[Features]) -> None:
    """Cuts off what an interrupted run stored after the last matrix a kept manifest line references."""
    truncate_after = getattr(storage, "truncate_after", None)
    if truncate_after is None:
        return  # file and memory storages overwrite per key: nothing accumulates
    keys = [
        f.storage_key for f in kept if f.storage_type == storage.name and f.storage_path == str(storage.storage_path)
    ]
    if keys:
        removed = truncate_after(keys)
        if removed:
            logger.info("resuming: dropped %d unreferenced bytes at the end of %s", removed, storage.storage_path)


def _written_items(manifest: Any) -> List[Features]:
    """Items already in an output manifest opened for resuming (nothing for a fresh or in-memory one)."""
    return [Features.from_dict(d) for d in manifest.kept_dicts()]
