"""The click group class of every ``lite`` command group: an unknown command names the ones there are.

Example:
    >>> import click
    >>> from click.testing import CliRunner
    >>> @click.group(cls=CommandGroup)
    ... def corpus() -> None: ...
    >>> @corpus.command()
    ... def librispeech() -> None: ...
    >>> @corpus.command()
    ... def yesno() -> None: ...
    >>> print(CliRunner().invoke(corpus, ["librispeeh"]).output.splitlines()[-1])
    Error: No such command 'librispeeh'. Did you mean 'librispeech'? The commands are: librispeech, yesno.
"""

from __future__ import annotations

import difflib
from typing import List, Optional, Tuple

import click

__all__ = ["CommandGroup"]


class CommandGroup(click.Group):
    """A click group whose "no such command" error suggests the closest name and lists the commands."""

    def resolve_command(
        self, ctx: click.Context, args: List[str]
    ) -> Tuple[Optional[str], Optional[click.Command], List[str]]:
        name = args[0] if args else None
        if (
            name is not None
            and not ctx.resilient_parsing
            and not name.startswith("-")
            and self.get_command(ctx, name) is None
        ):
            known = self.list_commands(ctx)
            close = difflib.get_close_matches(name, known, n=1)
            guess = f" Did you mean {close[0]!r}?" if close else ""
            raise click.UsageError(f"No such command {name!r}.{guess} The commands are: {', '.join(known)}.", ctx)
        return super().resolve_command(ctx, args)
