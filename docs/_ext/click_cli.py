"""A tiny Sphinx extension documenting a click command tree from the commands themselves.

Usage in a page::

    .. click-tree:: lhotse_lite.cli.main:cli
       :prog: lite

Every command (groups included, depth first, sorted by name) becomes a section titled with its full
invocation (``lite manifest validate``) holding its ``--help`` output as click renders it, so the
reference can never drift from the code.

Sphinx and docutils are imported in :func:`setup` only, when Sphinx loads the extension: the module
itself needs only click, so the test suite collects it with the ``test`` extra alone (without
``docs``).

Example:
    >>> import click
    >>> @click.group()
    ... def tool():
    ...     "A tool."
    >>> @tool.command()
    ... def run():
    ...     "Run it."
    >>> lines = render_rst(tool, "tool")
    >>> [line for line in lines if line.startswith("tool")]
    ['tool', 'tool run']
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, ClassVar, Dict, Iterator, List, Tuple

import click

_UNDERLINES = '=-~^"'
_WIDTH = 100


def _load(target: str) -> click.Command:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _walk(command: click.Command, ctx: click.Context) -> Iterator[Tuple[click.Context, click.Command]]:
    yield ctx, command
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = click.Context(sub, info_name=name, parent=ctx, terminal_width=_WIDTH, max_content_width=_WIDTH)
            yield from _walk(sub, sub_ctx)


def _depth(ctx: click.Context) -> int:
    depth = 0
    while ctx.parent is not None:
        depth, ctx = depth + 1, ctx.parent
    return depth


def render_rst(command: click.Command, prog: str) -> List[str]:
    """The reStructuredText lines documenting ``command`` and all its subcommands."""
    settings = dict(command.context_settings, terminal_width=_WIDTH, max_content_width=_WIDTH)
    root = click.Context(command, info_name=prog, **settings)
    lines: List[str] = []
    for ctx, cmd in _walk(command, root):
        title = ctx.command_path
        depth = _depth(ctx)
        lines += [title, _UNDERLINES[min(depth, len(_UNDERLINES) - 1)] * len(title), ""]
        lines += [".. code-block:: text", ""]
        lines += [f"   {line}".rstrip() for line in cmd.get_help(ctx).splitlines()]
        lines.append("")
    return lines


def setup(app: Any) -> dict:
    """Registers ``.. click-tree:: module:attribute`` (with an optional ``:prog:`` name)."""
    from docutils import nodes
    from docutils.parsers.rst import directives
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective
    from sphinx.util.nodes import nested_parse_with_titles

    class ClickTreeDirective(SphinxDirective):
        required_arguments = 1
        option_spec: ClassVar[Dict[str, Callable[[str], Any]]] = {"prog": directives.unchanged}

        def run(self) -> List[nodes.Node]:
            command = _load(self.arguments[0])
            prog = self.options.get("prog", command.name or "cli")
            source = self.get_source_info()[0]
            content = StringList(render_rst(command, prog), source=source)
            container = nodes.section()
            container.document = self.state.document
            nested_parse_with_titles(self.state, content, container)
            return container.children

    app.add_directive("click-tree", ClickTreeDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
