"""``lite prepare <corpus> ...`` and ``lite download <corpus> ...``: the recipes, as ``lhotse prepare``.

Each command calls one function of :mod:`lhotse_lite.recipes`, imported only when the command runs,
with Lhotse's argument names (``lite prepare librispeech CORPUS_DIR OUTPUT_DIR -p dev-clean -j 4``
is ``lhotse prepare librispeech ...``). A prepare command writes the manifests into OUTPUT_DIR and
reports one line per split on stderr; a download command prints the folder to prepare.

Example:
    >>> from click.testing import CliRunner
    >>> result = CliRunner().invoke(prepare, ["--help"])
    >>> result.exit_code, "librispeech" in result.output
    (0, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple

import click

from lhotse_lite.cli.groups import CommandGroup

__all__ = ["prepare", "download"]

_CORPUS = click.Path(exists=True, file_okay=False)
_OUT = click.Path(file_okay=False)
_VERSION = click.Choice(["1", "2"])
_FORCE = click.option("--force-download", is_flag=True, help="Download and unpack again even if complete.")
_JOBS = click.option(
    "-j", "--num-jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Threads reading audio headers."
)


def _report(manifests: Dict[str, Dict[str, Any]]) -> None:
    from lhotse_lite.units import to_hours

    for split, parts in manifests.items():
        recordings, supervisions = parts["recordings"], parts["supervisions"]
        hours = to_hours(sum(r.duration for r in recordings))
        click.echo(f"{split}: {len(recordings)} recordings ({hours:.3f} h), {len(supervisions)} supervisions", err=True)


@click.group(cls=CommandGroup)
def prepare() -> None:
    """Prepare a corpus's manifests: CORPUS_DIR in, OUTPUT_DIR/<corpus>_{recordings,supervisions}_<split>.jsonl.gz out.

    Splits already in OUTPUT_DIR are reused; delete their files to prepare them again.
    """


@click.group(cls=CommandGroup)
def download() -> None:
    """Download and unpack a corpus (resumable; what is complete is skipped)."""


@prepare.command("librispeech")
@click.argument("corpus_dir", type=_CORPUS)
@click.argument("output_dir", type=_OUT)
@click.option("--alignments-dir", type=_CORPUS, help="Folder with the *.alignment.txt files (default: CORPUS_DIR).")
@click.option(
    "-p",
    "--dataset-parts",
    multiple=True,
    default=["auto"],
    show_default=True,
    help="Split to prepare (repeat for several); 'auto' = every split folder found, "
    "'librispeech' / 'mini_librispeech' = those of that corpus.",
)
@_JOBS
@click.option(
    "--normalize-text",
    type=click.Choice(["none", "lower"]),
    default="none",
    show_default=True,
    help="'lower' lower-cases the transcripts.",
)
@click.option("--allow-missing-audio", is_flag=True, help="Skip transcript lines without audio instead of failing.")
def librispeech(
    corpus_dir: str,
    output_dir: str,
    alignments_dir: Optional[str],
    dataset_parts: Sequence[str],
    num_jobs: int,
    normalize_text: str,
    allow_missing_audio: bool,
) -> None:
    """(Mini) LibriSpeech: CORPUS_DIR is the 'LibriSpeech' folder the archives unpack to."""
    from lhotse_lite.recipes.librispeech import prepare_librispeech

    parts = dataset_parts[0] if len(dataset_parts) == 1 else list(dataset_parts)
    _report(
        prepare_librispeech(
            corpus_dir,
            alignments_dir=alignments_dir,
            dataset_parts=parts,
            output_dir=output_dir,
            normalize_text=normalize_text,
            num_jobs=num_jobs,
            allow_missing_audio=allow_missing_audio,
        )
    )


@prepare.command("yesno")
@click.argument("corpus_dir", type=_CORPUS)
@click.argument("output_dir", type=_OUT)
def yesno(corpus_dir: str, output_dir: str) -> None:
    """yesno: CORPUS_DIR is the 'waves_yesno' folder or the folder holding it."""
    from lhotse_lite.recipes.yesno import prepare_yesno

    _report(prepare_yesno(corpus_dir, output_dir=output_dir))


@prepare.command("speechcommands")
@click.argument("speechcommands_version", type=_VERSION)
@click.argument("corpus_dir", type=_CORPUS)
@click.argument("output_dir", type=_OUT)
@click.option("-w", "--word", "words", multiple=True, help="Keep only this word (repeat for several).")
@click.option("--include-background-noise", is_flag=True, help="Add a 'noise' split with the _background_noise_ files.")
@_JOBS
def speechcommands(
    speechcommands_version: str,
    corpus_dir: str,
    output_dir: str,
    words: Tuple[str, ...],
    include_background_noise: bool,
    num_jobs: int,
) -> None:
    """Speech Commands v0.01 or v0.02: CORPUS_DIR holds speech_commands_v0.0<VERSION> (or is it)."""
    from lhotse_lite.recipes.speechcommands import prepare_speechcommands

    _report(
        prepare_speechcommands(
            speechcommands_version,
            corpus_dir,
            output_dir=output_dir,
            words=list(words) or None,
            include_background_noise=include_background_noise,
            num_jobs=num_jobs,
        )
    )


@prepare.command("voxconverse")
@click.argument("corpus_dir", type=_CORPUS)
@click.argument("output_dir", type=_OUT)
@click.option("--split-test", is_flag=True, help="dev becomes train; test is halved into dev and test.")
@click.option("--rttm-dir", type=_CORPUS, help="Folder with dev/ and test/ RTTMs (default: CORPUS_DIR).")
def voxconverse(corpus_dir: str, output_dir: str, split_test: bool, rttm_dir: Optional[str]) -> None:
    """VoxConverse diarization: CORPUS_DIR holds dev/ and test/ (audio and RTTMs)."""
    from lhotse_lite.recipes.voxconverse import prepare_voxconverse

    _report(prepare_voxconverse(corpus_dir, output_dir=output_dir, split_test=split_test, rttm_dir=rttm_dir))


@prepare.command("audio-folder")
@click.argument("corpus_dir", type=_CORPUS)
@click.argument("output_dir", type=_OUT)
@click.option("--name", default="audio_folder", show_default=True, help="Corpus name in the output file names.")
@click.option("--split", default="all", show_default=True, help="The split name.")
@click.option("--split-by-folder", is_flag=True, help="Each top-level folder is a split.")
@click.option(
    "--text-file",
    type=click.Path(exists=True, dir_okay=False),
    help="'<key> <transcript>' lines (a Kaldi text file); key = recording id or relative path.",
)
@click.option("--speaker-from-parent", is_flag=True, help="The parent folder's name is the speaker.")
@click.option("--language", help="The language of every supervision.")
@click.option(
    "-e",
    "--extension",
    "extensions",
    multiple=True,
    help="Audio file extension (repeat for several; default .wav .flac .ogg .opus .mp3).",
)
def audio_folder(
    corpus_dir: str,
    output_dir: str,
    name: str,
    split: str,
    split_by_folder: bool,
    text_file: Optional[str],
    speaker_from_parent: bool,
    language: Optional[str],
    extensions: Tuple[str, ...],
) -> None:
    """Any folder of audio files, with optional transcripts (for corpora without a recipe)."""
    from lhotse_lite.recipes.audio_folder import prepare_audio_folder
    from lhotse_lite.recipes.preparation import AUDIO_EXTENSIONS

    _report(
        prepare_audio_folder(
            corpus_dir,
            output_dir=output_dir,
            name=name,
            split=split,
            split_by_folder=split_by_folder,
            text_file=text_file,
            speaker_from_parent=speaker_from_parent,
            language=language,
            extensions=extensions or AUDIO_EXTENSIONS,
        )
    )


def _done(path: Path) -> None:
    click.echo(str(path))


@download.command("librispeech")
@click.argument("target_dir", type=_OUT)
@click.option(
    "--full/--mini",
    default=True,
    show_default=True,
    help="All of LibriSpeech (about 60 GB) or mini LibriSpeech (about 0.45 GB).",
)
@click.option(
    "-p", "--dataset-parts", multiple=True, help="Only these splits (repeat for several); overrides --full/--mini."
)
@click.option("--alignments", is_flag=True, help="Also fetch the word alignments zip.")
@click.option("--base-url", default=None, help="A mirror of the OpenSLR resources (default: openslr.org).")
@_FORCE
def download_librispeech(
    target_dir: str,
    full: bool,
    dataset_parts: Tuple[str, ...],
    alignments: bool,
    base_url: Optional[str],
    force_download: bool,
) -> None:
    """(Mini) LibriSpeech into TARGET_DIR/LibriSpeech; prints that folder."""
    from lhotse_lite.recipes import librispeech as recipe

    parts = list(dataset_parts) or ("librispeech" if full else "mini_librispeech")
    _done(
        recipe.download_librispeech(
            target_dir,
            parts,
            force_download=force_download,
            alignments=alignments,
            base_url=base_url or recipe.OPENSLR_URL,
        )
    )


@download.command("yesno")
@click.argument("target_dir", type=_OUT)
@click.option("--url", default=None, help="The archive's URL (default: OpenSLR 1).")
@_FORCE
def download_yesno(target_dir: str, url: Optional[str], force_download: bool) -> None:
    """yesno into TARGET_DIR/waves_yesno; prints that folder."""
    from lhotse_lite.recipes import yesno as recipe

    _done(recipe.download_yesno(target_dir, force_download=force_download, url=url or recipe.YESNO_URL))


@download.command("speechcommands")
@click.argument("speechcommands_version", type=_VERSION)
@click.argument("target_dir", type=_OUT)
@click.option("--base-url", default=None, help="Where the archives are (default: TensorFlow's download site).")
@_FORCE
def download_speechcommands(
    speechcommands_version: str, target_dir: str, base_url: Optional[str], force_download: bool
) -> None:
    """Speech Commands v0.0<VERSION> into TARGET_DIR/SpeechCommands<VERSION>; prints that folder."""
    from lhotse_lite.recipes import speechcommands as recipe

    _done(
        recipe.download_speechcommands(
            speechcommands_version, target_dir, force_download, base_url=base_url or recipe.TENSORFLOW_URL
        )
    )


@download.command("voxconverse")
@click.argument("target_dir", type=_OUT)
@_FORCE
def download_voxconverse(target_dir: str, force_download: bool) -> None:
    """VoxConverse audio and RTTMs into TARGET_DIR/{dev,test}; prints TARGET_DIR."""
    from lhotse_lite.recipes.voxconverse import download_voxconverse as fetch

    _done(fetch(target_dir, force_download=force_download))
