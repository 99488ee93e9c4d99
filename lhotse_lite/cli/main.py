"""The ``lite`` entry point: the click group that every command group attaches to.

Errors raised on purpose by the library (:class:`~lhotse_lite.errors.LhotseLiteError`) and
operating-system errors about files (missing, unreadable, not writable) become one line
``Error: ...`` on stderr and exit status 1, never a traceback.

Command groups live in their own modules (``manifest_commands``, ``format_commands``,
``feature_commands``, ``recipe_commands``); none imports torch at import time, so ``lite --help`` starts fast.

Example:
    >>> from click.testing import CliRunner
    >>> from lhotse_lite.cli.main import cli
    >>> CliRunner().invoke(cli, ["--version"]).output.startswith("lite, version ")
    True
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.version import __version__

__all__ = ["cli", "LiteGroup"]


class LiteGroup(click.Group):
    """A click group that turns library and file errors into ``Error: ...`` and exit status 1.

    Example:
        >>> from click.testing import CliRunner
        >>> result = CliRunner().invoke(cli, ["manifest", "describe", "missing.jsonl"])
        >>> result.exit_code, result.output.startswith("Error: "), "Traceback" in result.output
        (1, True, False)
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LhotseLiteError as err:
            raise click.ClickException(str(err)) from err
        except BrokenPipeError:  # the reader went away (``lite ... - | head``): stop quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (Python's flush at exit must not fail)
            ctx.exit(141)  # 128 + SIGPIPE, what a shell reports for a command killed by it
        except OSError as err:  # a missing or unwritable file: the user's to fix, not a bug
            raise click.ClickException(_os_message(err)) from err


def _os_message(err: OSError) -> str:
    if err.filename is not None and err.strerror:
        return f"{err.strerror}: {err.filename!r}"
    return str(err)


@click.group(cls=LiteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lite")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details (INFO level) to stderr.")
def cli(verbose: bool) -> None:
    """lhotse_lite: speech corpus manifests and Kaldi-compatible features."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    from lhotse_lite.cli.feature_commands import feat
    from lhotse_lite.cli.format_commands import ctm, kaldi, rttm
    from lhotse_lite.cli.manifest_commands import manifest
    from lhotse_lite.cli.recipe_commands import download, prepare

    for group in (manifest, rttm, ctm, kaldi, feat, prepare, download):
        cli.add_command(group)


_register()
