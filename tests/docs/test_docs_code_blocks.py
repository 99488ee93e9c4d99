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
    return subprocess.run(
        [sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )


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


WITH_CONTEXT = {  # (page, a line of the block): code that makes what the page's text assumes
    ("features.rst", "from lhotse_lite.features.kaldi.extractors import Fbank, FbankConfig, Mfcc, MfccConfig"): """
import numpy as np, soundfile as sf
from lhotse_lite.audio import Recording
samples = np.random.default_rng(0).uniform(-0.3, 0.3, 48000).astype(np.float32)   # 3 s at 16 kHz
sf.write("utt1.wav", np.tile(samples, 2)[:64000], 16000)
recording = Recording.from_file("utt1.wav")                                         # 4 s
""",
    ("features.rst", "class MyConfig:                     # a dataclass with to_dict()/from_dict()"): "",
    ("kaldi_compatibility.rst", "from torch.export import Dim, export"): """
import torch
samples = torch.randn(1, 16000)
""",
    ("manifests.rst", 'train = load_manifest_lazy("train.jsonl.gz")'): """
from lhotse_lite.testing.dummies import DummyManifest
from lhotse_lite import SupervisionSet
DummyManifest(SupervisionSet, begin_id=0, end_id=50).to_file("train.jsonl.gz")
""",
    ("manifests.rst", "sups = sups.map(normalize)"): """
from lhotse_lite.testing.dummies import DummyManifest
from lhotse_lite import SupervisionSet
sups = DummyManifest(SupervisionSet, begin_id=0, end_id=5)
""",
    ("manifests.rst", 'with open_writer("supervisions.jsonl.gz", overwrite=False) as writer:'): """
from lhotse_lite.testing.dummies import dummy_supervision
def produce():
    return (dummy_supervision(k) for k in range(5))
""",
    ("storage.rst", 'with LilcomChunkyWriter("data/feats") as writer:       # -> data/feats.lca'): """
import numpy as np
feats = np.random.default_rng(0).standard_normal((300, 80)).astype(np.float32)
""",
    ("storage.rst", "from lhotse_lite.features.io import KaldiReader, KaldiWriter"): """
import numpy as np
feats = np.random.default_rng(0).standard_normal((300, 80)).astype(np.float32)
""",
    ("recipes.rst", "from lhotse_lite.recipes import prepare_speechcommands"): f"""
import os
os.symlink({str(REPO / "demo_data")!r}, "demo_data")
""",
    ("models_matchboxnet.rst", "from lhotse_lite.models.matchbox import load_nemo_matchboxnet"): """
import torch
from lhotse_lite.models.matchbox import matchboxnet_3x1x64
from lhotse_lite.models.matchbox.nemo_checkpoint import (TOY_CONFIG, matchboxnet_from_nemo_config,
                                                          write_nemo_archive)
write_nemo_archive("commandrecognition_en_matchboxnet3x1x64_v1.nemo", TOY_CONFIG,
                   matchboxnet_from_nemo_config(TOY_CONFIG).state_dict())
features, lengths = torch.randn(2, 4, 30), torch.tensor([30, 25])   # (batch, feat_in, frames) of the toy config
""",
    ("models_matchboxnet.rst", "from lhotse_lite.models.matchbox import matchboxnet_3x2x64, select_nemo_weights"): """
import torch
from lhotse_lite.models.matchbox import matchboxnet_3x2x64 as _build
weights = {"preprocessor.featurizer.window": torch.zeros(3), **_build(num_classes=35).state_dict()}
torch.save({"state_dict": weights}, "model_weights.ckpt")   # a Lightning checkpoint, as NeMo writes
""",
    ("models_matchboxnet.rst", 'write_nemo_archive("kws.nemo", nemo_config, model.state_dict())'): """
from lhotse_lite.models.matchbox.nemo_checkpoint import TOY_CONFIG, matchboxnet_from_nemo_config
nemo_config = TOY_CONFIG
model = matchboxnet_from_nemo_config(nemo_config)
""",
    ("training.rst", "dataset = SpeechRecognitionDataset(supervisions, recordings=recordings, extractor=Fbank(),"): """
import numpy as np, soundfile as sf
from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.dataset import DynamicBucketingSampler
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
rng = np.random.default_rng(0)
for i in range(4):
    sf.write(f"utt{i}.wav", rng.uniform(-0.3, 0.3, 8000 * (i + 2)).astype(np.float32), 16000)
recordings = RecordingSet.from_recordings(Recording.from_file(f"utt{i}.wav") for i in range(4))
supervisions = SupervisionSet.from_segments(SupervisionSegment(f"s{i}", r.id, 0.0, r.duration, text="yes")
                                            for i, r in enumerate(recordings))
sampler = DynamicBucketingSampler(supervisions, max_duration=4.0)
tokenize = lambda text: [ord(c) for c in text]
""",
}
"""Blocks that continue the page's text (a recording, ``feats``, a checkpoint the text mentions):
each runs as written after a prelude that makes those."""

SLOW_BLOCKS = [  # blocks that need the package only but train or stream for tens of seconds (a line's start)
    ("models_conv_emformer.rst", "model = ConvEmformer(80, 4, 1024, 12, 16, 8, right_context_length=4)"),
    ("models_conv_emformer.rst", "S, R = 16, 4"),
    ("models_wav2vec.rst", "extractor = W2VLatentExtractor()"),
]


def _the_block(page, line):
    """The index of the page's one block holding the line ``line`` (or, failing that, a line starting with it)."""
    blocks = [block.splitlines() for block in python_blocks(page)]
    found = [i for i, lines in enumerate(blocks) if line in lines]
    found = found or [i for i, lines in enumerate(blocks) if any(x.startswith(line) for x in lines)]
    assert len(found) == 1, f"{page}: {len(found)} blocks hold the line {line!r}"
    return found[0]


@pytest.mark.parametrize("page,line", list(WITH_CONTEXT), ids=[f"{p}: {line[:40]}" for p, line in WITH_CONTEXT])
def test_blocks_after_their_context(page, line, tmp_path):
    index = _the_block(page, line)
    (tmp_path / "prelude.py").write_text(WITH_CONTEXT[(page, line)], encoding="utf-8")
    script = tmp_path / "example.py"
    script.write_text("exec(open('prelude.py').read())\n" + python_blocks(page)[index], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, script.name], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("page,line", SLOW_BLOCKS, ids=[f"{p}: {line[:30]}" for p, line in SLOW_BLOCKS])
def test_slow_blocks(page, line, tmp_path):
    done = run_blocks(page, tmp_path, indices=[_the_block(page, line)])
    assert done.returncode == 0, done.stderr


def test_every_python_block_of_the_docs_is_run():
    # A block is run by a page test (every block of those pages), alone, after its context, or as a slow
    # block; the rest are listed in NOT_RUN with the reason.
    whole_pages = {"audio.rst", "parallel.rst", "end_to_end.rst"}
    listed = [*STANDALONE, *WITH_CONTEXT, *SLOW_BLOCKS]
    run = {(page, _the_block(page, line)) for page, line in listed}
    missing = []
    for path in sorted(DOCS.glob("*.rst")):
        for index, block in enumerate(python_blocks(path.name)):
            if path.name in whole_pages or (path.name, index) in run or (path.name, index) in NOT_RUN:
                continue
            missing.append(f"{path.name} block {index}: {block.splitlines()[0]}")
    assert not missing, "docs code blocks no test runs:\n" + "\n".join(missing)
