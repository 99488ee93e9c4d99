"""``lite manifest ...``: validate, describe, convert, split, subset, combine, filter and mux manifests.

Every manifest argument accepts ``-``: JSONL read from stdin or written to stdout, so commands chain
with pipes (``lite manifest filter sups.jsonl.gz - --speaker A | lite manifest describe -``).
The manifest type (recordings, supervisions, features) is detected from the first item.

Example:
    >>> from click.testing import CliRunner
    >>> result = CliRunner().invoke(manifest, ["--help"])
    >>> result.exit_code, "validate" in result.output
    (0, True)
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence, Tuple

import click

from lhotse_lite.cli.groups import CommandGroup
from lhotse_lite.cli.manifest_io import (
    STREAM,
    group_by_kind,
    read_manifest,
    require_one_kind,
    split_output_name,
    write_manifest,
)
from lhotse_lite.cli.params import FiniteFloat

__all__ = ["manifest"]

logger = logging.getLogger(__name__)

_IN = click.Path(allow_dash=True, dir_okay=False)
_OUT = click.Path(allow_dash=True, dir_okay=False, writable=True)


@click.group(cls=CommandGroup)
def manifest() -> None:
    """Check, summarise and reshape manifests (recordings, supervisions, features)."""


@manifest.command()
@click.argument("manifests", nargs=-1, required=True, type=_IN)
@click.option("--no-check-files", is_flag=True, help="Do not check that audio and feature files exist.")
@click.option(
    "--read-data",
    is_flag=True,
    help="Decode every recording's audio (command sources run) and load every feature matrix.",
)
@click.option(
    "--tolerance",
    type=FiniteFloat(minimum=0),
    default=0.025,
    show_default=True,
    help="Seconds a segment or feature span may overhang its recording, and decoded audio may "
    "differ from num_samples (with --read-data).",
)
def validate(manifests: Tuple[str, ...], no_check_files: bool, read_data: bool, tolerance: float) -> None:
    """Check MANIFESTS (any mix of recordings, supervisions, features) together.

    Reports every problem, one per line on stdout, with file:line: malformed lines, unreadable
    items, duplicate ids (naming where the first one is), bad durations, segments outside their
    recordings, unknown recording ids, missing audio or feature files. Lists on stderr the command
    audio sources it saw (they run through the shell when their audio is loaded) and the url
    sources (fetched then). Audio contents are checked only with --read-data. Exits with status 1
    when there is any problem, 0 when the manifests are consistent. Relative audio paths are
    resolved against the current directory.
    """
    from lhotse_lite.validation import check_manifest_files

    with tempfile.TemporaryDirectory() as tmp:
        stdin_copy = os.path.join(tmp, "stdin.jsonl")
        if STREAM in manifests:  # stdin is copied to a file, so it is read like the others
            with open(stdin_copy, "wb") as f:
                shutil.copyfileobj(sys.stdin.buffer, f)
        files = [stdin_copy if m == STREAM else m for m in manifests]
        report = check_manifest_files(files, check_files=not no_check_files, tolerance=tolerance, read_data=read_data)
    from lhotse_lite.manifest.sidecars import check_sidecars

    problems = [str(p) for p in report.problems] + [s for m in manifests if m != STREAM and (s := check_sidecars(m))]
    for problem in problems:
        click.echo(problem.replace(stdin_copy, "<stdin>"))
    for sources, what in (
        (
            report.command_sources,
            "command source(s), run through the shell when their audio is loaded "
            "(refuse them with LHOTSE_LITE_ALLOW_COMMANDS=0)",
        ),
        (
            report.url_sources,
            "url source(s), fetched when their audio is loaded (refuse them with LHOTSE_LITE_ALLOW_URLS=0)",
        ),
    ):
        if sources:
            click.echo(f"note: {len(sources)} {what}:", err=True)
            for source in sources:
                click.echo(f"  {str(source).replace(stdin_copy, '<stdin>')}", err=True)
    if not read_data:
        click.echo("note: audio contents were not checked (--read-data decodes every recording)", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found in {', '.join(manifests)}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {', '.join(manifests)}", err=True)


@manifest.command()
@click.argument("manifests", nargs=-1, required=True, type=_IN)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--quick",
    is_flag=True,
    help="Only counts and total durations, from the index summaries of indexed "
    "files (see `lite index`), without reading the data.",
)
def describe(manifests: Tuple[str, ...], as_json: bool, quick: bool) -> None:
    """Summarise MANIFESTS: counts, total and per-speaker duration, percentiles, channels, rates."""
    from lhotse_lite.describe import describe_indexed, describe_manifests, format_description

    if quick:
        indexed = describe_indexed(manifests)
        click.echo(
            json.dumps(indexed, indent=2)
            if as_json
            else "\n".join(
                f"{path}: {d['count']} {d['manifest_type'] or 'items'}"
                + ("" if d["total_duration_h"] is None else f", {d['total_duration_h']:.3f} h")
                for path, d in indexed.items()
            )
        )
        return

    grouped = group_by_kind([read_manifest(path, lazy=True) for path in manifests])
    summary = describe_manifests(
        recordings=grouped.get("recordings"), supervisions=grouped.get("supervisions"), features=grouped.get("features")
    )
    click.echo(json.dumps(summary, indent=2) if as_json else format_description(summary))


@manifest.command()
@click.argument("input_manifest", type=_IN)
@click.argument("output_manifest", type=_OUT)
def convert(input_manifest: str, output_manifest: str) -> None:
    """Rewrite INPUT_MANIFEST as OUTPUT_MANIFEST in the format its extension names.

    Extensions: .jsonl, .jsonl.gz, .json, .json.gz, .yaml; ``-`` is JSONL on stdin/stdout.
    JSONL input is streamed.
    """
    write_manifest(read_manifest(input_manifest, lazy=True), output_manifest)


@manifest.command()
@click.argument("num_splits", type=click.IntRange(min=1))
@click.argument("input_manifest", type=_IN)
@click.argument("output_dir", type=click.Path(file_okay=False))
@click.option("--shuffle", is_flag=True, help="Shuffle the items before splitting.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --shuffle (same seed, same parts).")
@click.option("--drop-last", is_flag=True, help="Drop the remainder instead of spreading it over the first parts.")
def split(num_splits: int, input_manifest: str, output_dir: str, shuffle: bool, seed: int, drop_last: bool) -> None:
    """Split INPUT_MANIFEST into NUM_SPLITS parts in OUTPUT_DIR.

    Parts are named ``<name>.<index><ext>`` (e.g. ``sups.1.jsonl.gz``, indices zero-padded to the
    same width) as Lhotse names them.
    """
    random.seed(seed)  # ManifestSet.split shuffles with the global generator, as Lhotse does
    parts = read_manifest(input_manifest).split(num_splits, shuffle=shuffle, drop_last=drop_last)
    base, ext = split_output_name(input_manifest)
    width = len(str(num_splits))
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for index, part in enumerate(parts):
        write_manifest(part, str(out / f"{base}.{index:0{width}d}{ext}"))
    click.echo(f"wrote {len(parts)} parts to {out}", err=True)


@manifest.command("split-lazy")
@click.argument("input_manifest", type=_IN)
@click.argument("output_dir", type=click.Path(file_okay=False))
@click.argument("chunk_size", type=click.IntRange(min=1))
@click.option("--prefix", default="", help="File name prefix of the chunks (default: split).")
def split_lazy(input_manifest: str, output_dir: str, chunk_size: int, prefix: str) -> None:
    """Stream INPUT_MANIFEST into chunks of CHUNK_SIZE items in OUTPUT_DIR.

    Chunks are named ``<prefix>.<index:08d>.jsonl.gz`` as in Lhotse; the input is read once and never held in
    memory as a whole (when it is a JSONL file).
    """
    parts = read_manifest(input_manifest, lazy=True).split_lazy(output_dir, chunk_size, prefix=prefix)
    click.echo(f"wrote {len(parts)} chunks to {output_dir}", err=True)


@manifest.command()
@click.argument("input_manifest", type=_IN)
@click.argument("output_manifest", type=_OUT)
@click.option("--first", type=click.IntRange(min=0), help="Keep the first N items.")
@click.option("--last", type=click.IntRange(min=0), help="Keep the last N items.")
def subset(input_manifest: str, output_manifest: str, first: Optional[int], last: Optional[int]) -> None:
    """Write the first or last N items of INPUT_MANIFEST to OUTPUT_MANIFEST."""
    if (first is None) == (last is None):
        raise click.UsageError("give exactly one of --first and --last")
    write_manifest(read_manifest(input_manifest, lazy=True).subset(first=first, last=last), output_manifest)


@manifest.command()
@click.argument("manifests", nargs=-1, required=True, type=_IN)
@click.argument("output_manifest", type=_OUT)
def combine(manifests: Tuple[str, ...], output_manifest: str) -> None:
    """Concatenate MANIFESTS (all of one type) into OUTPUT_MANIFEST.

    Ids must be unique across the inputs.
    """
    from lhotse_lite.manifest import combine as combine_sets

    sets = require_one_kind([read_manifest(path) for path in manifests], manifests)
    write_manifest(combine_sets(sets), output_manifest)


@manifest.command("filter")
@click.argument("input_manifest", type=_IN)
@click.argument("output_manifest", type=_OUT)
@click.option("--speaker", "speakers", multiple=True, help="Keep this speaker (repeat for several).")
@click.option("--recording-id", "recording_ids", multiple=True, help="Keep items of this recording (repeatable).")
@click.option("--min-duration", type=FiniteFloat(minimum=0), help="Keep items of at least this many seconds.")
@click.option("--max-duration", type=FiniteFloat(minimum=0), help="Keep items of at most this many seconds.")
@click.option(
    "-w",
    "--where",
    "conditions",
    multiple=True,
    metavar="FIELD OP VALUE",
    help="A condition, e.g. 'language=English', 'custom.snr>=10', 'text~^HELLO' "
    "(ops: = != < <= > >= ~ !~; repeatable, all must hold).",
)
def filter_(
    input_manifest: str,
    output_manifest: str,
    speakers: Sequence[str],
    recording_ids: Sequence[str],
    min_duration: Optional[float],
    max_duration: Optional[float],
    conditions: Sequence[str],
) -> None:
    """Keep the items of INPUT_MANIFEST that satisfy every condition; write them to OUTPUT_MANIFEST.

    Conditions are parsed, never evaluated as code: FIELD is a field of the item's JSON form
    (dotted for nested fields, e.g. ``custom.emotion``), VALUE a literal compared numerically when
    both sides are numbers and as text otherwise; ``~`` searches a regular expression. A FIELD
    the items cannot have is an error listing the fields they can have.
    """
    from lhotse_lite.conditions import make_predicate, manifest_fields

    items = read_manifest(input_manifest, lazy=True)
    keep = make_predicate(
        conditions,
        speakers=speakers or None,
        recording_ids=recording_ids or None,
        min_duration=min_duration,
        max_duration=max_duration,
        known_fields=manifest_fields(items) if conditions else None,
    )
    write_manifest(items.filter(keep), output_manifest)


@manifest.command()
@click.argument("manifests", nargs=-1, required=True, type=_IN)
@click.argument("output_manifest", type=_OUT)
@click.option(
    "--weight",
    "weights",
    type=FiniteFloat(minimum=0, strict=True),
    multiple=True,
    help="Relative chance of drawing from each input (one per input; default equal).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random interleaving.")
@click.option("--stop-early", is_flag=True, help="Stop when the first input runs out.")
def mux(
    manifests: Tuple[str, ...], output_manifest: str, weights: Sequence[float], seed: int, stop_early: bool
) -> None:
    """Interleave MANIFESTS (all of one type) at random into OUTPUT_MANIFEST.

    The inputs are streamed; the same seed gives the same order.
    """
    sets = require_one_kind([read_manifest(path, lazy=True) for path in manifests], manifests)
    if weights and len(weights) != len(sets):
        raise click.UsageError(f"give one --weight per input: {len(sets)} inputs, {len(weights)} weights")
    muxed = type(sets[0]).mux(*sets, stop_early=stop_early, weights=list(weights) or None, seed=seed)
    write_manifest(muxed, output_manifest)
