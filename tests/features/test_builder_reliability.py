"""FeatureSetBuilder on bad input and after kills: duplicate ids refused, resumed archives stay compact."""

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import Recording
from lhotse_lite.errors import DuplicateIdError, StorageError
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.io import LilcomChunkyWriter
from lhotse_lite.features.kaldi.extractors import Fbank
from lhotse_lite.manifest import open_writer
from lhotse_lite.manifest.formats import iter_jsonl_dicts


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audio")
    rng = np.random.default_rng(0)
    recs = []
    for i in range(5):
        sf.write(folder / f"r{i}.wav", (0.1 * rng.standard_normal(8000 + 4000 * i)).astype(np.float32), 16000)
        recs.append(Recording.from_file(folder / f"r{i}.wav", recording_id=f"r{i}"))
    return recs


def _extract(storage, manifest, recordings):
    with LilcomChunkyWriter(storage) as writer:
        return FeatureSetBuilder(Fbank(), writer).process_and_store_recordings(
            recordings, output_manifest=manifest, progress_bar=False
        )


def test_duplicate_recording_ids_are_refused_before_anything_is_written(tmp_path, recordings):
    with pytest.raises(DuplicateIdError, match=r"recording id 'r1' is given twice \(recordings 1 and 3"):
        _extract(tmp_path / "f.lca", tmp_path / "f.jsonl", [*recordings[:3], recordings[1]])
    assert not (tmp_path / "f.lca").exists() and not (tmp_path / "f.jsonl").exists()


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_resume_cuts_what_a_killed_run_stored_without_a_manifest_line(tmp_path, recordings, suffix):
    clean = _extract(tmp_path / "clean.lca", tmp_path / f"clean{suffix}", recordings)
    # The state SIGKILL leaves: every matrix in the archive, only the first two lines in the manifest.
    killed = tmp_path / "k.lca"
    killed.write_bytes((tmp_path / "clean.lca").read_bytes())
    lines = [line for _, line in zip(range(2), iter_jsonl_dicts(tmp_path / f"clean{suffix}"))]
    partial = tmp_path / f"k{suffix}.partial"
    with open_writer(tmp_path / f"tmp{suffix}") as writer:  # a partial file is a JSONL(.gz) stream
        for _, d in lines:
            writer.write(dict(d, storage_path=str(killed)))
    (tmp_path / f"tmp{suffix}").rename(partial)
    resumed = _extract(killed, tmp_path / f"k{suffix}", recordings)
    assert killed.read_bytes() == (tmp_path / "clean.lca").read_bytes()
    assert [f.storage_key for f in resumed] == [f.storage_key for f in clean]


def test_truncate_after_refuses_an_archive_shorter_than_its_keys(tmp_path):
    path = tmp_path / "f.lca"
    with LilcomChunkyWriter(path) as writer:
        key = writer.write("a", np.zeros((600, 4), np.float32))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(StorageError, match="reference bytes up to"):
        LilcomChunkyWriter(path, mode="ab").truncate_after([key])
    with LilcomChunkyWriter(tmp_path / "g.lca") as writer:
        writer.write("b", np.zeros((10, 4), np.float32))
        with pytest.raises(StorageError, match="before the writer writes"):
            writer.truncate_after([])
    assert LilcomChunkyWriter(tmp_path / "none.lca").truncate_after([]) == 0


def test_an_explicit_append_mode_is_never_truncated(tmp_path, recordings):
    _extract(tmp_path / "f.lca", tmp_path / "f.jsonl", recordings[:2])
    (tmp_path / "f.jsonl").rename(tmp_path / "f.jsonl.partial")  # "interrupted"
    extra = b"bytes of another manifest sharing this archive"
    with open(tmp_path / "f.lca", "ab") as f:
        f.write(extra)
    size = (tmp_path / "f.lca").stat().st_size
    with LilcomChunkyWriter(tmp_path / "f.lca", mode="ab") as writer:
        FeatureSetBuilder(Fbank(), writer).process_and_store_recordings(
            recordings[:3], output_manifest=tmp_path / "f.jsonl", progress_bar=False
        )
    data = (tmp_path / "f.lca").read_bytes()
    assert len(data) > size and data[size - len(extra) : size] == extra
