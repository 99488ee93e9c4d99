"""FeatureSetBuilder: executors give identical results, resume after a crash, bad input handling."""

import concurrent.futures
import logging
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.errors import AudioError, ConfigError, ShapeError
from lhotse_lite.features.base import FeatureSet, FeatureSetBuilder
from lhotse_lite.features.io import LilcomChunkyWriter, LilcomFilesWriter, NumpyFilesWriter
from lhotse_lite.features.kaldi.extractors import Fbank


def _make_recordings(folder, count=6, rate=16000):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    recs = []
    for i in range(count):
        n = int(rate * (0.5 + 0.25 * i))
        channels = 2 if i == 1 else 1
        audio = (0.1 * rng.standard_normal((n, channels))).astype(np.float32)
        path = folder / f"r{i}.wav"
        sf.write(path, audio, rate)
        recs.append(Recording.from_file(path, recording_id=f"r{i}"))
    return recs


def _run(tmp_path, recs, name, **kwargs):
    with LilcomChunkyWriter(tmp_path / f"{name}.lca") as storage:
        feats = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            recs, output_manifest=tmp_path / f"{name}.jsonl.gz", progress_bar=False, **kwargs
        )
    return feats, (tmp_path / f"{name}.lca").read_bytes()


def _without_path(feats):
    return [{k: v for k, v in f.to_dict().items() if k != "storage_path"} for f in feats]


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    return _make_recordings(tmp_path_factory.mktemp("audio"))


def test_single_process_output(tmp_path, recordings):
    feats, _ = _run(tmp_path, recordings, "one")
    assert [(f.recording_id, f.channels) for f in feats] == [
        ("r0", 0),
        ("r1", 0),
        ("r1", 1),
        ("r2", 0),
        ("r3", 0),
        ("r4", 0),
        ("r5", 0),
    ]
    assert FeatureSet.from_file(tmp_path / "one.jsonl.gz") == feats
    for f, rec in zip(feats, [recordings[0], recordings[1], recordings[1], *recordings[2:]]):
        expected = Fbank().extract(rec.load_audio(channels=f.channels), 16000)
        np.testing.assert_allclose(f.load(), expected, atol=2.0**-6 + 1e-5)
        assert f.duration == rec.duration and f.num_frames == len(expected)


def test_process_pool_and_thread_pool_equal_single_process(tmp_path, recordings):
    one, one_bytes = _run(tmp_path, recordings, "one")
    two, two_bytes = _run(tmp_path, recordings, "two", num_jobs=2)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        threads, thread_bytes = _run(tmp_path, recordings, "threads", executor=pool)
    assert _without_path(one) == _without_path(two) == _without_path(threads)
    assert one_bytes == two_bytes == thread_bytes


@pytest.mark.slow
def test_dask_local_cluster_equals_single_process(tmp_path, recordings):
    distributed = pytest.importorskip("dask.distributed")
    one, one_bytes = _run(tmp_path, recordings, "one")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            dask, dask_bytes = _run(tmp_path, recordings, "dask", executor=client.get_executor())
            assert len(client.nthreads()) == 2
        by_address, address_bytes = _run(tmp_path, recordings, "address", executor=cluster.scheduler_address)
    assert _without_path(one) == _without_path(dask) == _without_path(by_address)
    assert one_bytes == dask_bytes == address_bytes


@pytest.mark.parametrize("writer", [NumpyFilesWriter, LilcomFilesWriter])
def test_file_storages(tmp_path, recordings, writer):
    storage = writer(tmp_path / "feats")
    feats = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recordings[:2], progress_bar=False)
    assert len(feats) == 3 and all(f.load().shape == (f.num_frames, 80) for f in feats)


class _FailOn:
    """augment_fn that raises on the n-th call (simulates a crash mid-run)."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __call__(self, samples, rate):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt("simulated crash")
        return samples


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_resume_after_a_crash(tmp_path, recordings, suffix):
    manifest = tmp_path / f"feats{suffix}"
    with pytest.raises(KeyboardInterrupt), LilcomChunkyWriter(tmp_path / "feats.lca") as storage:
        FeatureSetBuilder(Fbank(), storage, augment_fn=_FailOn(4)).process_and_store_recordings(
            recordings, output_manifest=manifest, progress_bar=False
        )
    partial = FeatureSet.from_file(_readable_partial(manifest, tmp_path))
    assert [(f.recording_id, f.channels) for f in partial] == [("r0", 0), ("r1", 0), ("r1", 1)]
    for f in partial:
        assert f.load().shape == (f.num_frames, 80)
    counter = _FailOn(-1)
    with LilcomChunkyWriter(tmp_path / "feats.lca") as storage:  # default mode "wb": must not truncate
        feats = FeatureSetBuilder(Fbank(), storage, augment_fn=counter).process_and_store_recordings(
            recordings, output_manifest=manifest, progress_bar=False
        )
    assert counter.calls == 4  # r2..r5 only
    reference, _ = _run(tmp_path, recordings, "reference")
    assert len(feats) == 7 and FeatureSet.from_file(manifest) == feats
    for f, ref in zip(feats, reference):
        np.testing.assert_array_equal(f.load(), ref.load())


def _readable_partial(manifest, tmp_path):
    partial = manifest.with_name(manifest.name + ".partial")
    assert partial.exists() and not manifest.exists()
    copy = tmp_path / ("copy" + "".join(manifest.suffixes))
    copy.write_bytes(partial.read_bytes())
    return copy


SCRIPT = textwrap.dedent("""
    import sys, time
    from lhotse_lite.audio import Recording
    from lhotse_lite.features.base import FeatureSetBuilder
    from lhotse_lite.features.io import LilcomChunkyWriter
    from lhotse_lite.features.kaldi.extractors import Fbank

    def slow(samples, rate):
        time.sleep(0.3)
        return samples

    recs = [Recording.from_file(p) for p in sys.argv[3:]]
    with LilcomChunkyWriter(sys.argv[1]) as storage:
        FeatureSetBuilder(Fbank(), storage, augment_fn=slow).process_and_store_recordings(
            recs, output_manifest=sys.argv[2], progress_bar=False)
""")


def test_killed_run_leaves_only_valid_entries_and_resumes(tmp_path, recordings):
    storage, manifest = tmp_path / "k.lca", tmp_path / "k.jsonl"
    paths = [r.sources[0].source for r in recordings]
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(storage), str(manifest), *paths])
    partial = tmp_path / "k.jsonl.partial"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if partial.exists() and partial.read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = FeatureSet.from_file(_readable_partial(manifest, tmp_path))
    assert 2 <= len(kept) < 7
    for f in kept:
        assert f.load().shape == (f.num_frames, 80)
    with LilcomChunkyWriter(storage) as writer:
        feats = FeatureSetBuilder(Fbank(), writer).process_and_store_recordings(
            recordings, output_manifest=manifest, progress_bar=False
        )
    assert len(feats) == 7 and [f.storage_key for f in list(feats)[: len(kept)]] == [f.storage_key for f in kept]
    assert all(f.load().shape == (f.num_frames, 80) for f in feats)


def _bad_recordings(tmp_path, recordings):
    missing = Recording(
        id="missing",
        sources=[AudioSource("file", [0], str(tmp_path / "nope.wav"))],
        sampling_rate=16000,
        num_samples=16000,
        duration=1.0,
    )
    sf.write(tmp_path / "rate8k.wav", np.zeros(8000, dtype=np.float32), 8000)
    sf.write(tmp_path / "short.wav", np.zeros(100, dtype=np.float32), 16000)
    (tmp_path / "garbage.wav").write_bytes(b"RIFF not really audio")
    garbage = Recording(
        id="garbage",
        sources=[AudioSource("file", [0], str(tmp_path / "garbage.wav"))],
        sampling_rate=16000,
        num_samples=16000,
        duration=1.0,
    )
    return {
        "missing": missing,
        "rate8k": Recording.from_file(tmp_path / "rate8k.wav"),
        "short": Recording.from_file(tmp_path / "short.wav"),
        "garbage": garbage,
    }


@pytest.mark.parametrize(
    "bad,error,match",
    [
        ("missing", AudioError, "missing"),
        ("garbage", AudioError, "garbage"),
        ("rate8k", ConfigError, "rate8k.*8000 Hz.*resample"),
        ("short", ShapeError, "short.*shorter than one"),
    ],
)
def test_bad_recordings_raise_naming_them(tmp_path, recordings, bad, error, match):
    rec = _bad_recordings(tmp_path, recordings)[bad]
    builder = FeatureSetBuilder(Fbank(), NumpyFilesWriter(tmp_path / "f"))
    with pytest.raises(error, match=match):
        builder.process_and_store_recordings([recordings[0], rec], progress_bar=False)


def test_skip_reports_and_logs(tmp_path, recordings, caplog):
    bad = list(_bad_recordings(tmp_path, recordings).values())
    builder = FeatureSetBuilder(Fbank(), NumpyFilesWriter(tmp_path / "f"))
    with caplog.at_level(logging.WARNING):
        feats = builder.process_and_store_recordings(
            [recordings[0], *bad, recordings[2]], on_error="skip", num_jobs=2, progress_bar=False
        )
    assert [f.recording_id for f in feats] == ["r0", "r2"]
    assert [s.recording_id for s in builder.skipped] == ["missing", "rate8k", "short", "garbage"]
    assert "skipped 4 recording(s)" in caplog.text


def test_invalid_options(tmp_path, recordings):
    builder = FeatureSetBuilder(Fbank(), NumpyFilesWriter(tmp_path / "f"))
    with pytest.raises(ConfigError, match="on_error"):
        builder.process_and_store_recordings(recordings, on_error="ignore")
    with pytest.raises(ConfigError, match="num_jobs"):
        builder.process_and_store_recordings(recordings, num_jobs=0)


def test_manifest_is_flushed_at_most_every_few_seconds(tmp_path, recordings, monkeypatch):
    """A flush per line ends a gzip block per line; the time-limited flush keeps the manifest compact."""
    from lhotse_lite.features import builder

    sizes = {}
    for name, interval in (("every_line", 0.0), ("rarely", 1e9)):
        monkeypatch.setattr(builder, "MANIFEST_FLUSH_SECONDS", interval)
        feats, _ = _run(tmp_path, recordings, name)
        assert FeatureSet.from_file(tmp_path / f"{name}.jsonl.gz") == feats
        sizes[name] = (tmp_path / f"{name}.jsonl.gz").stat().st_size
    assert sizes["rarely"] < sizes["every_line"]
