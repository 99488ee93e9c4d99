"""``memory_lilcom`` and ``memory_npy``: the matrix itself is the ``storage_key`` (bytes).

Used by :meth:`Features.move_to_memory` to keep features inside the manifest object (e.g. to ship them
to another process). ``storage_path`` is ``None``; the key names nothing, the payload is the data.

Example:
    >>> import numpy as np
    >>> data = MemoryLilcomWriter().write("ignored", np.zeros((4, 3), dtype=np.float32))
    >>> isinstance(data, bytes), MemoryLilcomReader().read(data, 0, 2).shape
    (True, (2, 3))
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lhotse_lite.errors import ShapeError
from lhotse_lite.features.storage.base import (
    FeaturesReader,
    FeaturesWriter,
    check_float_matrix,
    fill_out,
    register_reader,
    register_writer,
    storage_error,
)
from lhotse_lite.features.storage.codec import (
    DEFAULT_TICK_POWER,
    lilcom_decode_rows,
    lilcom_encode,
    npy_decode,
    npy_encode,
)

__all__ = ["MemoryLilcomWriter", "MemoryLilcomReader", "MemoryNpyWriter", "MemoryNpyReader"]


class _MemoryWriter(FeaturesWriter):
    @property
    def storage_path(self) -> None:
        return None

    def write_encoded(self, key: str, payload: bytes) -> bytes:
        return payload


@register_writer
class MemoryLilcomWriter(_MemoryWriter):
    """Returns the lilcom-compressed matrix as the storage key.

    Args:
        lilcom_tick_power: Lilcom precision (Lhotse's argument name).
    """

    name = "memory_lilcom"

    def __init__(self, *args: Any, lilcom_tick_power: int = DEFAULT_TICK_POWER, **kwargs: Any) -> None:
        self.lilcom_tick_power = lilcom_tick_power

    def encode(self, value: np.ndarray) -> bytes:
        check_float_matrix(value, self.name)
        return lilcom_encode(value, self.lilcom_tick_power)


@register_reader
class MemoryLilcomReader(FeaturesReader[bytes]):
    """Decompresses a ``memory_lilcom`` storage key."""

    name = "memory_lilcom"

    def read(
        self,
        key: bytes,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        try:
            return lilcom_decode_rows(key, left_offset_frames, right_offset_frames, out, "<memory>", key)
        except ShapeError:
            raise
        except (TypeError, ValueError) as err:
            raise storage_error("<memory>", key, err) from err


@register_writer
class MemoryNpyWriter(_MemoryWriter):
    """Returns the matrix serialised in the ``.npy`` format as the storage key (lossless)."""

    name = "memory_npy"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def encode(self, value: np.ndarray) -> bytes:
        if not isinstance(value, np.ndarray):
            check_float_matrix(value, self.name)
        return npy_encode(value)


@register_reader
class MemoryNpyReader(FeaturesReader[bytes]):
    """Reads a ``memory_npy`` storage key."""

    name = "memory_npy"

    def read(
        self,
        key: bytes,
        left_offset_frames: int = 0,
        right_offset_frames: Optional[int] = None,
        out: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        try:
            frames = npy_decode(key)[left_offset_frames:right_offset_frames]
        except (TypeError, ValueError) as err:
            raise storage_error("<memory>", key, err) from err
        return fill_out(out, frames, "<memory>", key)
