"""The recipes' shared validation and writing, and the recipe modules' doctests."""

import doctest
import importlib

import pytest

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.errors import AudioNotFoundError, ManifestError
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from recipes import RECIPES
from recipes._common import finish_split, manifest_paths


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
    with pytest.raises(ManifestError, match=r"toy split 'dev': 1 problem\(s\)[\s\S]*supervisions\[sa\]"):
        finish_split("toy", "dev", recs, [SupervisionSegment("sa", "a", 0.5, 1.0)], tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


EMPTY_CORPUS_MESSAGES = {
    "audio_folder": "no audio files",
    "librispeech": "no LibriSpeech split",
    "speech_commands": "no testing_list.txt",
    "voxconverse": "no VoxConverse audio",
    "yesno": "no yesno",
}


def _prepare_function(name):
    module_name, function = RECIPES[name].split(":")
    return getattr(importlib.import_module(module_name), function)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_empty_or_missing_corpus_dir_is_an_error(name, tmp_path):
    prepare = _prepare_function(name)
    with pytest.raises(AudioNotFoundError, match=EMPTY_CORPUS_MESSAGES.get(name, "")):
        prepare(tmp_path)
    with pytest.raises(AudioNotFoundError, match="does not exist"):
        prepare(tmp_path / "nowhere")


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipe_registry_and_doctests(name):
    module_name, function = RECIPES[name].split(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, function))
    assert module.__doc__ and getattr(module, function).__doc__
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_common_doctests():
    import recipes
    import recipes._common

    assert doctest.testmod(recipes).failed == 0
    assert doctest.testmod(recipes._common).failed == 0
