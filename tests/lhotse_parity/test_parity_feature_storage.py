"""Feature storage compared live with Lhotse 1.33: matrices we write load in Lhotse's readers, and our
lilcom writers use as many bytes per frame as Lhotse's (the chunky archive: the very same bytes).

Lhotse-written archives (tests/fixtures) are read without Lhotse in tests/features/test_storage_backends.py.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from lhotse_lite.features.io import get_reader, get_writer
from tests.features.test_storage_backends import STORED, _feats


@pytest.mark.parametrize("name", STORED)
def test_our_storage_loads_in_lhotse(name, tmp_path):
    lhotse_io = pytest.importorskip("lhotse.features.io")
    feats = [_feats(n, seed=n) for n in (1, 499, 500, 501, 1234)]
    target = tmp_path / ("feats.lca" if name == "lilcom_chunky" else name)
    with get_writer(name)(target) as writer:
        keys = [writer.write(f"key{i:03d}", f) for i, f in enumerate(feats)]
    reader = lhotse_io.get_reader(name)(writer.storage_path)
    ours = get_reader(name)(writer.storage_path)
    for key, _f in zip(keys, feats):
        theirs = reader.read(key)
        np.testing.assert_array_equal(theirs, ours.read(key))
        np.testing.assert_array_equal(reader.read(key, 3, 250), ours.read(key, 3, 250))


@pytest.mark.parametrize("name", ["lilcom_chunky", "lilcom_files"])
def test_same_bytes_per_frame_as_lhotse(name, tmp_path, lhotse_compat_dir):
    lhotse_io = pytest.importorskip("lhotse.features.io")
    fbank = np.load(lhotse_compat_dir / "expected_features.npz")["float32/rec-mono"]
    feats = np.concatenate([fbank] * 5)
    ours_dir, theirs_dir = tmp_path / "ours", tmp_path / "theirs"
    theirs_dir.mkdir()
    with get_writer(name)(ours_dir / "f") as ours:
        ours_key = ours.write("abcdef", feats)
    with lhotse_io.get_writer(name)(str(theirs_dir / "f")) as theirs:
        theirs_key = theirs.write("abcdef", feats.copy())
    if name == "lilcom_chunky":
        # same codec, same chunking, same regression estimates: the very same bytes
        assert Path(ours.storage_path).read_bytes() == Path(theirs.storage_path).read_bytes()
        assert ours_key == theirs_key
    else:
        assert os.path.getsize(ours_dir / "f" / ours_key) <= os.path.getsize(theirs_dir / "f" / theirs_key)
