"""A recipe given a URL as its output folder writes its manifests there.

``Path("s3://bucket/out")`` is the local folder ``s3:/bucket/out``: the recipes joined file names onto
``Path(output_dir)``, so ``prepare_librispeech(..., output_dir="s3://...")`` wrote a local folder named
``s3:`` and reported success.
"""

import uuid
from pathlib import Path

from lhotse_lite import remote
from lhotse_lite.manifest import load_manifest
from lhotse_lite.recipes.librispeech import prepare_librispeech

DEMO = Path(__file__).resolve().parents[2] / "demo_data" / "LibriSpeech"


def test_manifests_go_to_the_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"memory://known-issues-{uuid.uuid4().hex[:8]}/out"
    manifests = prepare_librispeech(DEMO, output_dir=url)
    assert list(tmp_path.iterdir()) == []  # no local "memory:" folder
    written = f"{url}/librispeech_supervisions_dev-clean-demo.jsonl.gz"
    assert remote.exists(written)
    assert list(load_manifest(written)) == list(manifests["dev-clean-demo"]["supervisions"])
    again = prepare_librispeech(DEMO, output_dir=url)  # the cached split is read back from the URL
    assert list(again["dev-clean-demo"]["recordings"]) == list(manifests["dev-clean-demo"]["recordings"])
