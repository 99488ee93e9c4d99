"""Where :class:`~lhotse_lite.features.builder.FeatureSetBuilder` runs its tasks: worker set-up and executors.

A builder task loads audio, extracts and lilcom-encodes; the executor decides where. Three kinds:

* none (``num_jobs=1``): the calling process itself;
* a process pool of our own (``num_jobs > 1``), whose workers come from a fork server
  (:func:`multiprocessing_context`), run torch on one thread each (:func:`use_one_thread`) and exit
  as soon as the process that started them is gone, even when it was killed with ``SIGKILL``
  (:func:`exit_with_parent`; without it they would wait for work forever, and keep the fork server
  and multiprocessing's resource tracker alive with them);
* any ``concurrent.futures.Executor`` the caller passes, typically a Dask client's
  (:func:`dask_executor` turns a scheduler address into one). Dask runs one task per worker thread,
  so its tasks also call :func:`use_one_thread`.

Example:
    >>> with process_pool(2) as pool:
    ...     sorted(pool.map(abs, [-2, 1]))
    [1, 2]
    >>> num_workers(None), is_dask(None)
    (1, False)
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import logging
import multiprocessing
import os
import select
import sys
import threading
import time
from typing import Any, Optional, Tuple

from lhotse_lite.errors import ConfigError

__all__ = [
    "use_one_thread",
    "exit_with_parent",
    "restore_dynamic_mmap_threshold",
    "process_pool",
    "multiprocessing_context",
    "dask_executor",
    "is_dask",
    "num_workers",
]

logger = logging.getLogger(__name__)

_ONE_THREAD = False


def use_one_thread() -> None:
    """Sets torch to one thread in this (worker) process, once, and fixes Dask's malloc settings.

    Example:
        >>> use_one_thread()
    """
    global _ONE_THREAD
    if not _ONE_THREAD:
        import torch

        torch.set_num_threads(1)
        restore_dynamic_mmap_threshold()
        _ONE_THREAD = True


_MMAP_THRESHOLD_BYTES = 16 << 20
_TRIM_THRESHOLD_BYTES = 2 * _MMAP_THRESHOLD_BYTES  # glibc's own rule when it adjusts the threshold
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt() parameter numbers


def restore_dynamic_mmap_threshold() -> None:
    """Keeps large temporaries on the heap in Dask workers (measured: half the CPU time per recording).

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_`` set, and setting any glibc malloc
    variable freezes the mmap threshold at 128 KiB (and the nanny's 64 KiB trim threshold returns
    every freed block at the top of the heap at once): every frame matrix, spectrum and chunk is then
    mapped, page-faulted and unmapped again, which made extraction about 2x slower in a worker than in
    a plain process. Only in that situation (on glibc, and never when the user set
    ``MALLOC_MMAP_THRESHOLD_`` themselves) the worker gets the thresholds a plain process reaches on
    its own: 16 MiB for mmap, 32 MiB for trimming, so at most that much freed memory is kept.

    Example:
        >>> restore_dynamic_mmap_threshold()  # a no-op unless MALLOC_TRIM_THRESHOLD_ is set
    """
    if not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD_BYTES)
    except (OSError, AttributeError) as err:  # not glibc: nothing to restore
        logger.debug("mallopt unavailable: %s", err)


ORPHAN_EXIT_CODE = 70
"""Exit status of a worker that ended because the process that started it is gone."""

_PARENT_POLL_SECONDS = 0.5


def exit_with_parent(parent_pid: int) -> threading.Thread:
    """Ends this process as soon as process ``parent_pid`` has exited (a daemon thread watches it).

    On Linux the thread waits on a pidfd (``os.pidfd_open``: woken when the process exits, no
    polling, not fooled by a reused pid); elsewhere it checks every 0.5 s. The process ends with
    ``os._exit(ORPHAN_EXIT_CODE)``: nothing is cleaned up, as nothing is left to report to.

    Args:
        parent_pid: The process to outlive by at most a moment (not necessarily our parent: fork
            server workers are the fork server's children).

    Returns:
        The watching thread (already started).

    Example:
        >>> exit_with_parent(os.getpid()).daemon  # watching ourselves: never fires while we run
        True
    """
    thread = threading.Thread(target=_watch_parent, args=(parent_pid,), name="exit-with-parent", daemon=True)
    thread.start()
    return thread


def _watch_parent(parent_pid: int) -> None:
    try:
        fd: Optional[int] = os.pidfd_open(parent_pid)  # type: ignore[attr-defined, unused-ignore]  # Linux only
    except ProcessLookupError:
        fd = None
        _exit_orphaned(parent_pid)
    except (AttributeError, OSError):  # not Linux >= 5.3: poll
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has exited
        _exit_orphaned(parent_pid)
    while _is_running(parent_pid):
        time.sleep(_PARENT_POLL_SECONDS)
    _exit_orphaned(parent_pid)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user
        return True
    return True


def _exit_orphaned(parent_pid: int) -> None:
    logger.warning("worker %d: the process that started it (%d) is gone; exiting", os.getpid(), parent_pid)
    os._exit(ORPHAN_EXIT_CODE)


def _init_worker(parent_pid: int) -> None:
    exit_with_parent(parent_pid)
    use_one_thread()


def process_pool(num_jobs: int) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of ``num_jobs`` worker processes from :func:`multiprocessing_context`, one torch thread each.

    Each worker exits as soon as this process is gone (:func:`exit_with_parent`), so killing this
    process, even with ``SIGKILL``, leaves no worker, fork server or resource tracker behind.

    Args:
        num_jobs: Number of worker processes.

    Example:
        >>> with process_pool(1) as pool:
        ...     pool.submit(max, 3, 4).result()
        4
    """
    return concurrent.futures.ProcessPoolExecutor(
        num_jobs, mp_context=multiprocessing_context(), initializer=_init_worker, initargs=(os.getpid(),)
    )


def multiprocessing_context() -> Any:
    """A fork server on Linux, ``spawn`` elsewhere.

    Plain ``fork`` is not safe once this process has run torch: a child forked after torch's OpenMP
    thread pool was used can hang forever in its first parallel region (seen with the FFT in
    ``tests/known_issues/test_fork_after_openmp.py``). A fork server is started fresh, imports
    torch and the extractors once (without running them), and then forks every worker cheaply
    from that clean state; CUDA is never initialised in it either.

    Example:
        >>> multiprocessing_context().get_start_method() in ("forkserver", "spawn")
        True
    """
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["lhotse_lite.features.builder", "lhotse_lite.features.kaldi.extractors"])
    return context


def dask_executor(address: str) -> Tuple[Any, concurrent.futures.Executor]:
    """Connects to the Dask scheduler at ``address``; returns ``(client, executor)``.

    Args:
        address: A scheduler address such as ``"tcp://host:8786"``.

    Raises:
        ConfigError: ``dask[distributed]`` is not installed.

    Example:
        >>> from dask.distributed import LocalCluster
        >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        ...     client, executor = dask_executor(cluster.scheduler_address)
        ...     print(executor.submit(sum, [1, 2]).result())
        ...     client.close()
        3
    """
    try:
        from dask.distributed import Client
    except ImportError as err:
        raise ConfigError("a Dask scheduler address needs dask[distributed]: pip install 'dask[distributed]'") from err
    client = Client(address)
    return client, client.get_executor()


def is_dask(executor: Optional[Any]) -> bool:
    """Whether ``executor`` runs on Dask (its tasks then set torch to one thread themselves).

    Example:
        >>> is_dask(concurrent.futures.ThreadPoolExecutor(1))
        False
    """
    return executor is not None and type(executor).__module__.startswith("distributed")


def num_workers(executor: Optional[Any]) -> int:
    """How many tasks ``executor`` runs at once (a sizing hint: 4 when it cannot tell).

    Example:
        >>> num_workers(concurrent.futures.ThreadPoolExecutor(3))
        3
    """
    if executor is None:
        return 1
    count = getattr(executor, "_max_workers", None)
    if count:
        return int(count)
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001  (only a sizing hint)
            return 4
    return 4
