"""The porting example runs unchanged on Lhotse 1.33 and on lhotse_lite, with the same results.

Each implementation runs in its own process (``examples/port_from_lhotse.py --impl ...``) on the demo
corpus. Manifests must be equal item by item (ids, order and every field but where the feature bytes
lie). Features agree to 1e-4 (``rtol = atol = 1e-4``, as ``numpy.allclose`` reads it) before storage;
once stored, lilcom quantises both to steps of ``2**-5`` (its default ``tick_power=-5``), so a value
that lies within 1e-4 of a step boundary may round to neighbouring steps: stored features agree to one
step, and the global statistics computed from them to 1e-4.
"""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "examples" / "port_from_lhotse.py"
CORPUS = REPO / "demo_data" / "LibriSpeech" / "dev-clean-demo"
MANIFESTS = ["recordings", "supervisions", "supervisions_part0", "supervisions_part1"]

pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference this example is compared with")


def _run(impl: str, output_dir: Path) -> dict:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(CORPUS), str(output_dir), "--impl", impl],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def _lines(path: Path) -> list:
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("port")
    return {impl: (root / impl, _run(impl, root / impl)) for impl in ("lhotse", "lhotse_lite")}


def test_both_runs_report_the_same_summary(outputs):
    (_, theirs), (_, ours) = outputs["lhotse"], outputs["lhotse_lite"]
    assert ours == theirs
    assert ours["recordings"] == 12 and ours["supervisions"] == 10 and ours["split_sizes"] == [5, 5]


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifests_are_equal(outputs, name):
    theirs = _lines(outputs["lhotse"][0] / f"{name}.jsonl.gz")
    ours = _lines(outputs["lhotse_lite"][0] / f"{name}.jsonl.gz")
    assert [d["id"] for d in ours] == [d["id"] for d in theirs]
    assert ours == theirs


LILCOM_STEP = 2.0**-5


def test_feature_manifests_are_equal_but_for_where_the_bytes_lie(outputs):
    theirs = _lines(outputs["lhotse"][0] / "features.jsonl.gz")
    ours = _lines(outputs["lhotse_lite"][0] / "features.jsonl.gz")
    assert len(ours) == len(theirs) == 12
    for mine, reference in zip(ours, theirs):
        assert Path(mine.pop("storage_path")).name == Path(reference.pop("storage_path")).name == "fbank.lca"
        # offset,length of each chunk in the archive: compressed sizes follow the quantised values
        assert mine.pop("storage_key").count(",") == reference.pop("storage_key").count(",")
        assert mine == reference


def test_features_agree_before_and_after_storage(outputs):
    import lhotse

    import lhotse_lite

    theirs = lhotse.FeatureSet.from_file(outputs["lhotse"][0] / "features.jsonl.gz")
    ours = lhotse_lite.FeatureSet.from_file(outputs["lhotse_lite"][0] / "features.jsonl.gz")
    their_dir, our_dir = outputs["lhotse"][0], outputs["lhotse_lite"][0]
    their_recordings = {r.id: r for r in lhotse.RecordingSet.from_file(their_dir / "recordings.jsonl.gz")}
    our_recordings = {r.id: r for r in lhotse_lite.RecordingSet.from_file(our_dir / "recordings.jsonl.gz")}
    for mine, reference in zip(ours, theirs):
        stored, stored_reference = mine.load(), reference.load()
        assert stored.shape == stored_reference.shape
        assert np.abs(stored - stored_reference).max() <= LILCOM_STEP + 1e-4 * (1 + np.abs(stored_reference).max())
        exact = lhotse_lite.Fbank().extract(our_recordings[mine.recording_id].load_audio(), 16000)
        exact_reference = lhotse.Fbank().extract(their_recordings[reference.recording_id].load_audio(), 16000)
        np.testing.assert_allclose(exact, exact_reference, rtol=1e-4, atol=1e-4)


def test_global_statistics_agree(outputs):
    stats = {impl: json.loads((outputs[impl][0] / "stats.json").read_text()) for impl in outputs}
    for name in ("norm_means", "norm_stds"):
        np.testing.assert_allclose(stats["lhotse_lite"][name], stats["lhotse"][name], rtol=1e-4, atol=1e-4)
