"""The ``lite`` entry point: the click group that every command group attaches to.

Errors raised on purpose by the library (:class:`~lhotse_lite.errors.LhotseLiteError`) become one
line ``Error: ...`` on stderr and exit status 1, never a traceback.

Example:
    >>> from click.testing import CliRunner
    >>> from lhotse_lite.cli.main import cli
    >>> CliRunner().invoke(cli, ["--version"]).output.startswith("lite, version ")
    True
"""

from __future__ import annotations

import logging
from typing import Any

import click

from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.version import __version__

__all__ = ["cli", "LiteGroup"]


class LiteGroup(click.Group):
    """A click group that turns library errors into ``Error: ...`` and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LhotseLiteError as err:
            raise click.ClickException(str(err)) from err


@click.group(cls=LiteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lite")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details (INFO level) to stderr.")
def cli(verbose: bool) -> None:
    """lhotse_lite: speech corpus manifests and Kaldi-compatible features."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
