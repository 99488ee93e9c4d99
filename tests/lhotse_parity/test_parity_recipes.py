"""The corpus recipes compared live with Lhotse 1.33's own recipes: the same positional parameters, and the
same manifests from the same tiny corpus copies (LibriSpeech with alignments, Speech Commands, VoxConverse,
yesno).

The corpus copies are built by the fixtures of tests/recipes; the parameter names Lhotse 1.33 uses are pinned
as literals in tests/recipes/test_recipe_common.py.
"""

import os

import pytest

import lhotse_lite.recipes as recipes
from lhotse_lite.recipes.librispeech import parse_alignments, prepare_librispeech
from lhotse_lite.recipes.speechcommands import prepare_speechcommands
from lhotse_lite.recipes.voxconverse import prepare_voxconverse
from lhotse_lite.recipes.yesno import prepare_yesno
from tests.recipes import (
    conftest as recipe_fixtures,
    test_recipe_librispeech as librispeech_tests,
    test_recipe_speechcommands as speechcommands_tests,
    test_recipe_voxconverse as voxconverse_tests,
)
from tests.recipes.test_recipe_common import LHOTSE_SIGNATURES, _positional
from tests.recipes.test_recipe_librispeech import ALIGNMENT
from tests.recipes.test_recipe_voxconverse import TURNS, _rttm
from tests.recipes.test_recipe_yesno import _names

# the corpus fixtures
audio_writer = recipe_fixtures.audio_writer
libri = librispeech_tests.libri
commands = speechcommands_tests.commands
test_set = speechcommands_tests.test_set
voxconverse = voxconverse_tests.voxconverse


@pytest.mark.parametrize("name", sorted(LHOTSE_SIGNATURES))
def test_signatures_against_the_installed_lhotse(name):
    lhotse_recipes = pytest.importorskip("lhotse.recipes")
    assert _positional(getattr(lhotse_recipes, name)) == _positional(getattr(recipes, name))


def test_alignments_as_lhotse_parses_them(tmp_path):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.librispeech")
    path = tmp_path / "84-121123.alignment.txt"
    path.write_text(ALIGNMENT + '84-121123-0002 ",ANGOR,PAIN" "0.123456789,1.5,2.25"\n')
    ours, theirs = parse_alignments(path), lhotse_recipe.parse_alignments(path)
    assert {k: [tuple(w) for w in v] for k, v in ours.items()} == {k: [tuple(w) for w in v] for k, v in theirs.items()}


def test_same_librispeech_manifests_as_lhotse(libri):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.librispeech")
    (libri / "dev-clean/84/121123/84-121123.alignment.txt").write_text(ALIGNMENT)
    ours = prepare_librispeech(libri, dataset_parts=["dev-clean"])["dev-clean"]
    theirs = lhotse_recipe.prepare_librispeech(libri, dataset_parts=["dev-clean"])["dev-clean"]

    def canonical(recording_dict):
        sources = [{**s, "source": os.path.realpath(s["source"])} for s in recording_dict["sources"]]
        return {**recording_dict, "sources": sources}

    assert sorted(map(canonical, ours["recordings"].to_dicts()), key=lambda d: d["id"]) == sorted(
        (canonical(r.to_dict()) for r in theirs["recordings"]), key=lambda d: d["id"]
    )
    assert sorted(ours["supervisions"].to_dicts(), key=lambda d: d["id"]) == sorted(
        (s.to_dict() for s in theirs["supervisions"]), key=lambda d: d["id"]
    )


def test_same_speechcommands_manifests_as_lhotse(commands, test_set, audio_writer):
    """Lhotse's recipe on the same corpus, less what we leave out on purpose (background noise)."""
    lhotse_recipe = pytest.importorskip("lhotse.recipes.speechcommands")
    audio_writer(commands / "_background_noise_" / "running_tap.wav", 2.0)  # Lhotse adds it to valid
    ours = prepare_speechcommands("2", commands.parent)
    theirs = lhotse_recipe.prepare_speechcommands("2", commands.parent)

    def without_noise(manifest):
        return sorted(
            (d for d in (item.to_dict() for item in manifest) if "_background_noise_" not in d["id"]),
            key=lambda d: d["id"],
        )

    for split in ("train", "valid", "test"):
        assert list(ours[split]["supervisions"].to_dicts()) == without_noise(theirs[split]["supervisions"])
        assert [r["id"] for r in ours[split]["recordings"].to_dicts()] == [
            r["id"] for r in without_noise(theirs[split]["recordings"])
        ]
        assert [r.num_samples for r in ours[split]["recordings"]] == [
            r["num_samples"] for r in without_noise(theirs[split]["recordings"])
        ]


def test_same_turns_as_lhotse(voxconverse):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.voxconverse")
    # Lhotse's recipe fails on zero-length turns (ours skips them, like its from_rttm): leave them out.
    (voxconverse / "dev" / "abjxc.rttm").write_text(_rttm("abjxc", [t for t in TURNS["abjxc"] if t[1] > 0]))
    ours = prepare_voxconverse(voxconverse, split_test=True)
    theirs = lhotse_recipe.prepare_voxconverse(voxconverse, split_test=True)
    assert sorted(ours) == sorted(theirs)
    for split in ("train", "dev", "test"):
        assert list(ours[split]["recordings"].ids) == sorted(r.id for r in theirs[split]["recordings"])

        def turns(sups):
            return sorted((s.recording_id, s.start, s.duration, s.speaker, s.channel) for s in sups)

        assert turns(ours[split]["supervisions"]) == turns(theirs[split]["supervisions"])


def test_same_yesno_manifests_as_lhotse(tmp_path, audio_writer):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.yesno")
    root = tmp_path / "waves_yesno"
    for n, name in enumerate(_names(60)):  # Lhotse's recipe insists on the full 60 files
        audio_writer(root / f"{name}.wav", 0.05 + 0.01 * (n % 3), sampling_rate=8000, seed=n)
    ours = prepare_yesno(root)
    theirs = lhotse_recipe.prepare_yesno(root)

    def canonical(d):
        return {**d, "sources": [{**s, "source": os.path.realpath(s["source"])} for s in d["sources"]]}

    for split in ("train", "test"):
        assert [canonical(d) for d in ours[split]["recordings"].to_dicts()] == sorted(
            (canonical(r.to_dict()) for r in theirs[split]["recordings"]), key=lambda d: d["id"]
        )
        assert list(ours[split]["supervisions"].to_dicts()) == sorted(
            (s.to_dict() for s in theirs[split]["supervisions"]), key=lambda d: d["id"]
        )
