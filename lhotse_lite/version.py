"""The package version (kept in one place; ``pyproject.toml`` reads it from here).

Example:
    >>> from lhotse_lite.version import __version__
    >>> __version__.count(".") >= 2
    True
"""

__version__ = "0.1.0"
