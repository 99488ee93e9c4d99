"""Fetching corpus archives: resumable, atomic downloads and unpacking that stays inside its folder.

A download is written to ``<file>.part`` and renamed to ``<file>`` only once complete, so a file at
the final path is always whole. An interrupted download resumes from the bytes already in
``<file>.part`` when the server honours ranges (HTTP 206) and starts again otherwise. A file already
at the final path is used as it is (unless ``force_download``): an archive fetched another way (a
browser, a mirror) only needs to be put there.

Any URL that :mod:`urllib.request` opens works: ``https://``, ``http://``, ``ftp://`` and ``file://``
(a local mirror; the tests use it). A failure to connect or a refused URL raises
:class:`~lhotse_lite.errors.DownloadError` saying what to do, never a traceback from the socket
layer.

Unpacking refuses archive members that would land outside the target folder (absolute paths,
``..``, links pointing out), and a folder is marked finished with a ``.completed`` file, as Lhotse
does, so a re-run skips what is done and an interrupted unpack is redone from scratch.

Example:
    >>> import tarfile, tempfile
    >>> from pathlib import Path
    >>> work = Path(tempfile.mkdtemp())
    >>> (work / "corpus").mkdir()
    >>> _ = (work / "corpus" / "a.txt").write_text("hello")
    >>> with tarfile.open(work / "corpus.tar.gz", "w:gz") as tar:
    ...     tar.add(work / "corpus", arcname="corpus")
    >>> url = (work / "corpus.tar.gz").as_uri()
    >>> unpacked = fetch_archive(url, work / "dl" / "corpus.tar.gz", work / "dl", work / "dl" / "corpus")
    >>> (unpacked / "a.txt").read_text(), is_completed(unpacked)
    ('hello', True)
"""

from __future__ import annotations

import http.client
import logging
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from tqdm.auto import tqdm

from lhotse_lite.errors import DownloadError
from lhotse_lite.types import Pathlike

__all__ = ["resumable_download", "extract_archive", "fetch_archive", "is_completed", "mark_completed"]

logger = logging.getLogger(__name__)


COMPLETED = ".completed"
"""The marker file written into a folder once it is completely downloaded and unpacked."""
TIMEOUT_SECONDS = 60.0
"""How long a connection may stay silent before the download counts as failed."""
_CHUNK = 1 << 20


def _failure(url: str, target: Path, reason: object) -> DownloadError:
    return DownloadError(
        f"could not download {url}: {reason}. Check the network connection (and any proxy settings), "
        f"or fetch the file another way, save it as {str(target)!r} and run again (a complete file "
        "there is used as it is)"
    )


def resumable_download(url: str, filename: Pathlike, force_download: bool = False) -> Path:
    """Downloads ``url`` to ``filename`` atomically, resuming an earlier partial download.

    Args:
        url: What to fetch (``https://``, ``http://``, ``ftp://`` or ``file://``).
        filename: Where to store it; its folder is created.
        force_download: Download again even if ``filename`` exists (a partial download is
            discarded too).

    Returns:
        ``filename`` as a :class:`~pathlib.Path`.

    Raises:
        DownloadError: the URL could not be opened (no network, HTTP error, unknown scheme) or
            the transfer broke off; the partial file is kept, so a re-run resumes.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> work = Path(tempfile.mkdtemp())
        >>> _ = (work / "source.bin").write_bytes(b"0123456789")
        >>> path = resumable_download((work / "source.bin").as_uri(), work / "copy.bin")
        >>> path.read_bytes(), path.with_name("copy.bin.part").exists()
        (b'0123456789', False)
        >>> resumable_download((work / "missing.bin").as_uri(), work / "x.bin")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.DownloadError: could not download file://.../missing.bin: ...
    """
    target = Path(filename)
    partial = target.with_name(target.name + ".part")
    if target.is_file() and not force_download:
        logger.info("%s exists: not downloading %s again", target, url)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if force_download:
        partial.unlink(missing_ok=True)
    offset = partial.stat().st_size if partial.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:  # the range starts at or past the end: fetch the whole file again
            partial.unlink()
            return resumable_download(url, target)
        raise _failure(url, target, f"HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        raise _failure(url, target, err.reason) from err
    except (OSError, ValueError, http.client.HTTPException) as err:  # timeouts, resets, a malformed URL
        raise _failure(url, target, err) from err
    with response:
        resumed = offset > 0 and getattr(response, "status", None) == 206
        offset = offset if resumed else 0
        length = response.headers.get("Content-Length")
        expected = offset + int(length) if length and length.isdigit() else None
        with (
            open(partial, "ab" if resumed else "wb") as out,
            tqdm(total=expected, initial=offset, unit="B", unit_scale=True, desc=target.name, leave=False) as bar,
        ):
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as err:  # resets, timeouts, IncompleteRead
                    raise DownloadError(
                        f"download of {url} broke off after {out.tell()} bytes ({err}); run again to resume "
                        f"from {str(partial)!r}"
                    ) from err
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
    size = partial.stat().st_size
    if expected is not None and size != expected:
        raise DownloadError(
            f"download of {url} stopped at {size} of {expected} bytes; run again to resume from {str(partial)!r}"
        )
    os.replace(partial, target)
    logger.info("downloaded %s to %s (%d bytes)", url, target, size)
    return target


def _check_member(archive: Path, target: Path, name: str) -> None:
    destination = (target / name).resolve()
    if os.path.isabs(name) or not destination.is_relative_to(target.resolve()):
        raise DownloadError(
            f"{archive}: member {name!r} would be written outside {str(target)!r}; refusing to unpack this archive"
        )


def extract_archive(archive: Pathlike, target_dir: Pathlike) -> None:
    """Unpacks a tar (plain, gzip, bzip2, xz) or zip archive into ``target_dir``.

    Args:
        archive: The archive file.
        target_dir: Where its members go (created).

    Raises:
        DownloadError: the file is not an archive or is damaged (delete it and download again),
            or a member would be written outside ``target_dir`` (a path with ``..``, an absolute
            path, a link pointing outside, a device file).

    Example:
        >>> import tempfile, zipfile
        >>> from pathlib import Path
        >>> work = Path(tempfile.mkdtemp())
        >>> with zipfile.ZipFile(work / "evil.zip", "w") as zf:
        ...     zf.writestr("../outside.txt", "no")
        >>> extract_archive(work / "evil.zip", work / "out")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.DownloadError: ...evil.zip: member '../outside.txt' would be written outside ...
    """
    path, target = Path(archive), Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    _check_member(path, target, name)
                zf.extractall(target)
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as tar:
                for member in tar.getmembers():
                    _check_member(path, target, member.name)
                    if member.issym() or member.islnk():
                        base = Path(member.name).parent if member.issym() else Path()
                        _check_member(path, target, str(base / member.linkname))
                    elif member.isdev():
                        raise DownloadError(f"{path}: member {member.name!r} is a device file; refusing to unpack")
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(target, filter="data")
                else:  # Python releases before the extraction filters: the checks above do their job
                    tar.extractall(target)
        else:
            raise DownloadError(
                f"{str(path)!r} is neither a tar nor a zip archive (an error page saved instead of the file?); "
                "delete it and download again"
            )
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as err:
        raise DownloadError(f"{str(path)!r} is damaged ({err}); delete it and download again") from err


def is_completed(folder: Pathlike) -> bool:
    """Whether ``folder`` was completely downloaded and unpacked (it holds ``.completed``).

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> is_completed(folder), mark_completed(folder), is_completed(folder)
        (False, None, True)
    """
    return (Path(folder) / COMPLETED).is_file()


def mark_completed(folder: Pathlike) -> None:
    """Marks ``folder`` as completely downloaded and unpacked (writes ``.completed`` into it).

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> mark_completed(folder)
        >>> is_completed(folder)
        True
    """
    (Path(folder) / COMPLETED).touch()


def fetch_archive(
    url: str, archive: Pathlike, extract_to: Pathlike, unpacked: Pathlike, force_download: bool = False
) -> Path:
    """Downloads an archive and unpacks it, unless ``unpacked`` is already complete.

    A partly unpacked ``unpacked`` folder (no ``.completed``) is removed before unpacking again.

    Args:
        url: The archive's URL.
        archive: Where the downloaded archive is kept.
        extract_to: The folder the archive is unpacked into.
        unpacked: The folder the archive creates (``extract_to`` itself for an archive without
            a top folder); it is marked completed.
        force_download: Download and unpack again even if complete.

    Returns:
        ``unpacked``.

    Raises:
        DownloadError: the download or unpacking failed, or the archive did not create
            ``unpacked``.

    Example:
        A complete folder is not fetched again (the URL is not even opened):

        >>> import tempfile
        >>> from pathlib import Path
        >>> work = Path(tempfile.mkdtemp())
        >>> (work / "corpus").mkdir()
        >>> mark_completed(work / "corpus")
        >>> url = "https://example.invalid/corpus.tar.gz"
        >>> fetch_archive(url, work / "corpus.tar.gz", work, work / "corpus") == work / "corpus"
        True
    """
    folder = Path(unpacked)
    if is_completed(folder) and not force_download:
        logger.info("skipping %s: %s is complete", url, folder)
        return folder
    resumable_download(url, archive, force_download=force_download)
    shutil.rmtree(folder, ignore_errors=True)
    extract_archive(archive, extract_to)
    if not folder.is_dir():
        raise DownloadError(
            f"{archive} did not unpack to {str(folder)!r}; is it the right archive? Delete it and download again"
        )
    mark_completed(folder)
    return folder
