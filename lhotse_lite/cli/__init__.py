"""The ``lite`` command line: a thin layer of click commands, each calling one library function.

Importing this package must stay fast: command modules import torch (via the feature code) only
inside the commands that need it, never at import time.
"""

from lhotse_lite.cli.main import cli

__all__ = ["cli"]
