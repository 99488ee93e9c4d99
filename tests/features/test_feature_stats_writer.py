"""write_global_stats: the one writer of statistics files (``lite feat stats`` uses it)."""

import json
import os
import pickle

import numpy as np
import pytest

from lhotse_lite.features.stats import write_global_stats

STATS = {"norm_means": np.array([0.5, -1.25, 3.0]), "norm_stds": np.array([1.0, 0.125, 2.5])}


@pytest.mark.parametrize("name", ["stats.json", "stats.npz", "stats.pkl", "stats"])
def test_each_format_reads_back_exactly(tmp_path, name):
    path = write_global_stats(STATS, tmp_path / "sub" / name)
    assert path == tmp_path / "sub" / name
    if name.endswith(".json"):
        loaded = {k: np.array(v) for k, v in json.loads(path.read_text()).items()}
    elif name.endswith(".npz"):
        loaded = dict(np.load(path))
    else:
        with open(path, "rb") as f:
            loaded = pickle.load(f)
    assert sorted(loaded) == ["norm_means", "norm_stds"]
    for key, value in STATS.items():
        np.testing.assert_array_equal(loaded[key], value)


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    path = tmp_path / "stats.json"
    path.write_text("previous")
    with pytest.raises(TypeError):
        write_global_stats({"norm_means": object()}, path)
    assert path.read_text() == "previous" and os.listdir(tmp_path) == ["stats.json"]
