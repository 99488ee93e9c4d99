"""A writer reporting its storage path as a ``Path`` still gives manifests whose ``storage_path`` is a str."""

from pathlib import Path

import numpy as np

from lhotse_lite.features.io import MemoryNpyWriter
from lhotse_lite.features.manifest import Features


class _PathWriter(MemoryNpyWriter):
    """A user writer that reports its storage path as a ``Path``."""

    @property
    def storage_path(self):
        return Path("somewhere")


def test_from_array_stores_storage_path_as_str():
    feats = Features.from_array(np.zeros((4, 2), np.float32), _PathWriter(), frame_shift=0.01, sampling_rate=16000)
    assert feats.storage_path == "somewhere" and isinstance(feats.storage_path, str)
    assert (feats.num_frames, feats.num_features, feats.duration) == (4, 2, 0.04)
