"""``lite index``: index JSONL manifests for O(1) length, random access, lookup by id and resume.

Example:
    >>> from click.testing import CliRunner
    >>> result = CliRunner().invoke(index, ["--help"])
    >>> result.exit_code, "Lhotse 2.0" in result.output
    (0, True)
"""

from __future__ import annotations

from typing import Tuple

import click

__all__ = ["index"]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
def index(paths: Tuple[str, ...]) -> None:
    """Index the JSONL manifests PATHS (as Lhotse's "lhotse index jsonl"), rebuilding stale indexes.

    Writes next to each file <file>.idx (byte offsets, Lhotse 2.0's format), <file>.idx.ids (lookup
    by id) and <file>.idx.json (item count, manifest type, total duration, data identity). A .jsonl.gz
    gets a block index <file>.gzi instead of .idx; a single-stream .jsonl.gz (written by Lhotse or
    gzip) is first rewritten as block-compressed gzip with the same content, which every gzip reader
    still reads.
    """
    from lhotse_lite.manifest.sidecars import index_manifest

    for path in paths:
        summary = index_manifest(path)
        hours = "" if summary.get("total_duration") is None else f", {summary['total_duration'] / 3600:.2f} h"
        click.echo(f"{path}: {summary['items']} items ({summary.get('manifest_type') or 'unknown type'}{hours})")
