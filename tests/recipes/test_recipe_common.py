"""What the recipes share: validating and writing a split, reusing finished ones, and the package surface."""

import inspect

import pytest

import lhotse_lite.recipes as recipes
from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ManifestError
from lhotse_lite.recipes.preparation import finish_split, manifest_paths, read_cached_split
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


def _recording(rid, path, duration=1.0, channels=(0,)):
    return Recording(rid, [AudioSource("file", list(channels), str(path))], 16000, int(duration * 16000), duration)


def test_finish_split_validates_sorts_and_writes(tmp_path, audio_writer):
    wav_a, wav_b = audio_writer(tmp_path / "a.wav", 1.0), audio_writer(tmp_path / "b.wav", 1.0)
    recs = [_recording("b", wav_b), _recording("a", wav_a)]
    sups = [SupervisionSegment("sb", "b", 0.0, 1.0), SupervisionSegment("sa", "a", 0.0, 1.0)]
    parts = finish_split("toy", "dev", recs, sups, tmp_path / "out")
    assert list(parts["recordings"].ids) == ["a", "b"] and list(parts["supervisions"].ids) == ["sa", "sb"]
    paths = manifest_paths(tmp_path / "out", "toy", "dev")
    assert RecordingSet.from_file(paths["recordings"]) == parts["recordings"]
    assert SupervisionSet.from_file(paths["supervisions"]) == parts["supervisions"]
    assert read_cached_split(tmp_path / "out", "toy", "dev") == parts
    assert read_cached_split(tmp_path / "out", "toy", "test") is None and read_cached_split(None, "toy", "dev") is None
    with pytest.raises(ManifestError, match=r"toy split 'dev': 1 problem\(s\)[\s\S]*supervisions\[sa\]"):
        finish_split("toy", "dev", recs, [SupervisionSegment("sa", "a", 0.5, 1.0)], tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_a_split_with_only_its_recordings_written_is_not_reused(tmp_path, audio_writer):
    wav = audio_writer(tmp_path / "a.wav", 1.0)
    finish_split("toy", "dev", [_recording("a", wav)], [SupervisionSegment("sa", "a", 0.0, 1.0)], tmp_path / "out")
    manifest_paths(tmp_path / "out", "toy", "dev")["supervisions"].unlink()  # interrupted between the two writes
    assert read_cached_split(tmp_path / "out", "toy", "dev") is None


EMPTY_CORPUS_MESSAGES = {
    "prepare_audio_folder": "no audio files",
    "prepare_librispeech": "no LibriSpeech split",
    "prepare_speechcommands": "no speech_commands_v0.02/testing_list.txt",
    "prepare_voxconverse": "no VoxConverse audio",
    "prepare_yesno": "no yesno",
}
PREPARE = sorted(name for name in recipes.__all__ if name.startswith("prepare_"))


def _call(name, corpus_dir):
    prepare = getattr(recipes, name)
    return prepare("2", corpus_dir) if name == "prepare_speechcommands" else prepare(corpus_dir)


def test_every_prepare_function_is_listed_with_its_message():
    assert sorted(EMPTY_CORPUS_MESSAGES) == PREPARE


@pytest.mark.parametrize("name", PREPARE)
def test_empty_or_missing_corpus_dir_is_an_error(name, tmp_path):
    with pytest.raises(AudioNotFoundError, match=EMPTY_CORPUS_MESSAGES[name]):
        _call(name, tmp_path)
    with pytest.raises(AudioNotFoundError, match="does not exist"):
        _call(name, tmp_path / "nowhere")


LHOTSE_SIGNATURES = {  # the parameters Lhotse 1.33 names, in its order (ours may add keyword-only ones)
    "download_librispeech": [
        "target_dir",
        "dataset_parts",
        "force_download",
        "alignments",
        "base_url",
        "alignments_url",
    ],
    "prepare_librispeech": [
        "corpus_dir",
        "alignments_dir",
        "dataset_parts",
        "output_dir",
        "normalize_text",
        "num_jobs",
    ],
    "download_speechcommands": ["speechcommands_version", "target_dir", "force_download"],
    "prepare_speechcommands": ["speechcommands_version", "corpus_dir", "output_dir"],
    "download_voxconverse": ["corpus_dir", "force_download"],
    "prepare_voxconverse": ["corpus_dir", "output_dir", "split_test"],
    "download_yesno": ["target_dir", "force_download", "url"],
    "prepare_yesno": ["corpus_dir", "output_dir"],
}


def _positional(function):
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in inspect.signature(function).parameters.values() if p.kind in kinds]


@pytest.mark.parametrize("name", sorted(LHOTSE_SIGNATURES))
def test_names_and_positional_parameters_are_lhotses(name):
    assert _positional(getattr(recipes, name)) == LHOTSE_SIGNATURES[name]


def test_importing_the_recipes_imports_no_torch():
    import subprocess
    import sys

    code = (
        "import sys, lhotse_lite.recipes as r\n"
        "for name in r.__all__: getattr(r, name)\n"
        "import lhotse_lite.cli.recipe_commands\n"
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
