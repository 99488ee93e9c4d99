"""Dependencies point one way: models (and the streaming helpers) never import manifests or audio."""

import subprocess
import sys

import pytest

FORBIDDEN = (
    "lhotse_lite.manifest",
    "lhotse_lite.supervision",
    "lhotse_lite.audio",
    "lhotse_lite.features.manifest",
    "lhotse_lite.cli",
)


@pytest.mark.parametrize(
    "module",
    [
        "lhotse_lite.models",
        "lhotse_lite.models.matchbox",
        "lhotse_lite.models.conv_emformer",
        "lhotse_lite.models.wav2vec",
        "lhotse_lite.streaming",
        "lhotse_lite.features.kaldi.layers",
    ],
)
def test_models_and_layers_do_not_import_manifests(module):
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    modules = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    assert [m for m in modules if m.startswith(FORBIDDEN)] == []
