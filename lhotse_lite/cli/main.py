"""The ``lite`` entry point: the click group that every command group attaches to.

Errors raised on purpose by the library (:class:`~lhotse_lite.errors.LhotseLiteError`),
operating-system errors about files (missing, unreadable, not writable), text inputs and file
names that are not UTF-8 become one line ``Error: ...`` on stderr and exit status 1, never a traceback.

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
import re
import sys
from typing import Any, Dict, List, Optional, Tuple

import click

from lhotse_lite.cli.groups import CommandGroup
from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.version import __version__

__all__ = ["cli", "LiteGroup", "LHOTSE_COMMANDS", "lhotse_command_hint"]


_CUTS = (
    "cuts are not part of lhotse_lite. Keep recordings and supervisions manifests ('lite manifest ...'), "
    "extract features of recordings ('lite feat extract') and train on supervisions (lhotse_lite.dataset)"
)
_ONE_BACKEND = "lhotse_lite reads audio with libsndfile and resamples with soxr, always: there is no backend to choose"

LHOTSE_COMMANDS: Dict[str, Tuple[str, str]] = {
    "validate": ("use", "lite manifest validate"),
    "validate-pair": ("use", "lite manifest validate"),
    "split": ("use", "lite manifest split"),
    "split-lazy": ("use", "lite manifest split-lazy"),
    "subset": ("use", "lite manifest subset"),
    "combine": ("use", "lite manifest combine"),
    "filter": ("use", "lite manifest filter"),
    "copy": ("use", "lite manifest convert"),
    "describe": ("use", "lite manifest describe"),
    "supervision": ("use", "lite ctm import"),
    "cut": ("out", _CUTS),
    "shar": (
        "out",
        "Lhotse Shar (cuts in tar shards) is not part of lhotse_lite; features go to lilcom_chunky "
        "archives ('lite feat extract')",
    ),
    "workflows": (
        "out",
        "Lhotse's workflows (Whisper, forced alignment, DNSMOS, meeting simulation) are not part of lhotse_lite",
    ),
    "fix": ("out", "use lhotse_lite.qa.fix_manifests(recordings, supervisions) in Python"),
    "copy-feats": ("out", "use FeatureSet.copy_feats(writer) in Python, with a writer of lhotse_lite.features.io"),
    "install-sph2pipe": (
        "out",
        "lhotse_lite installs no tools; install sph2pipe with your package manager "
        "(wav.scp commands such as 'sph2pipe ... |' then run it)",
    ),
    "list-audio-backends": ("out", _ONE_BACKEND),
    "list-io-backends": ("out", _ONE_BACKEND),
    "list-resampling-backends": ("out", _ONE_BACKEND),
    "list-storage-backends": ("out", "use lhotse_lite.features.io.available_storage_backends() in Python"),
}
"""Lhotse's top-level command names that ``lite`` lacks -> ``("use", our command)`` or ``("out", why there is
none and what to use)``; ``lite NAME`` answers with that hint (exit status 2) instead of "No such command"."""


def lhotse_command_hint(name: str) -> Optional[str]:
    """The hint ``lite`` gives for Lhotse's command ``name``, or ``None`` when Lhotse has no such command.

    Example:
        >>> lhotse_command_hint("validate")
        "Lhotse's 'validate' is 'lite manifest validate' here; see 'lite manifest validate --help'"
    """
    if name not in LHOTSE_COMMANDS:
        return None
    kind, text = LHOTSE_COMMANDS[name]
    if kind == "use":
        return f"Lhotse's {name!r} is {text!r} here; see '{text} --help'"
    return f"Lhotse's {name!r} has no counterpart here: {text}"


class LiteGroup(CommandGroup):
    """A click group that turns library and file errors into ``Error: ...`` and exit status 1.

    A Lhotse command name that ``lite`` lacks (:data:`LHOTSE_COMMANDS`) is a usage error (exit status
    2) naming our command, or saying why there is none and what to use.

    Example:
        >>> from click.testing import CliRunner
        >>> result = CliRunner().invoke(cli, ["manifest", "describe", "missing.jsonl"])
        >>> result.exit_code, result.output.startswith("Error: "), "Traceback" in result.output
        (1, True, False)
        >>> result = CliRunner().invoke(cli, ["split", "4", "sups.jsonl.gz", "out"])
        >>> result.exit_code, result.output.splitlines()[-1]
        (2, "Error: Lhotse's 'split' is 'lite manifest split' here; see 'lite manifest split --help'")
    """

    def resolve_command(
        self, ctx: click.Context, args: List[str]
    ) -> Tuple[Optional[str], Optional[click.Command], List[str]]:
        name = args[0] if args else None
        if name is not None and self.get_command(ctx, name) is None:
            hint = lhotse_command_hint(name) if ctx.parent is None else None
            if hint is not None:
                raise click.UsageError(hint, ctx)
        return super().resolve_command(ctx, args)

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
        except UnicodeEncodeError as err:  # a file name (or text) holding bytes that are not UTF-8
            shown = _undecodable(err.object[max(0, err.start - 160) : err.end + 40])
            raise click.ClickException(
                f"'{shown}' is not valid UTF-8 (the bytes shown as \\x..) and cannot be written or passed on; "
                f"rename the file to UTF-8 (e.g. convmv -f latin1 -t utf8) or convert the text"
            ) from err
        except UnicodeDecodeError as err:  # a text input in another encoding, read by a reader without its own check
            raise click.ClickException(
                f"an input file is not valid UTF-8 text ({err.reason} at byte {err.start}: "
                f"{err.object[err.start : err.start + 8]!r}); convert it to UTF-8, e.g. iconv -f latin1 -t utf-8"
            ) from err


def _undecodable(text: str) -> str:
    """``text`` with the bytes Python kept as lone surrogates shown as ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _os_message(err: OSError) -> str:
    if err.filename is not None and err.strerror:
        return f"{err.strerror}: {err.filename!r}"
    return str(err)


@click.group(cls=LiteGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lite")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details (INFO level) to stderr.")
@click.option(
    "--path-map",
    "path_map",
    multiple=True,
    metavar="SRC=DST",
    help="Read audio and features under the prefix SRC from DST instead (e.g. "
    "s3://bucket/corpus=/mnt/corpus); repeatable. Default: the LHOTSE_LITE_PATH_MAP variable.",
)
def cli(verbose: bool, path_map: Tuple[str, ...]) -> None:
    """lhotse_lite: speech corpus manifests and Kaldi-compatible features."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from lhotse_lite import remote

    remote.set_path_map(";".join(path_map) if path_map else None)  # None: the environment variable


_LITERAL = re.compile(r"``(.+?)``")
_ROLE = re.compile(r":[a-z]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`")


def plain_help(text: Optional[str]) -> Optional[str]:
    """``text`` (a command's docstring) without reStructuredText markup, as ``--help`` prints it.

    Example:
        >>> plain_help("Writes ``feats.lca`` (see :class:`~lhotse_lite.features.io.LilcomChunkyWriter`).")
        "Writes 'feats.lca' (see LilcomChunkyWriter)."
    """
    if text is None:
        return None
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)
    return _LITERAL.sub(r"'\1'", text)


def _commands(command: click.Command) -> List[click.Command]:
    found = [command]
    for sub in getattr(command, "commands", {}).values():
        found += _commands(sub)
    return found


def _register() -> None:
    from lhotse_lite.cli.feature_commands import feat
    from lhotse_lite.cli.format_commands import ctm, kaldi, rttm
    from lhotse_lite.cli.index_commands import index
    from lhotse_lite.cli.manifest_commands import manifest
    from lhotse_lite.cli.recipe_commands import download, prepare

    for group in (manifest, rttm, ctm, kaldi, feat, prepare, download, index):
        cli.add_command(group)
    for command in _commands(cli):  # docstrings are written once, in reST; --help prints plain text
        command.help = plain_help(command.help)
        command.short_help = plain_help(command.short_help)
        for param in command.params:
            if isinstance(param, click.Option):
                param.help = plain_help(param.help)


_register()
