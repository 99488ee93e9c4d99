"""``lite rttm|ctm|kaldi import|export``: exchange manifests with RTTM, CTM and Kaldi data directories.

Example:
    >>> from click.testing import CliRunner
    >>> result = CliRunner().invoke(kaldi, ["--help"])
    >>> result.exit_code, "import" in result.output
    (0, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

import click

from lhotse_lite.cli.groups import CommandGroup
from lhotse_lite.cli.manifest_io import expect_kind, read_manifest, write_manifest
from lhotse_lite.cli.params import FiniteFloat

__all__ = ["rttm", "ctm", "kaldi"]

_IN = click.Path(allow_dash=True, dir_okay=False)
_OUT = click.Path(allow_dash=True, dir_okay=False, writable=True)


# ---------------------------------------------------------------------------------------------- RTTM


@click.group(cls=CommandGroup)
def rttm() -> None:
    """Speaker turns in RTTM files <-> supervisions."""


@rttm.command("import")
@click.argument("rttm_files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.argument("output_manifest", type=_OUT)
def rttm_import(rttm_files: Tuple[str, ...], output_manifest: str) -> None:
    """Read RTTM_FILES (one or more) as supervisions and write OUTPUT_MANIFEST.

    Segment ids are ``<recording>-<line index:06d>``, as Lhotse names them; zero-length turns are
    skipped. Files without any turn are an error (nothing is written).
    """
    from lhotse_lite.errors import ManifestFormatError
    from lhotse_lite.supervision import SupervisionSet

    supervisions = SupervisionSet.from_rttm(list(rttm_files))
    if len(supervisions) == 0:
        raise ManifestFormatError(
            f"no speaker turns (SPEAKER lines of non-zero duration) in {', '.join(rttm_files)}; nothing to write"
        )
    write_manifest(supervisions, output_manifest)


@rttm.command("export")
@click.argument("supervisions", type=_IN)
@click.argument("output_rttm", type=click.Path(dir_okay=False, writable=True))
def rttm_export(supervisions: str, output_rttm: str) -> None:
    """Write the SUPERVISIONS manifest as speaker turns to OUTPUT_RTTM."""
    expect_kind(read_manifest(supervisions, lazy=True), "supervisions", supervisions).write_rttm(output_rttm)


# ----------------------------------------------------------------------------------------------- CTM


@click.group(cls=CommandGroup)
def ctm() -> None:
    """Time-aligned words in CTM files <-> supervision alignments."""


@ctm.command("import")
@click.argument("supervisions", type=_IN)
@click.argument("ctm_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("output_manifest", type=_OUT)
@click.option("--type", "kind", default="word", show_default=True, help="Alignment kind to set (word, phone, ...).")
@click.option("--match-channel", is_flag=True, help="Also require the CTM channel to equal the segment's.")
def ctm_import(supervisions: str, ctm_file: str, output_manifest: str, kind: str, match_channel: bool) -> None:
    """Attach the words of CTM_FILE to SUPERVISIONS as alignments; write OUTPUT_MANIFEST.

    A word goes to every segment of its recording that contains it (1 ms margin).
    """
    sups = expect_kind(read_manifest(supervisions), "supervisions", supervisions)
    aligned = sups.with_alignment_from_ctm(ctm_file, type=kind, match_channel=match_channel, verbose=True)
    write_manifest(aligned, output_manifest)


@ctm.command("export")
@click.argument("supervisions", type=_IN)
@click.argument("output_ctm", type=click.Path(dir_okay=False, writable=True))
@click.option("--type", "kind", default="word", show_default=True, help="Alignment kind to write.")
def ctm_export(supervisions: str, output_ctm: str, kind: str) -> None:
    """Write the --type alignments of SUPERVISIONS to OUTPUT_CTM (segments without one are skipped)."""
    sups = expect_kind(read_manifest(supervisions, lazy=True), "supervisions", supervisions)
    sups.write_alignment_to_ctm(output_ctm, type=kind)


# --------------------------------------------------------------------------------------------- Kaldi


@click.group(cls=CommandGroup)
def kaldi() -> None:
    """Kaldi data directories (wav.scp, segments, text, utt2spk, ...) <-> manifests."""


@kaldi.command("import")
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("output_dir", type=click.Path(file_okay=False))
@click.option(
    "-s",
    "--sampling-rate",
    type=click.IntRange(min=1),
    help="Sampling rate in Hz; default: read from each audio header.",
)
@click.option(
    "-f",
    "--frame-shift",
    type=FiniteFloat(minimum=0, strict=True),
    help="Seconds per frame; needed to import feats.scp (Kaldi does not store it); with segments, "
    "feats.scp or utt2num_frames give segment durations.",
)
@click.option(
    "-t",
    "--feature-type",
    default="kaldi-fbank",
    show_default=True,
    help="The type of the features imported from feats.scp (kaldi-fbank, kaldi-mfcc, ...).",
)
@click.option(
    "-j", "--num-jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Threads reading audio headers."
)
@click.option("--prefix", default="", help="Prefix of the written file names, e.g. 'mycorpus_train_'.")
@click.option(
    "--allow-commands", is_flag=True, help="Run piped wav.scp entries ('cmd |') when their headers must be read."
)
def kaldi_import(
    data_dir: str,
    output_dir: str,
    sampling_rate: Optional[int],
    frame_shift: Optional[float],
    feature_type: str,
    num_jobs: int,
    prefix: str,
    allow_commands: bool,
) -> None:
    """Convert the Kaldi DATA_DIR to manifests in OUTPUT_DIR.

    Writes ``<prefix>recordings.jsonl.gz``, ``<prefix>supervisions.jsonl.gz`` when DATA_DIR has
    segments or utt2spk, and ``<prefix>features.jsonl.gz`` when it has feats.scp and
    --frame-shift is given (the matrices stay in their ark files: storage type kaldiio, which needs
    the kaldi extra to load). Piped wav.scp entries (``cmd |``) become command sources (they run
    when the audio is loaded). Durations come from reco2dur, or from utt2dur when there is no
    segments file, otherwise from the audio. Reading a piped entry's header runs its command,
    which happens only with --allow-commands; without it, pass --sampling-rate and provide
    reco2dur (or utt2dur) instead. The sox pipes that ``lite kaldi export`` writes are read from
    their files without running them, so an exported directory imports back with no options.
    """
    from lhotse_lite.kaldi_data_dir import import_kaldi_data_dir, import_kaldi_features

    recordings, supervisions = import_kaldi_data_dir(
        data_dir, sampling_rate=sampling_rate, frame_shift=frame_shift, num_jobs=num_jobs, allow_commands=allow_commands
    )
    features = None
    if frame_shift is not None:
        features = import_kaldi_features(
            data_dir,
            frame_shift,
            sampling_rate=sampling_rate,
            supervisions=supervisions,
            recordings=recordings,
            feature_type=feature_type,
        )
    elif (Path(data_dir) / "feats.scp").is_file():
        click.echo(
            f"Warning: {Path(data_dir) / 'feats.scp'} is not imported: pass --frame-shift (seconds per "
            f"frame, e.g. 0.01) to import it",
            err=True,
        )
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_manifest(recordings, str(out / f"{prefix}recordings.jsonl.gz"))
    message = f"{len(recordings)} recordings"
    if supervisions is not None:
        write_manifest(supervisions, str(out / f"{prefix}supervisions.jsonl.gz"))
        message += f", {len(supervisions)} supervisions"
    if features is not None:
        write_manifest(features, str(out / f"{prefix}features.jsonl.gz"))
        message += f", {len(features)} features"
    click.echo(f"{message} written to {out}", err=True)


def _compression(value: str) -> Optional[int]:
    return None if value == "none" else int(value)


@kaldi.command("export")
@click.argument("recordings", type=_IN)
@click.argument("supervisions", type=_IN)
@click.argument("output_dir", type=click.Path(file_okay=False))
@click.option(
    "--features",
    "features_path",
    type=_IN,
    help="A features manifest of the recordings: write each utterance's frames to feats.ark/feats.scp.",
)
@click.option(
    "--compression-method",
    type=click.Choice(["none", "1", "2", "3", "4", "5", "6", "7"]),
    default="1",
    show_default=True,
    help="Kaldi's compression of feats.ark (1: kAutomaticMethod, as Kaldi's make_fbank.sh; "
    "none: uncompressed float32).",
)
def kaldi_export(
    recordings: str, supervisions: str, output_dir: str, features_path: Optional[str], compression_method: str
) -> None:
    """Write RECORDINGS and SUPERVISIONS as a Kaldi data directory OUTPUT_DIR.

    Writes wav.scp, reco2dur, segments, text, utt2spk, spk2utt, utt2dur and, when present,
    spk2gender and utt2lang, each sorted as Kaldi requires. Multi-channel recordings become one
    Kaldi recording per channel (``<id>_<channel>``) read through a sox pipe, and other non-WAV
    files are piped through sox too; paths in pipes are shell-quoted. Ids holding whitespace are
    refused; line breaks and tabs in texts are written as spaces (with a warning). With
    --features, also feats.ark, feats.scp and utt2num_frames (needs the kaldi extra).
    """
    from lhotse_lite.kaldi_data_dir import export_to_kaldi_data_dir

    recs = expect_kind(read_manifest(recordings, lazy=True), "recordings", recordings)
    sups = expect_kind(read_manifest(supervisions, lazy=True), "supervisions", supervisions)
    feats = None
    if features_path is not None:
        feats = expect_kind(read_manifest(features_path, lazy=True), "features", features_path)
    export_to_kaldi_data_dir(
        recs, sups, output_dir, features=feats, compression_method=_compression(compression_method)
    )
    click.echo(f"Kaldi data directory written to {output_dir}", err=True)
