"""Regression: the VoxConverse recipe trims RTTM turns that end after the audio, as Lhotse's recipe does.

Some VoxConverse turns end 0.3-0.7 ms after their recording. Our recipe kept them as they were (within
its 25 ms validation tolerance) while Lhotse's runs ``fix_manifests`` and trims them to the audio's end,
so the two recipes disagreed and a strict validator (Lhotse's ``validate_recordings_and_supervisions``
allows 1 ms) rejected ours for turns a little further out.
"""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.qa import validate_recordings_and_supervisions
from lhotse_lite.recipes.voxconverse import prepare_voxconverse


@pytest.fixture
def corpus(tmp_path):
    for part, name in (("dev", "abjxc"), ("test", "bvyvm")):
        (tmp_path / part).mkdir()
        sf.write(tmp_path / part / f"{name}.wav", np.zeros(48000, dtype=np.int16), 16000)
        (tmp_path / part / f"{name}.rttm").write_text(
            f"SPEAKER {name} 1 0.500000 1.000000 <NA> <NA> spk00 <NA> <NA>\n"
            f"SPEAKER {name} 1 2.550000 0.450600 <NA> <NA> spk01 <NA> <NA>\n"  # ends 0.6 ms after the audio
            f"SPEAKER {name} 1 2.800000 0.202000 <NA> <NA> spk00 <NA> <NA>\n"
        )  # 2 ms after
    return tmp_path


def test_turns_end_with_the_audio(corpus):
    for split in prepare_voxconverse(corpus).values():
        assert [(s.start, s.duration) for s in split["supervisions"]] == [(0.5, 1.0), (2.55, 0.45), (2.8, 0.2)]
        validate_recordings_and_supervisions(split["recordings"], split["supervisions"])


def test_same_turns_as_lhotses_recipe(corpus):
    lhotse_recipe = pytest.importorskip("lhotse.recipes.voxconverse")
    ours, theirs = prepare_voxconverse(corpus), lhotse_recipe.prepare_voxconverse(corpus)
    for split in ("dev", "test"):
        assert [(s.start, s.duration) for s in ours[split]["supervisions"]] == sorted(
            (s.start, s.duration) for s in theirs[split]["supervisions"]
        )
