"""Lilcom and ``.npy`` encoding of feature matrices, shared by the storage backends.

Lilcom compresses a float matrix lossily to integer multiples of ``2**tick_power``; Lhotse stores
features with ``tick_power=-5`` (steps of 1/32), which we keep as the default so archives written here
and there have the same precision. ``lilcom.compress`` quantises its input *in place* when given a
contiguous float32 array; :func:`lilcom_encode` always compresses a private copy.

Example:
    >>> import numpy as np
    >>> x = np.array([[0.1, 0.2], [0.3, 0.4]], dtype=np.float32)
    >>> y = lilcom_decode(lilcom_encode(x))
    >>> bool(np.abs(x - y).max() <= 2.0 ** -6), bool(x[0, 0] == np.float32(0.1))
    (True, True)
"""

from __future__ import annotations

import io
from typing import List

import lilcom
import numpy as np

__all__ = [
    "DEFAULT_TICK_POWER",
    "CHUNK_FRAMES",
    "lilcom_encode",
    "lilcom_encode_chunks",
    "lilcom_decode",
    "npy_encode",
    "npy_decode",
]

DEFAULT_TICK_POWER = -5
"""Lhotse's default lilcom precision: values are stored as multiples of ``2**-5``."""

CHUNK_FRAMES = 500
"""Frames per lilcom chunk in a ``lilcom_chunky`` archive (fixed by the format: readers assume it)."""


def lilcom_encode(value: np.ndarray, tick_power: int = DEFAULT_TICK_POWER) -> bytes:
    """Lilcom-compresses a float array without modifying it.

    Args:
        value: A float array (any shape, at least one axis).
        tick_power: Precision: values are rounded to multiples of ``2**tick_power``.

    Returns:
        The compressed bytes (``lilcom.decompress`` restores a float32 array).
    """
    private = np.array(value, dtype=np.float32, order="C", copy=True)
    return lilcom.compress(private, tick_power=tick_power)


def lilcom_encode_chunks(
    value: np.ndarray, tick_power: int = DEFAULT_TICK_POWER, chunk_frames: int = CHUNK_FRAMES
) -> List[bytes]:
    """Lilcom-compresses ``value`` in blocks of ``chunk_frames`` rows (axis 0), without modifying it.

    Args:
        value: A float array, time on axis 0.
        tick_power: Precision, as in :func:`lilcom_encode`.
        chunk_frames: Rows per chunk.

    Returns:
        One compressed blob per chunk (``ceil(len(value) / chunk_frames)`` of them).
    """
    private = np.array(value, dtype=np.float32, order="C", copy=True)
    return [
        lilcom.compress(private[begin : begin + chunk_frames], tick_power=tick_power)
        for begin in range(0, private.shape[0], chunk_frames)
    ]


def lilcom_decode(data: bytes) -> np.ndarray:
    """Decompresses lilcom bytes into a float32 array."""
    return lilcom.decompress(bytes(data))


def npy_encode(value: np.ndarray) -> bytes:
    """Serialises an array in the ``.npy`` format (no pickling)."""
    buffer = io.BytesIO()
    np.save(buffer, value, allow_pickle=False)
    return buffer.getvalue()


def npy_decode(data: bytes) -> np.ndarray:
    """Reads an array serialised by :func:`npy_encode` (pickled objects are refused)."""
    return np.load(io.BytesIO(data), allow_pickle=False)
