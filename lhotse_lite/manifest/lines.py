"""Reading the lines of a text file, with line numbers, in time linear in its size and bounded memory.

Every line-based reader of lhotse_lite (JSONL manifests, ``<stdin>`` of the ``lite`` commands, RTTM,
CTM and Kaldi tables) reads through here:

* A file whose name ends in ``.gz`` is decompressed in bounded steps (at most
  :data:`BLOCK_BYTES` of text at a time), so a small archive of highly compressible text never
  expands in memory at once; concatenated gzip members are read one after another.
* Lines are cut out of each block with ``bytes.split`` and a partial line is carried over in a
  ``bytearray``: the cost is linear in the input whatever the line lengths.
* A block with no text but whitespace (blank lines) is counted and skipped in one step.
* A line longer than :func:`max_line_bytes` (256 MiB by default; the ``LHOTSE_LITE_MAX_LINE_BYTES``
  environment variable or the module constant :data:`MAX_LINE_BYTES` change it) is refused with
  ``file:line`` before more of it is read: no manifest item is that large, and a file made of one
  endless line would otherwise fill the memory.
* :func:`iter_text_lines` decodes each line as UTF-8; a line that is not is a
  :class:`~lhotse_lite.errors.ManifestFormatError` naming ``file:line``, the byte and the encoding
  expected.
* :func:`iter_complete_lines` reads a file that an interrupted writer left behind: the lines that
  were written completely, up to a torn last line or the point where the gzip data ends or breaks.

Example:
    >>> import gzip, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt.gz")
    >>> with gzip.open(path, "wb") as f:
    ...     _ = f.write(b"one\\n\\n\\ntwo\\nthree")
    >>> [(n, line) for first, lines in iter_line_batches(path) for n, line in enumerate(lines, first) if line]
    [(1, b'one'), (4, b'two'), (5, b'three')]
    >>> list(iter_text_lines(path))
    [(1, 'one'), (4, 'two'), (5, 'three')]
"""

from __future__ import annotations

import logging
import os
import zlib
from types import ModuleType
from typing import BinaryIO, Iterable, Iterator, List, Optional, Tuple, Type

from lhotse_lite import remote
from lhotse_lite.errors import ManifestFormatError, ManifestNotFoundError
from lhotse_lite.types import Pathlike

__all__ = [
    "MAX_LINE_BYTES",
    "BLOCK_BYTES",
    "max_line_bytes",
    "iter_line_batches",
    "iter_stream_batches",
    "iter_text_lines",
    "iter_complete_lines",
    "decode_line",
    "DEFLATE_ERRORS",
]

logger = logging.getLogger(__name__)

_deflate: ModuleType
try:  # zlib's API, decompressing about twice as fast (an optional dependency: the ``gzip`` extra)
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # pragma: no cover - depends on the environment
    _deflate = zlib
#: What a corrupt deflate stream raises (zlib-ng's ``error`` is not a ``zlib.error``).
DEFLATE_ERRORS: Tuple[Type[Exception], ...] = (zlib.error, _deflate.error)

#: The longest line (in bytes, without its line break) a reader accepts, unless the environment variable
#: ``LHOTSE_LITE_MAX_LINE_BYTES`` says otherwise. 256 MiB.
MAX_LINE_BYTES = 256 << 20

#: Bytes of text handled per step (read from a plain file, or decompressed from a gzip stream).
BLOCK_BYTES = 1 << 18

_COMPRESSED_BYTES = 1 << 16  # compressed bytes read at a time


def max_line_bytes() -> int:
    """The line length bound in bytes: ``LHOTSE_LITE_MAX_LINE_BYTES`` when set, else :data:`MAX_LINE_BYTES`.

    Raises:
        ManifestFormatError: The environment variable is not a positive integer.

    Example:
        >>> max_line_bytes() == MAX_LINE_BYTES or "LHOTSE_LITE_MAX_LINE_BYTES" in os.environ
        True
    """
    text = os.environ.get("LHOTSE_LITE_MAX_LINE_BYTES")
    if text is None or not text.strip():
        return MAX_LINE_BYTES
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ManifestFormatError(
            f"LHOTSE_LITE_MAX_LINE_BYTES must be a positive number of bytes, got {text!r}; unset it to use "
            f"the default of {MAX_LINE_BYTES}"
        )
    return value


_REMOTE_BLOCK = 1 << 22  # read-ahead of a file read from a URL: one request per 4 MiB


def _file_blocks(path: Pathlike, what: str, gz: Optional[bool] = None, start: int = 0) -> Iterator[bytes]:
    if not remote.is_url(path) and not os.path.exists(path):
        raise ManifestNotFoundError(f"{what} not found: {str(path)!r}")
    with remote.open_read(path, _REMOTE_BLOCK, _REMOTE_BLOCK) as f:  # a URL: few large ranged requests
        if start:
            f.seek(start)
        if str(path).endswith(".gz") if gz is None else gz:
            yield from _gzip_blocks(f)
        else:
            yield from iter(lambda: f.read(BLOCK_BYTES), b"")


def _gzip_blocks(f: BinaryIO) -> Iterator[bytes]:
    """Decompressed text of a gzip file, at most :data:`BLOCK_BYTES` at a time.

    The texts of small gzip members (block-compressed files) are joined up to that size, so a file of
    many members is split into lines in as few steps as a single-stream one.

    Raises ``EOFError`` when the stream ends before its end-of-stream marker, ``zlib.error`` (zlib-ng's
    ``error`` where installed) on corrupt data; the text decompressed before either is yielded first.
    """
    decomp = _deflate.decompressobj(wbits=31)
    pending = b""
    in_member = False
    parts: List[bytes] = []  # text not yielded yet, less than BLOCK_BYTES
    room = BLOCK_BYTES
    try:
        while True:
            if not pending:
                pending = f.read(_COMPRESSED_BYTES)
                if not pending:
                    break
            in_member = True
            text = decomp.decompress(pending, room)
            if decomp.eof:  # end of a gzip member; another one may follow
                pending = decomp.unused_data
                decomp = _deflate.decompressobj(wbits=31)
                in_member = False
            else:
                pending = decomp.unconsumed_tail
            if text:
                parts.append(text)
                room -= len(text)
                if room <= 0:
                    yield b"".join(parts)
                    parts, room = [], BLOCK_BYTES
        if in_member:  # no input left: drain what zlib still holds, then the member must be complete
            parts.append(decomp.flush())
    except DEFLATE_ERRORS:
        if any(parts):
            yield b"".join(parts)
        raise
    if any(parts):
        yield b"".join(parts)
    if in_member and not decomp.eof:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")


def _too_long(name: str, lineno: int, limit: int) -> ManifestFormatError:
    return ManifestFormatError(
        f"{name}:{lineno}: the line is longer than {limit} bytes; a manifest or table line holds one item, "
        f"so this is not such a file (or it lacks line breaks). If the line is real, raise the bound with "
        f"the environment variable LHOTSE_LITE_MAX_LINE_BYTES"
    )


def _split_blocks(blocks: Iterable[bytes], name: str, torn_tail: bool = True) -> Iterator[Tuple[int, List[bytes]]]:
    """Lines of ``blocks`` in numbered batches; ``torn_tail=False`` leaves out a last line without its ``\\n``."""
    limit = max_line_bytes()
    partial = bytearray()  # the start of a line whose end was not read yet
    lineno = 0  # lines fully read so far
    for block in blocks:
        if block.find(b"\n") < 0:  # no line ends in this block
            partial += block
            if len(partial) > limit:
                raise _too_long(name, lineno + 1, limit)
            continue
        if not partial and block.isspace():  # only blank lines: count them, nothing to hand out
            lineno += block.count(b"\n")
            partial += block[block.rfind(b"\n") + 1 :]
            continue
        lines = block.split(b"\n")
        tail = lines.pop()
        if partial:
            partial += lines[0]
            if len(partial) > limit:
                raise _too_long(name, lineno + 1, limit)
            lines[0] = bytes(partial)
        if len(block) > limit and max(map(len, lines)) > limit:
            longest = max(range(len(lines)), key=lambda i: len(lines[i]))
            raise _too_long(name, lineno + 1 + longest, limit)
        yield lineno + 1, lines
        lineno += len(lines)
        partial = bytearray(tail)
    if partial and torn_tail:
        yield lineno + 1, [bytes(partial)]
    elif partial and not partial.isspace():
        logger.warning("%s: dropping a torn last line of %d bytes", name, len(partial))


def iter_line_batches(path: Pathlike, what: str = "file", start: int = 0) -> Iterator[Tuple[int, List[bytes]]]:
    """The lines of a (gzip-compressed) file as batches of bytes, with the number of each batch's first line.

    Lines are without their ``\\n``; blank lines may appear in a batch (the caller skips them) or be
    left out with the numbering kept. Reading is linear in the file size whatever the line lengths.

    Args:
        path: The file; gzip-compressed when its name ends in ``.gz``.
        what: What the file is, for the message when it does not exist (``"manifest file"``).
        start: The byte where reading starts: the start of a line, or of a gzip member (line 1 is the
            first line from there).

    Yields:
        ``(first_line_number, lines)``: ``lines[i]`` is line ``first_line_number + i`` (1-based).

    Raises:
        ManifestNotFoundError: The file does not exist (a ``FileNotFoundError``).
        ManifestFormatError: A line is longer than :func:`max_line_bytes` (``file:line``).
        EOFError, zlib.error: The gzip stream is truncated or corrupt (the callers name the line).
    """
    return _split_blocks(_file_blocks(path, what, start=start), str(path))


def iter_stream_batches(stream: BinaryIO, name: str = "<stdin>") -> Iterator[Tuple[int, List[bytes]]]:
    """As :func:`iter_line_batches`, for an open binary stream (``name`` is used in messages).

    Example:
        >>> import io
        >>> list(iter_stream_batches(io.BytesIO(b"a\\nb\\n")))
        [(1, [b'a', b'b'])]
    """
    return _split_blocks(iter(lambda: stream.read(BLOCK_BYTES), b""), name)


def iter_complete_lines(path: Pathlike, gz: bool) -> Iterator[bytes]:
    """The complete, non-blank lines of a file an interrupted writer may have cut off, each with its ``\\n``.

    A last line without its ``\\n`` is left out, and gzip data is read up to where it ends early or is
    corrupt (both logged as warnings): what a resume can keep.

    Args:
        path: The file.
        gz: Whether it is gzip-compressed (its name may not say: ``<name>.jsonl.gz.partial``).

    Raises:
        ManifestNotFoundError: The file does not exist (a ``FileNotFoundError``).
        ManifestFormatError: A line is longer than :func:`max_line_bytes`.

    Example:
        >>> import os, tempfile, zlib
        >>> path = os.path.join(tempfile.mkdtemp(), "a.partial")
        >>> gz = zlib.compressobj(6, zlib.DEFLATED, 31)
        >>> _ = open(path, "wb").write(gz.compress(b'{"id": 1}\\n\\n{"id": 2}\\n{"id"') + gz.flush(zlib.Z_SYNC_FLUSH))
        >>> list(iter_complete_lines(path, gz=True))
        [b'{"id": 1}\\n', b'{"id": 2}\\n']
    """
    for _, lines in _split_blocks(_up_to_damage(_file_blocks(path, "file", gz), path), str(path), torn_tail=False):
        for line in lines:
            if line and not line.isspace():
                yield line + b"\n"


def _up_to_damage(blocks: Iterator[bytes], path: Pathlike) -> Iterator[bytes]:
    try:
        yield from blocks
    except EOFError:
        logger.warning("%s: the gzip data ends early; keeping the complete lines before that", path)
    except DEFLATE_ERRORS as err:
        logger.warning("%s: corrupt gzip data (%s); keeping the complete lines before it", path, err)


def decode_line(line: bytes, where: str, kind: str = "text") -> str:
    """``line`` decoded as UTF-8, or an error naming ``where``, the bad byte and the encoding expected.

    Args:
        line: The raw line.
        where: ``file:line`` for the message.
        kind: What the file is (``"RTTM"``, ``"Kaldi table"``), for the message.

    Raises:
        ManifestFormatError: The bytes are not UTF-8.

    Example:
        >>> decode_line(b"caf\\xe9", "text:3", "Kaldi table")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ManifestFormatError: text:3: byte 0xe9 at column 4 is not UTF-8; Kaldi table files ...
    """
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ManifestFormatError(
            f"{where}: byte 0x{line[err.start]:02x} at column {err.start + 1} is not UTF-8; {kind} files are "
            f"read as UTF-8 text. Convert the file (e.g. iconv -f LATIN1 -t UTF-8)"
        ) from err


_GZIP_ERRORS: Tuple[Type[Exception], ...] = (EOFError, *DEFLATE_ERRORS)


def iter_text_lines(path: Pathlike, kind: str = "text") -> Iterator[Tuple[int, str]]:
    """The non-blank lines of a UTF-8 text file (gzip-compressed when named ``.gz``), with their numbers.

    Args:
        path: The file.
        kind: What the file is, for messages (``"RTTM"``, ``"CTM"``, ``"Kaldi table"``).

    Yields:
        ``(line_number, line)``: 1-based numbers; lines without their line break (a trailing ``\\r`` is
        kept: callers split on whitespace).

    Raises:
        ManifestNotFoundError: The file does not exist.
        ManifestFormatError: A line is not UTF-8, longer than :func:`max_line_bytes`, or the gzip stream
            is truncated or corrupt (each naming ``file:line``).
    """
    lineno = 0
    try:
        for first, lines in iter_line_batches(path, f"{kind} file"):
            for lineno, line in enumerate(lines, first):
                if line and not line.isspace():
                    yield lineno, decode_line(line, f"{path}:{lineno}", kind)
    except _GZIP_ERRORS as err:
        raise ManifestFormatError(f"{path}:{lineno + 1}: the gzip stream is truncated or corrupt ({err})") from err
