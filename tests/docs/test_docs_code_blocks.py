"""The Python code blocks of the docs run as written.

The ``>>>`` examples of the ``.rst`` pages run as doctests; the ``.. code-block:: python`` examples
are scripts a reader copies. Each page's blocks listed here are joined in page order (a reader runs
them one after the other) and run as one script in a fresh folder holding the files the page talks
about, in a new Python process (so a missing ``if __name__ == "__main__":`` with worker processes
fails as it does for a user). The blocks that are not run are listed with the reason; blocks of
other pages that need nothing but the package run one by one (``STANDALONE``).
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

NOT_RUN = {
    ("parallel.rst", 1): "needs a Dask scheduler at tcp://scheduler:8786",
    ("end_to_end.rst", 1): "reads blocks from a microphone",
}


def python_blocks(page: str) -> list:
    """The ``.. code-block:: python`` blocks of a docs page, dedented, in page order."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    blocks, current = [], None
    for line in [*lines, "end"]:
        if current is not None:
            if line.strip() == "" or line.startswith((" ", "\t")):
                current.append(line)
                continue
            blocks.append(textwrap.dedent("\n".join(current)).strip() + "\n")
            current = None
        if re.match(r"\.\. code-block:: python\s*$", line):
            current = []
    return blocks


def run_blocks(page: str, folder: Path, indices=None) -> subprocess.CompletedProcess:
    blocks = python_blocks(page)
    chosen = [i for i in range(len(blocks)) if (page, i) not in NOT_RUN and (indices is None or i in indices)]
    script = folder / f"{Path(page).stem}_example.py"
    script.write_text("\n".join(blocks[i] for i in chosen), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=600)


def _noise(seconds: float, channels: int = 1, rate: int = 16000, seed: int = 0) -> np.ndarray:
    shape = (round(seconds * rate), channels) if channels > 1 else (round(seconds * rate),)
    return np.random.default_rng(seed).uniform(-0.3, 0.3, shape).astype(np.float32)


def test_blocks_are_found():
    assert len(python_blocks("audio.rst")) == 8 and len(python_blocks("parallel.rst")) == 2
    assert "def main():" in python_blocks("parallel.rst")[0]


def test_audio_page(tmp_path):
    (tmp_path / "corpus").mkdir()
    sf.write(tmp_path / "corpus" / "utt1.flac", _noise(2.0), 16000)  # the page's 2 s mono example
    sf.write(tmp_path / "meeting1-close.wav", _noise(10.0, seed=1), 16000)
    sf.write(tmp_path / "meeting1-array.flac", _noise(10.0, channels=2, seed=2), 16000)
    done = run_blocks("audio.rst", tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "recordings.jsonl.gz").is_file() and (tmp_path / "utt1-part.wav").is_file()


def test_parallel_page_with_four_workers(tmp_path):
    (tmp_path / "corpus").mkdir()
    for n in range(3):
        sf.write(tmp_path / "corpus" / f"utt{n}.flac", _noise(0.5, seed=n), 16000)
    done = run_blocks("parallel.rst", tmp_path, indices=[0])
    assert done.returncode == 0, done.stderr
    assert "3 feature matrices" in done.stdout
    assert (tmp_path / "data" / "feats.jsonl.gz").is_file() and (tmp_path / "data" / "feats.lca").is_file()
    assert not list((tmp_path / "data").glob("*.partial*"))


@pytest.mark.slow
def test_end_to_end_training_loader(tmp_path, monkeypatch):
    from recipes.kws_matchboxnet import KwsConfig, prepare_features

    monkeypatch.chdir(tmp_path)  # the page's paths are relative to where the recipe ran
    prepare_features(REPO / "demo_data" / "speech_commands", "exp/kws", KwsConfig(speed_factors=()))
    done = run_blocks("end_to_end.rst", tmp_path, indices=[0])
    assert done.returncode == 0, done.stderr


STANDALONE = [  # (page, a line of the block): robust to blocks added before it
    ("coming_from_lhotse.rst", "from lhotse_lite import RecordingSet, SupervisionSegment, SupervisionSet, combine"),
    ("manifests.rst", "from lhotse_lite.supervision import SupervisionSegment, SupervisionSet"),
    ("recipes.rst", "def prepare_mycorpus(corpus_dir, output_dir=None):"),
    ("storage.rst", "class MyWriter(FeaturesWriter):"),
    ("streaming.rst", "from lhotse_lite.features.kaldi import Wav2LogFilterBank"),
    ("streaming_utilities.rst", "from lhotse_lite.streaming import split_fixed_chunks, split_wav_lens"),
    ("streaming_utilities.rst", "from lhotse_lite.streaming import infer_dependency_matrix, plot_dependency_matrix"),
    ("models_matchboxnet.rst", "from lhotse_lite.models.matchbox import matchboxnet_3x2x64"),
    ("models_matchboxnet.rst", "from lhotse_lite.models.matchbox import BlockConfig, ConvASREncoder"),
    ("models_matchboxnet.rst", "from lhotse_lite.features.kaldi.layers import Wav2MFCC"),
]
"""Blocks of other pages that need nothing but the package: each runs alone in an empty folder."""


@pytest.mark.parametrize("page,line", STANDALONE, ids=[f"{p}: {line[:40]}" for p, line in STANDALONE])
def test_standalone_blocks(page, line, tmp_path):
    found = [i for i, block in enumerate(python_blocks(page)) if line in block.splitlines()]
    assert len(found) == 1, f"{page}: {len(found)} blocks hold the line {line!r}"
    done = run_blocks(page, tmp_path, indices=found)
    assert done.returncode == 0, done.stderr
