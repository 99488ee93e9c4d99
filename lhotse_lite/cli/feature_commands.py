"""``lite feat ...``: write an extractor config, extract and store features, global stats, inspect.

torch is imported only inside the commands that extract features (``extract``,
``write-default-config``), never when this module is imported.

Example:
    >>> from click.testing import CliRunner
    >>> result = CliRunner().invoke(feat, ["--help"])
    >>> result.exit_code, "extract" in result.output
    (0, True)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Tuple

import click

from lhotse_lite.cli.groups import CommandGroup
from lhotse_lite.cli.manifest_io import expect_kind, read_manifest

__all__ = ["feat"]

_IN = click.Path(allow_dash=True, dir_okay=False)
_EXTRACTOR_HELP = "Extractor name: kaldi-fbank, kaldi-mfcc, kaldi-spectrogram, kaldi-log-spectrogram, ..."


class StorageChoice(click.Choice):
    """The storage backends the library has registered, looked up when a command needs them.

    ``lite --help`` stays fast (the storage modules are imported only for ``feat extract``), and the
    choices are always :func:`lhotse_lite.features.io.available_storage_backends`.

    Example:
        >>> "lilcom_chunky" in StorageChoice().choices
        True
    """

    def __init__(self) -> None:  # no fixed list: ``choices`` asks the registry
        self.case_sensitive = True

    @property
    def choices(self) -> Tuple[str, ...]:  # type: ignore[override]  # click stores a list; this asks the registry
        from lhotse_lite.features.io import available_storage_backends

        return tuple(available_storage_backends())


@click.group(cls=CommandGroup)
def feat() -> None:
    """Kaldi-compatible feature extraction, storage and statistics."""


@feat.command("write-default-config")
@click.argument("output_config", type=click.Path(dir_okay=False, writable=True))
@click.option("-e", "--extractor", default="kaldi-fbank", show_default=True, help=_EXTRACTOR_HELP)
def write_default_config(output_config: str, extractor: str) -> None:
    """Write the default config of an extractor to OUTPUT_CONFIG (YAML, Lhotse's layout).

    Edit it and pass it to ``lite feat extract --config``.
    """
    from lhotse_lite.features.base import create_default_feature_extractor

    create_default_feature_extractor(extractor).to_yaml(output_config)


@feat.command()
@click.argument("recordings", type=_IN)
@click.argument("output_dir", type=click.Path(file_okay=False))
@click.option("-e", "--extractor", default="kaldi-fbank", show_default=True, help=_EXTRACTOR_HELP)
@click.option(
    "-c",
    "--config",
    "config",
    type=click.Path(exists=True, dir_okay=False),
    help="Extractor config YAML (from write-default-config); overrides --extractor.",
)
@click.option(
    "-s",
    "--storage",
    type=StorageChoice(),
    default="lilcom_chunky",
    show_default=True,
    help="How the matrices are stored.",
)
@click.option("-j", "--num-jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option("--dask-scheduler", metavar="ADDRESS", help="Run on a Dask cluster, e.g. tcp://host:8786.")
@click.option(
    "--manifest-name",
    default="feats.jsonl.gz",
    show_default=True,
    help="File name of the features manifest inside OUTPUT_DIR.",
)
@click.option("--skip-errors", is_flag=True, help="Skip bad recordings (listed at the end) instead of stopping.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Start over: discard the manifest and storage of an earlier run instead of resuming it.",
)
def extract(
    recordings: str,
    output_dir: str,
    extractor: str,
    config: Optional[str],
    storage: str,
    num_jobs: int,
    dask_scheduler: Optional[str],
    manifest_name: str,
    skip_errors: bool,
    overwrite: bool,
) -> None:
    """Extract features of RECORDINGS into OUTPUT_DIR (storage + features manifest).

    Writes ``OUTPUT_DIR/feats.lca`` (or a ``feats/`` folder for file storage) and
    ``OUTPUT_DIR/feats.jsonl.gz``, one line per recording channel, and
    ``OUTPUT_DIR/feats.jsonl.gz.producer.json`` (what produced them). Resumable: running the same
    command again extracts only the recordings missing from the manifest (and those whose recording
    changed); a run with another extractor, config or storage is refused unless ``--overwrite``
    is given. While it runs, the storage and the manifest are locked (``feats.lca.lock``,
    ``feats.jsonl.gz.lock``): a second run on the same output fails at once.
    """
    from lhotse_lite.features.base import FeatureExtractor, FeatureSetBuilder, create_default_feature_extractor
    from lhotse_lite.features.io import get_writer

    fe = FeatureExtractor.from_yaml(config) if config else create_default_feature_extractor(extractor)
    recs = expect_kind(read_manifest(recordings), "recordings", recordings)  # eager: duplicate ids name file:line
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    with get_writer(storage)(str(out / "feats")) as writer:
        builder = FeatureSetBuilder(fe, writer)
        feats = builder.process_and_store_recordings(
            recs,
            output_manifest=str(out / manifest_name),
            num_jobs=num_jobs,
            executor=dask_scheduler,
            on_error="skip" if skip_errors else "raise",
            overwrite=overwrite,
        )
    for skipped in builder.skipped:
        click.echo(f"skipped {skipped.recording_id}: {skipped.reason}", err=True)
    click.echo(f"{len(feats)} feature matrices ({fe.name}) in {out / manifest_name}", err=True)


@feat.command()
@click.argument("features", type=_IN)
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
def stats(features: str, output: str) -> None:
    """Compute the global per-bin mean and std of FEATURES and write them to OUTPUT.

    OUTPUT's extension chooses the format: ``.json`` (lists), ``.npz`` (arrays ``norm_means``,
    ``norm_stds``) or anything else a pickled dict of arrays, as Lhotse writes.
    """
    from lhotse_lite.features.stats import compute_global_stats, write_global_stats

    feats = expect_kind(read_manifest(features, lazy=True), "features", features)
    result = compute_global_stats(feats)
    write_global_stats(result, output)
    click.echo(f"global stats of {result['norm_means'].shape[0]} bins written to {output}", err=True)


@feat.command()
@click.argument("features", type=_IN)
@click.option(
    "-i",
    "--item",
    "index",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Which item's matrix to load and summarise (position in the manifest).",
)
@click.option("-r", "--recording-id", help="Summarise this recording's matrix instead of --item.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, writable=True),
    help="Also save the item's matrix as an image; the extension picks the format (.png, .pdf, .svg, .jpg, ...).",
)
def inspect(features: str, index: int, recording_id: Optional[str], as_json: bool, plot: Optional[str]) -> None:
    """Summarise a FEATURES manifest and one item's matrix (shape, min/max/mean/std, per-bin means).

    With ``--plot``, the item's matrix is also saved as an image (time on x, bins on y).
    """
    from lhotse_lite.describe import (
        describe_feature_matrix,
        describe_manifests,
        format_description,
        plot_feature_matrix,
    )
    from lhotse_lite.errors import UnknownIdError

    if plot:
        _check_plot_format(plot)
    feats = expect_kind(read_manifest(features, lazy=True), "features", features)
    chosen = None
    for position, item in enumerate(feats):
        if (recording_id is not None and item.recording_id == recording_id) or (
            recording_id is None and position == index
        ):
            chosen = item
            break
    if chosen is None:
        wanted = f"recording {recording_id!r}" if recording_id is not None else f"item {index}"
        raise UnknownIdError(f"{features}: no {wanted} in the features manifest")
    summary = describe_manifests(features=feats)
    matrix = describe_feature_matrix(chosen)
    if plot:
        plot_feature_matrix(chosen, plot)
        click.echo(f"plot of {chosen.recording_id} saved to {plot}", err=True)
    if as_json:
        click.echo(json.dumps({"manifest": summary["features"], "item": matrix}, indent=2))
        return
    click.echo(format_description(summary))
    click.echo(f"Item {matrix['recording_id']}")
    for key in ("shape", "min", "max", "mean", "std"):
        if key in matrix:
            click.echo(f"  {key:<21} {matrix[key]}")
    if "bin_means" in matrix:
        click.echo(f"  {'bin means':<21} {' '.join(f'{v:.3g}' for v in matrix['bin_means'])}")


def _check_plot_format(path: str) -> None:
    """Refuses a ``--plot`` file whose extension matplotlib cannot write, before anything is read."""
    from lhotse_lite.errors import ConfigError

    try:
        import matplotlib
    except ImportError as err:
        raise ConfigError(f"--plot {path}: plotting needs matplotlib; pip install 'lhotse_lite[plot]'") from err
    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    supported = sorted(FigureCanvasAgg.get_supported_filetypes())
    extension = Path(path).suffix.lower().lstrip(".")
    if extension not in supported:
        shown = f"extension '.{extension}'" if extension else "no extension"
        raise ConfigError(
            f"--plot {path}: {shown} is not an image format; use one of "
            f"{', '.join('.' + e for e in supported)} (e.g. feats.png)"
        )
