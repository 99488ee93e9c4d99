"""The porting example runs unchanged on Lhotse 1.33 and on lhotse_lite, with the same results.

Each implementation runs in its own process (``examples/port_from_lhotse.py --impl ...``) on the demo
corpus. Manifests must be equal item by item (ids, order and every field but the feature storage path),
the stored features equal to 1e-4 when each library loads its own, and the global statistics too.
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
        capture_output=True, text=True, check=False,
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


def test_feature_manifests_are_equal_but_for_the_storage_path(outputs):
    theirs = _lines(outputs["lhotse"][0] / "features.jsonl.gz")
    ours = _lines(outputs["lhotse_lite"][0] / "features.jsonl.gz")
    assert len(ours) == len(theirs) == 12
    for mine, reference in zip(ours, theirs):
        assert Path(mine.pop("storage_path")).name == Path(reference.pop("storage_path")).name == "fbank.lca"
        assert mine == reference


def test_features_and_statistics_agree(outputs):
    import lhotse

    import lhotse_lite

    theirs = lhotse.FeatureSet.from_file(outputs["lhotse"][0] / "features.jsonl.gz")
    ours = lhotse_lite.FeatureSet.from_file(outputs["lhotse_lite"][0] / "features.jsonl.gz")
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.load(), reference.load(), atol=1e-4, rtol=0)
    stats = {impl: json.loads((outputs[impl][0] / "stats.json").read_text()) for impl in outputs}
    for name in ("norm_means", "norm_stds"):
        np.testing.assert_allclose(stats["lhotse_lite"][name], stats["lhotse"][name], atol=1e-4, rtol=0)
