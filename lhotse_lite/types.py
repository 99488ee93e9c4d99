"""Type aliases shared by the whole package (Lhotse's ``lhotse.utils.Pathlike`` is this one).

Example:
    >>> from pathlib import Path
    >>> from lhotse_lite.types import Pathlike
    >>> def name(path: Pathlike) -> str:
    ...     return Path(path).name
    >>> name("a/b.jsonl"), name(Path("c.yaml"))
    ('b.jsonl', 'c.yaml')
"""

from __future__ import annotations

import os
from typing import Union

__all__ = ["Pathlike"]

#: A path as the package's functions accept it: a ``str`` or any ``os.PathLike`` (``pathlib.Path``).
Pathlike = Union[str, "os.PathLike[str]"]
