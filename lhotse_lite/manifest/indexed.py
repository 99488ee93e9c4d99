"""Indexed lazy manifests: O(1) ``len``, ``set[i]``, resume and a global shuffle through the ``.idx`` index.

:class:`LazyIndexedManifestIterator` is Lhotse 2.0's node of that name: a lazy source over a JSONL
file with a byte-offset index (:mod:`lhotse_lite.indexing`, built when missing) or a block-compressed
``.jsonl.gz`` with its block index (:mod:`lhotse_lite.manifest.blocked_gzip`). It knows its length
without reading the data, reads item ``i`` with one ``pread``, iterates in file order or, with
``shuffle=True``, in the seed-determined global order of
:class:`~lhotse_lite.indexing.LazyShuffledRange` (every item once, O(1) memory, the same order in every
process and in Lhotse 2.0), and saves its position in O(1) (Lhotse 2.0's state keys:
``{"position", "shard_id", "num_shards", "range", "shuffle", "seed"}``).

How a pass reads the file:

* in file order, the file is streamed as a plain (multi-member gzip) file, as an unindexed lazy pass
  reads it; a ``.jsonl.gz``'s block index is not even opened (nor numpy imported) unless the pass
  resumes from a saved position, which starts streaming at the gzip member (or, for ``.jsonl``, the
  byte offset) of that item;
* shuffled, the permutation of a chunk of positions is computed at once (vectorised), their byte
  ranges gathered from the index in one operation and read one ``pread`` each, then parsed; chunks
  grow from 64 to :data:`CHUNK_ITEMS` items (the first item comes at once; memory stays bounded).

Both orders yield every line, as ``node[i]`` reads it: a line that is not a JSON object (a blank line
too) is an error naming ``file:line``.

Example:
    >>> import os, tempfile
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
    >>> SupervisionSet([SupervisionSegment(f"s{i}", "r", float(i), 1.0) for i in range(5)]).to_file(path)
    >>> node = LazyIndexedManifestIterator(path)
    >>> len(node), node[3].id, [s.id for s in node][:2]
    (5, 's3', ['s0', 's1'])
    >>> sorted(s.id for s in LazyIndexedManifestIterator(path, shuffle=True, seed=1)) == [s.id for s in node]
    True
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional, Tuple, Type

import orjson

from lhotse_lite.errors import ManifestArgumentError, ManifestFieldError, ManifestFormatError
from lhotse_lite.manifest.formats import Pathlike, gzi_path, has_block_index, is_gzip, read_block_index_header
from lhotse_lite.manifest.lines import DEFLATE_ERRORS, iter_line_batches
from lhotse_lite.manifest.nodes import IteratorNode, NodePass, State

if TYPE_CHECKING:
    from lhotse_lite.indexing import LazyShuffledRange

__all__ = ["LazyIndexedManifestIterator", "LazyIndexedSlice", "open_reader", "CHUNK_ITEMS"]

logger = logging.getLogger(__name__)

#: The most items a shuffled pass reads at a time (their lines are held until yielded: about 1-2 MB).
CHUNK_ITEMS = 4096

_GZIP_ERRORS: Tuple[Type[Exception], ...] = (EOFError, *DEFLATE_ERRORS)


def _require_block_index(path: Pathlike) -> None:
    if not has_block_index(path):
        raise ManifestArgumentError(
            f"{path}: indexed access to a .jsonl.gz needs its block index {str(gzi_path(path))!r}; create it with "
            f"`lite index {path}` (files written by lhotse_lite have it; others are rewritten as block-compressed "
            f"gzip, which every gzip reader still reads)"
        )


def open_reader(path: Pathlike, index_path: Optional[Pathlike] = None) -> Any:
    """The random-access reader of ``path``: :class:`~lhotse_lite.indexing.IndexedJsonlReader` for ``.jsonl``
    (the index is built when missing), :class:`~lhotse_lite.manifest.blocked_gzip.BlockedGzipReader` for
    ``.jsonl.gz``; for a URL, the same reading the object by range
    (:mod:`lhotse_lite.manifest.remote_indexed`).

    Raises:
        ManifestArgumentError: A ``.jsonl.gz`` without a block index (``lite index`` makes one; it may
            rewrite the file as block-compressed gzip, so it is not done implicitly).
    """
    from lhotse_lite.remote import is_url

    if is_url(path):  # read by range, the index files through the local cache
        from lhotse_lite.manifest.remote_indexed import open_remote_reader

        return open_remote_reader(str(path), index_path)
    if not is_gzip(path):
        from lhotse_lite.indexing import IndexedJsonlReader

        return IndexedJsonlReader(path, index_path=index_path)
    from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader

    _require_block_index(path)
    return BlockedGzipReader(path)


class LazyIndexedManifestIterator(IteratorNode):
    """Manifest items of an indexed JSONL file: O(1) ``len``, ``node[i]`` and resume; optional global shuffle.

    Args:
        path: The JSONL file (uncompressed: the ``.idx`` index is built next to it when missing), or a
            block-compressed ``.jsonl.gz`` with its block index.
        shuffle: Iterate in the Feistel order of ``LazyShuffledRange(len, seed)`` instead of file order.
        seed: Seed of the shuffle (an int; as in Lhotse 2.0, only its low 32 bits matter).
        index_path: The index file, when it is not ``<path>.idx``.
        decode: Builds one item from its dict (e.g. ``SupervisionSegment.from_dict``); ``None`` detects
            each item's type from its fields.
        block_window: With ``shuffle=True`` on a block-compressed ``.jsonl.gz``: shuffle its blocks, then
            the items within windows of this many blocks (see the manifests page).
        reader: What :func:`open_reader` returned for ``path``, to use instead of opening it again.

    A ``.jsonl.gz``'s block index is checked against the data now (its header: O(1)) and read on first
    use by ``node[i]``, a shuffled pass or a resumed one.

    Raises:
        ManifestNotFoundError: The file does not exist.
        StaleIndexError: The index does not match the file (it changed after indexing).

    Example:
        See the module docstring.
    """

    is_indexed = True

    def __init__(
        self,
        path: Pathlike,
        shuffle: bool = False,
        seed: int = 0,
        index_path: Optional[Pathlike] = None,
        decode: Optional[Callable[[dict], Any]] = None,
        block_window: Optional[int] = None,
        reader: Any = None,
    ) -> None:
        from lhotse_lite.remote import is_url

        if not isinstance(seed, int):
            raise ManifestArgumentError(f"the seed of an indexed shuffle must be an int, got {seed!r}")
        self.path = path
        self.shuffle = shuffle
        self.seed = seed
        self.index_path = index_path
        self.decode = decode
        self._reader = reader
        self._len: Optional[int] = None
        blocked = hasattr(reader, "block_lines")
        if reader is None and is_gzip(path) and not is_url(path):  # the index's header now, the index when used
            _require_block_index(path)
            self._len = read_block_index_header(path)[1]
            blocked = True
        elif reader is None:
            self._reader = open_reader(path, index_path)
            blocked = hasattr(self._reader, "block_lines")
        if block_window is not None and (block_window < 1 or not blocked):
            raise ManifestArgumentError(
                f"{path}: block_window={block_window} needs a block-compressed .jsonl.gz and "
                f"a window of at least 1 block"
            )
        self.block_window = block_window

    @property
    def reader(self) -> Any:
        """The random-access reader of the file (:func:`open_reader`), opened on first use."""
        reader = self._reader
        if reader is None:
            reader = self._reader = open_reader(self.path, self.index_path)
        return reader

    def _decoder(self) -> Callable[[dict], Any]:
        if self.decode is not None:
            return self.decode
        from lhotse_lite.manifest.detect import item_from_dict

        return item_from_dict

    def __len__(self) -> int:
        if self._len is None:
            self._len = len(self.reader)
        return self._len

    def __getitem__(self, idx: int) -> Any:
        """Item ``idx`` (negative counts from the end), read in O(1).

        Raises:
            ItemIndexError: ``idx`` is out of range.
            ManifestFieldError: The item is invalid (``file:line``).
        """
        decode = self.decode if self.decode is not None else self._decoder()
        reader = self._reader if self._reader is not None else self.reader
        try:
            obj = orjson.loads(reader.raw(idx))
            if obj.__class__ is dict:
                return decode(obj)
        except (TypeError, ValueError, AttributeError):
            pass
        return self._decode_at(idx, decode)  # raises again, naming the line

    def _decode_at(self, idx: int, decode: Callable[[dict], Any]) -> Any:
        data = self.reader[idx]
        try:
            return decode(data)
        except ManifestFieldError as err:
            raise type(err)(f"{self.path}:{idx + 1}: {err}") from err
        except (TypeError, ValueError, AttributeError) as err:
            raise ManifestFieldError(f"{self.path}:{idx + 1}: invalid item ({err})") from err

    def find(self, key: str) -> Any:
        """The item whose ``id`` is ``key``, or ``None``, through the id index ``<path>.idx.ids`` (built on first use).

        Raises:
            StaleIndexError: The id index does not match the data file.
        """
        ids = self.__dict__.get("_ids")
        reader = self.reader
        if ids is None:
            from lhotse_lite.manifest.sidecars import IdIndex

            if getattr(reader, "ranges", None) is not None:  # a URL: the id index through the cache
                from lhotse_lite.manifest.remote_indexed import open_id_index

                ids = self._ids = open_id_index(reader)
            else:
                ids = self._ids = IdIndex.open(self.path)
        found = ids.find(key, reader.__getitem__)
        if found is None:
            return None
        line, data = found
        try:
            return self._decoder()(data)
        except (TypeError, ValueError, AttributeError):
            return self._decode_at(line, self._decoder())  # raises again, naming the line

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_ids", None)
        return state

    def order(self) -> Optional[LazyShuffledRange]:
        """The permutation a shuffled pass follows (``None`` in file order)."""
        if not self.shuffle:
            return None
        from lhotse_lite.indexing import LazyShuffledRange

        return LazyShuffledRange(len(self), seed=self.seed)

    def _start(self, resume: Optional[State]) -> NodePass:
        if resume is not None:
            if bool(resume.get("shuffle", self.shuffle)) != self.shuffle or (
                self.shuffle and resume.get("seed", self.seed) != self.seed
            ):
                raise ManifestArgumentError(
                    f"{self.path}: the state was saved with shuffle={resume.get('shuffle')}, seed={resume.get('seed')}"
                    f" but this manifest has shuffle={self.shuffle}, seed={self.seed}; open it as it was saved"
                )
            if resume.get("num_shards", 1) not in (None, 1):
                raise ManifestArgumentError(
                    f"{self.path}: the state is of worker part {resume.get('shard_id')} of "
                    f"{resume.get('num_shards')}; lhotse_lite resumes whole passes only"
                )
        position = [0 if resume is None else int(resume["position"])]
        decode = self._decoder()
        if self.shuffle and self.block_window:
            return self._start_blocks(position, decode)
        order = self.order()
        if order is not None:
            items = self._shuffled(order, position, decode)
        elif getattr(self._reader, "ranges", None) is not None:  # a URL: read through the index
            items = self._read_in_order(position, decode)
        else:
            items = self._streamed(position, decode)

        def state() -> State:
            sd: State = {
                "position": position[0],
                "shard_id": 0,
                "num_shards": 1,
                "shuffle": self.shuffle,
                "seed": self.seed,
            }
            if order is not None:
                sd["range"] = {**order.state_dict(), "pos": position[0]}
            return sd

        return NodePass(items, state)

    def _shuffled(self, order: LazyShuffledRange, position: List[int], decode: Callable[[dict], Any]) -> Iterator[Any]:
        """Items in the order of ``order`` from ``position[0]`` on, read a chunk of positions at a time."""
        reader, decode_at, loads = self.reader, self._decode_at, orjson.loads
        n, size = len(order), 64  # small first chunks: the first item (of a pass, or after a resume) comes at once
        while position[0] < n:
            indexes = order.array(position[0], min(position[0] + size, n))
            size = min(2 * size, CHUNK_ITEMS)
            lines = reader.lines_at(indexes)
            for i, line in zip(indexes.tolist(), lines):
                position[0] += 1
                try:
                    obj = loads(line)
                    yield decode(obj) if obj.__class__ is dict else decode_at(i, decode)
                except (TypeError, ValueError, AttributeError):
                    yield decode_at(i, decode)  # raises again, naming the line

    def _streamed(self, position: List[int], decode: Callable[[dict], Any]) -> Iterator[Any]:
        """Items in file order from line ``position[0]`` on, streaming the file (a gzip file as one stream)."""
        first, offset = position[0], 0  # the first line the stream starts with, at byte ``offset``
        if first:  # a resumed pass: start at the line's block (gzip) or its byte offset
            reader = self.reader
            if first >= len(reader):
                return
            if hasattr(reader, "block_lines"):
                block = reader.block_of(first)
                first, offset = reader.first_lines[block], reader.offsets[block]
            else:
                offset = reader.offset_of(first)
        decode_at, loads, path = self._decode_at, orjson.loads, self.path
        expected = first  # the next line to read
        try:
            for lineno, lines in iter_line_batches(path, "manifest file", start=offset):
                i = first + lineno - 1  # the line number of lines[0]
                if i > expected:  # lines the reader skipped: blank ones, which the index counts
                    for k in range(max(expected, position[0]), i):
                        position[0] = k + 1
                        yield decode_at(k, decode)  # raises, naming the line
                expected = i + len(lines)
                if i < position[0]:  # lines before the resumed position, in its block
                    lines = lines[position[0] - i :]
                    i = position[0]
                for line in lines:
                    position[0] = i + 1
                    try:
                        obj = loads(line)
                        yield decode(obj) if obj.__class__ is dict else decode_at(i, decode)
                    except (TypeError, ValueError, AttributeError):
                        yield decode_at(i, decode)  # raises again, naming the line
                    i += 1
        except _GZIP_ERRORS as err:
            raise ManifestFormatError(
                f"{path}:{position[0] + 1}: the gzip stream is truncated or corrupt ({err}); "
                f"the file was probably not written completely. Rewrite it"
            ) from err

    def _read_in_order(self, position: List[int], decode: Callable[[dict], Any]) -> Iterator[Any]:
        """Items in file order through the reader (a URL): block by block for gzip, else line by line."""
        reader, decode_at, n = self.reader, self._decode_at, len(self)
        if hasattr(reader, "block_lines"):  # each block inflated once, its lines parsed here
            loads, i = orjson.loads, position[0]
            while i < n:
                first, lines = reader.block_lines(reader.block_of(i))
                for line in lines[i - first :]:
                    position[0] += 1
                    try:
                        obj = loads(line)
                        yield decode(obj) if obj.__class__ is dict else decode_at(i, decode)
                    except (TypeError, ValueError, AttributeError):
                        yield decode_at(i, decode)  # raises again, naming the line
                    i += 1
            return
        for i in range(position[0], n):
            position[0] += 1
            yield self[i]

    def _start_blocks(self, position: List[int], decode: Callable[[dict], Any]) -> NodePass:
        """The block shuffle: blocks in Feistel order, items shuffled within windows of ``block_window`` blocks."""
        from lhotse_lite.indexing import LazyShuffledRange

        reader, window = self.reader, int(self.block_window)  # type: ignore[arg-type]  # set: see _start
        blocks = LazyShuffledRange(reader.num_blocks, seed=self.seed)
        first_lines, decode_at, loads = reader.first_lines, self._decode_at, orjson.loads

        def line_of(members: List[int], k: int) -> int:  # the line number of item k of a window
            for b in members:
                if k < first_lines[b + 1] - first_lines[b]:
                    break
                k -= first_lines[b + 1] - first_lines[b]
            return first_lines[b] + k

        def items() -> Iterator[Any]:
            done = 0  # items before the current window
            span = 256 * window  # blocks whose places in the order are computed at once
            for start in range(0, len(blocks), span):
                placed = blocks.values(start, min(start + span, len(blocks)))
                for first in range(start, start + len(placed), window):
                    members = placed[first - start : first - start + window]
                    size = sum(first_lines[b + 1] - first_lines[b] for b in members)
                    if done + size <= position[0]:  # a window the resumed pass has already produced
                        done += size
                        continue
                    lines = [line for b in members for line in reader.block_lines(b)[1]]
                    order = list(range(len(lines)))
                    random.Random(self.seed * 1_000_003 + first).shuffle(order)
                    for k in order[position[0] - done :]:
                        position[0] += 1
                        try:
                            obj = loads(lines[k])
                            yield decode(obj) if obj.__class__ is dict else decode_at(line_of(members, k), decode)
                        except (TypeError, ValueError, AttributeError):
                            yield decode_at(line_of(members, k), decode)  # raises again, naming the line
                    done += size

        def state() -> State:
            return {
                "position": position[0],
                "shard_id": 0,
                "num_shards": 1,
                "shuffle": True,
                "seed": self.seed,
                "block_window": window,
            }

        return NodePass(items(), state)

    def __repr__(self) -> str:
        shuffled = f", shuffle=True, seed={self.seed}" if self.shuffle else ""
        return f"LazyIndexedManifestIterator({str(self.path)!r}{shuffled})"


class LazyIndexedSlice(IteratorNode):
    """Items ``range(start, stop, step)`` of an indexed source (``set[a:b]`` of an indexed lazy set), indexed too.

    State: ``{"position": items yielded}`` (O(1) resume).

    Example:
        >>> sliced = LazyIndexedSlice(list(range(10)), 2, 8, 3)
        >>> list(sliced), len(sliced), sliced[-1]
        ([2, 5], 2, 5)
    """

    is_indexed = True

    def __init__(self, source: Any, start: int, stop: int, step: int = 1) -> None:
        self.source = source
        self.range = range(start, stop, step)

    def __len__(self) -> int:
        return len(self.range)

    def __getitem__(self, idx: int) -> Any:
        if isinstance(idx, slice):
            return [self.source[i] for i in self.range[idx]]
        try:
            return self.source[self.range[idx]]
        except IndexError as err:
            from lhotse_lite.errors import ItemIndexError

            raise ItemIndexError(f"index {idx} out of range for a slice of {len(self.range)} items") from err

    def _start(self, resume: Optional[State]) -> NodePass:
        position = [0 if resume is None else int(resume["position"])]

        def items() -> Iterator[Any]:
            source, positions = self.source, self.range
            while position[0] < len(positions):
                position[0] += 1
                yield source[positions[position[0] - 1]]

        return NodePass(items(), lambda: {"position": position[0]})
