"""A tiny corpus for the dataset tests: noise-like recordings, supervisions, stored MFCC features."""

from pathlib import Path
from typing import Dict

import numpy as np
import pytest
import soundfile

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.features.builder import FeatureSetBuilder
from lhotse_lite.features.io import get_writer
from lhotse_lite.features.kaldi.extractors import Mfcc, MfccConfig
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

SAMPLING_RATE = 16000
DURATIONS = [0.5, 1.0, 0.75, 1.25, 0.6, 0.9]
WORDS = ["yes", "no"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Dict[str, object]:
    """Recordings (one supervision each, covering it) with MFCC stored losslessly in .npy files."""
    root = tmp_path_factory.mktemp("dataset_corpus")
    rng = np.random.default_rng(0)
    recordings, segments = [], []
    for i, duration in enumerate(DURATIONS):
        path = root / f"utt{i}.wav"
        t = np.arange(int(duration * SAMPLING_RATE)) / SAMPLING_RATE
        signal = 0.3 * np.sin(2 * np.pi * (200 + 100 * i) * t) + 0.05 * rng.standard_normal(t.size)
        soundfile.write(path, signal.astype(np.float32), SAMPLING_RATE, subtype="PCM_16")
        rec = Recording.from_file(path, recording_id=f"utt{i}")
        recordings.append(rec)
        segments.append(SupervisionSegment(f"sup{i}", rec.id, 0.0, rec.duration, channel=0, text=WORDS[i % 2]))
    recordings_set = RecordingSet.from_recordings(recordings)
    supervisions = SupervisionSet.from_segments(segments)
    extractor = Mfcc(MfccConfig(num_filters=16, num_ceps=16))
    with get_writer("numpy_files")(str(root / "feats")) as storage:
        features = FeatureSetBuilder(extractor, storage).process_and_store_recordings(
            recordings_set, progress_bar=False
        )
    paths = {
        "recordings": root / "recordings.jsonl.gz",
        "supervisions": root / "supervisions.jsonl.gz",
        "features": root / "features.jsonl.gz",
    }
    recordings_set.to_file(paths["recordings"])
    supervisions.to_file(paths["supervisions"])
    features.to_file(paths["features"])
    return {
        "root": Path(root),
        "recordings": recordings_set,
        "supervisions": supervisions,
        "features": features,
        "extractor": extractor,
        "paths": paths,
    }
