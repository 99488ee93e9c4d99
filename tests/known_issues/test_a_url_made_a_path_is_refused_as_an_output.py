"""A URL that went through ``pathlib.Path`` (``Path("s3://b/x")`` is ``s3:/b/x``) is refused as an output.

Writing it would create a local folder named ``s3:`` in the working directory and report success, while
the store stays untouched. Every local writer refuses such a path with
:class:`~lhotse_lite.errors.CollapsedUrlError`, before it creates anything; the message gives the URL
that was meant.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from lhotse_lite import SupervisionSet
from lhotse_lite.errors import CollapsedUrlError
from lhotse_lite.features.io import LilcomChunkyWriter, LilcomFilesWriter, NumpyFilesWriter
from lhotse_lite.manifest.writer import SequentialJsonlWriter
from lhotse_lite.safe_writes import atomic_open
from lhotse_lite.testing.dummies import DummyManifest, dummy_supervision

MEANT = "'s3://bucket/out/"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert list(tmp_path.iterdir()) == [], "nothing may be created for a refused output"


@pytest.mark.parametrize("name", ["sups.jsonl.gz", "sups.jsonl", "sups.json", "sups.yaml"])
def test_manifest_files(workdir, name):
    sups = DummyManifest(SupervisionSet, begin_id=0, end_id=3)
    with pytest.raises(CollapsedUrlError, match=re.escape(MEANT + name)):
        sups.to_file(Path("s3://bucket/out") / name)


def test_sequential_writer(workdir):
    with (
        pytest.raises(CollapsedUrlError, match=re.escape(MEANT + "sups.jsonl.gz")),
        SequentialJsonlWriter(Path("s3://bucket/out/sups.jsonl.gz")) as writer,
    ):
        writer.write(dummy_supervision(0))


@pytest.mark.parametrize("writer_type", [LilcomChunkyWriter, LilcomFilesWriter, NumpyFilesWriter])
def test_feature_storage(workdir, writer_type):
    with (
        pytest.raises(CollapsedUrlError, match=re.escape(MEANT + "feats")),
        writer_type(Path("s3://bucket/out/feats")) as writer,
    ):
        writer.write("u1", np.zeros((4, 3), dtype=np.float32))


def test_atomic_open(workdir):
    with (
        pytest.raises(CollapsedUrlError, match=re.escape("'https://host/out/x.json'")),
        atomic_open(Path("https://host/out/x.json")) as f,
    ):
        f.write(b"{}")


@pytest.mark.parametrize("path", ["C:/data/x.jsonl", "out/s3:/x.jsonl", "file:/x.jsonl"])
def test_local_names_with_a_colon_are_not_urls(path):
    from lhotse_lite.safe_writes import local_output

    assert local_output(path) == Path(path)
