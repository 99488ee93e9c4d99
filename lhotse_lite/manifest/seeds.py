"""Random seeds of the lazy nodes: an int, or Lhotse's special values ``"trng"`` and ``"randomized"``.

Lazy multiplexers and shard shuffling take a ``seed`` and make a ``random.Random(seed)`` for each
pass, so that every pass repeats the same order (and the order Lhotse 1.33 gives for that seed).
:func:`resolve_seed` turns the accepted values into an int:

* an ``int``: itself;
* ``None``: the seed of Python's global ``random`` generator, as Lhotse;
* ``"trng"``: a fresh seed from the operating system's true random source (a new order on each pass);
* ``"randomized"``: outside a PyTorch ``DataLoader`` worker, the seed of the global generator (as
  Lhotse); inside a worker, that worker's seed (``torch.utils.data.get_worker_info().seed``), so
  each worker draws a different order. Lhotse reads a seed its own ``worker_init_fn`` stored
  instead; lhotse_lite needs no init function. torch is only consulted when it is already imported.

Example:
    >>> resolve_seed(7)
    7
    >>> 0 <= resolve_seed("trng") < 2**31
    True
"""

from __future__ import annotations

import random
import secrets
import sys
from typing import Literal, Optional, Protocol, Union

from lhotse_lite.errors import ManifestArgumentError

__all__ = ["Seed", "resolve_seed"]

#: The seed values the lazy nodes accept.
Seed = Union[int, Literal["trng", "randomized"]]


def resolve_seed(seed: Optional[Seed]) -> int:
    """The integer seed for ``seed`` (see the module docstring).

    Args:
        seed: An int, ``None``, ``"trng"`` or ``"randomized"``.

    Returns:
        A non-negative int (``"trng"``: below ``2**31``).

    Raises:
        ManifestArgumentError: Any other value (also an ``AssertionError``; a ``ValueError`` as in Lhotse).

    Example:
        >>> resolve_seed("randomized") == random.getstate()[1][0]
        True
    """
    if isinstance(seed, int) and not isinstance(seed, bool):
        return seed
    if seed is None:
        return random.getstate()[1][0]
    if seed == "trng":
        return secrets.randbelow(2**31)
    if seed == "randomized":
        worker = _torch_worker_info()
        return random.getstate()[1][0] if worker is None else worker.seed % 2**31
    raise ManifestArgumentError(f"a seed must be an int, None, 'trng' or 'randomized', got {seed!r}")


class _WorkerInfo(Protocol):
    """What :func:`torch.utils.data.get_worker_info` returns inside a DataLoader worker (the part used here)."""

    seed: int


def _torch_worker_info() -> Optional[_WorkerInfo]:
    data = sys.modules.get("torch.utils.data")  # never import torch from here
    if data is None:
        return None
    return data.get_worker_info()
