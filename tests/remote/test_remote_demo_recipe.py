"""The demo corpus recipe writes its manifests and features to an S3 bucket, and they read back as local ones."""

from pathlib import Path

import numpy as np

from lhotse_lite.features import Fbank, FeatureSetBuilder, LilcomChunkyWriter
from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.recipes.librispeech import prepare_librispeech

DEMO = Path(__file__).resolve().parents[2] / "demo_data" / "LibriSpeech"


def test_demo_recipe_writes_manifests_and_features_to_s3(s3, bucket, tmp_path):
    local = prepare_librispeech(DEMO, output_dir=tmp_path / "manifests")
    remote = prepare_librispeech(DEMO, output_dir=f"s3://{bucket}/demo/manifests")
    assert remote.keys() == local.keys()
    keys = {o["Key"] for o in s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    written = sorted(p.name for p in (tmp_path / "manifests").iterdir() if p.name.endswith(".jsonl.gz"))
    assert written and all(f"demo/manifests/{name}" in keys for name in written)
    for name in written:
        assert list(load_manifest(f"s3://{bucket}/demo/manifests/{name}")) == list(
            load_manifest(tmp_path / "manifests" / name)
        )

    recordings = local["dev-clean-demo"]["recordings"]
    url = f"s3://{bucket}/demo/feats"
    with LilcomChunkyWriter(url) as storage:
        FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            recordings, output_manifest=f"{url}.jsonl.gz", progress_bar=False
        )
    with LilcomChunkyWriter(tmp_path / "feats") as storage:
        expected = FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(
            recordings, output_manifest=tmp_path / "feats.jsonl.gz", progress_bar=False
        )
    stored = load_manifest_lazy(f"{url}.jsonl.gz", indexed=True)  # the writer uploaded its index too
    assert len(stored) == len(expected) == len(recordings)
    by_recording = {item.recording_id: item for item in expected}
    for i in range(len(stored)):
        got = stored[i]
        assert np.array_equal(got.load(), by_recording[got.recording_id].load())
