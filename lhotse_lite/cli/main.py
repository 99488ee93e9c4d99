"""The ``lite`` entry point: the click group that every command group attaches to.

Example:
    >>> from click.testing import CliRunner
    >>> from lhotse_lite.cli.main import cli
    >>> CliRunner().invoke(cli, ["--version"]).output.startswith("lite, version ")
    True
"""

from __future__ import annotations

import logging

import click

from lhotse_lite.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lite")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details (INFO level) to stderr.")
def cli(verbose: bool) -> None:
    """lhotse_lite: speech corpus manifests and Kaldi-compatible features."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
