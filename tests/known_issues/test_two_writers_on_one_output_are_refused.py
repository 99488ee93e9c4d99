"""A second writer of an output that a run is writing fails at once and touches nothing.

Before, two manifest writers on one path both wrote (the first writer's later items were lost when
the second renamed its file into place), and a second feature run on the same archive renamed the
first run's ``.partial`` away and truncated or appended to its ``lilcom_chunky`` archive under it.
"""

import os

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import Recording
from lhotse_lite.errors import OutputLockedError
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.io import LilcomChunkyWriter, NumpyFilesWriter
from lhotse_lite.features.kaldi.extractors import Fbank
from lhotse_lite.manifest import open_writer
from lhotse_lite.manifest.formats import iter_jsonl_dicts


def _snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder)) if not name.endswith(".lock")}


def test_second_manifest_writer_is_refused_and_the_first_keeps_every_item(tmp_path):
    path = tmp_path / "sups.jsonl.gz"
    with open_writer(path) as first:
        first.write({"id": "a"}, flush=True)
        before = _snapshot(tmp_path)
        with pytest.raises(OutputLockedError, match=rf"sups\.jsonl\.gz is being written by process {os.getpid()}"):
            open_writer(path, overwrite=False).open()
        with pytest.raises(OutputLockedError):
            open_writer(path).write({"id": "x"})  # opening on first write is refused too
        assert _snapshot(tmp_path) == before
        first.write({"id": "b"})
    assert [d["id"] for _, d in iter_jsonl_dicts(path)] == ["a", "b"]
    # the lock file goes with its holder (the index files stay beside the data)
    assert sorted(os.listdir(tmp_path)) == ["sups.jsonl.gz", "sups.jsonl.gz.gzi", "sups.jsonl.gz.idx.json"]
    with open_writer(path, overwrite=False) as again:  # free again once the first is closed
        again.write({"id": "c"})
    assert [d["id"] for _, d in iter_jsonl_dicts(path)] == ["a", "b", "c"]


def test_second_archive_writer_is_refused(tmp_path):
    with LilcomChunkyWriter(tmp_path / "feats") as first:
        key = first.write("a", np.ones((10, 4), dtype=np.float32))
        second = LilcomChunkyWriter(tmp_path / "feats")
        with pytest.raises(OutputLockedError, match=r"feats\.lca is being written"):
            second.write("b", np.zeros((10, 4), dtype=np.float32))  # "wb" would have truncated the archive
        with pytest.raises(OutputLockedError):
            LilcomChunkyWriter(tmp_path / "feats", mode="ab").truncate_after([])
        first.write("c", np.ones((10, 4), dtype=np.float32))
    from lhotse_lite.features.io import LilcomChunkyReader

    assert LilcomChunkyReader(str(tmp_path / "feats.lca")).read(key).shape == (10, 4)


def test_second_builder_on_a_held_output_is_refused_before_touching_it(tmp_path):
    sf.write(tmp_path / "a.wav", np.full(8000, 0.1, dtype=np.float32), 16000)
    rec = Recording.from_file(tmp_path / "a.wav")
    out = tmp_path / "out"
    with LilcomChunkyWriter(out / "feats") as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            [rec], output_manifest=out / "feats.jsonl.gz", progress_bar=False
        )
        before = _snapshot(out)
        with LilcomChunkyWriter(out / "feats") as other, pytest.raises(OutputLockedError, match=r"feats\.lca"):
            FeatureSetBuilder(Fbank(), other).process_and_store_recordings(
                [rec], output_manifest=out / "feats.jsonl.gz", progress_bar=False
            )
        assert _snapshot(out) == before
    with open_writer(out / "feats.jsonl.gz", overwrite=False) as manifest:  # a run writing the manifest only
        with NumpyFilesWriter(out / "npy") as storage, pytest.raises(OutputLockedError, match=r"feats\.jsonl\.gz"):
            FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
                [rec], output_manifest=out / "feats.jsonl.gz", progress_bar=False
            )
        assert manifest.num_kept == 1
        assert not (out / "npy.lock").exists() and not (out / "npy").exists()  # its storage lock was given back
    assert [d["recording_id"] for _, d in iter_jsonl_dicts(out / "feats.jsonl.gz")] == ["a"]


def test_second_kaldi_ark_writer_is_refused(tmp_path):
    pytest.importorskip("kaldiio", reason="the kaldiio storage needs the optional kaldiio package")
    from lhotse_lite.features.io import get_writer

    kaldi = get_writer("kaldiio")
    with kaldi(tmp_path / "feats") as first:
        first.write("a", np.ones((10, 4), dtype=np.float32))
        before = _snapshot(tmp_path / "feats")
        with pytest.raises(OutputLockedError, match=r"feats\.scp is being written"):
            kaldi(tmp_path / "feats").write("b", np.zeros((10, 4), dtype=np.float32))  # "wb" would truncate
        assert _snapshot(tmp_path / "feats") == before
