"""Loading NeMo-format MatchboxNet checkpoints: a .nemo archive built here in NeMo's layout."""

import io
import tarfile

import pytest
import torch

from lhotse_lite.errors import ConfigError, StorageError
from lhotse_lite.models.matchbox import (
    load_nemo_matchboxnet,
    matchboxnet_3x1x64,
    matchboxnet_from_nemo_config,
    select_nemo_weights,
    write_nemo_archive,
)

LABELS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "unknown", "silence"]


def _block(filters, repeat, kernel, dilation=1, residual=False, separable=True):
    # Field names and list-valued geometry as in NeMo's examples/asr/conf/matchboxnet/*.yaml (resolved).
    entry = {
        "filters": filters,
        "repeat": repeat,
        "kernel": [kernel],
        "stride": [1],
        "dilation": [dilation],
        "dropout": 0.0,
        "residual": residual,
        "kernel_size_factor": 1.0,
        "se": False,
    }
    if separable:
        entry["separable"] = True
    return entry


def nemo_config(repeat=1):
    return {
        "sample_rate": 16000,
        "labels": LABELS,
        "preprocessor": {"_target_": "nemo.collections.asr.modules.AudioToMFCCPreprocessor", "n_mfcc": 64},
        "encoder": {
            "_target_": "nemo.collections.asr.modules.ConvASREncoder",
            "feat_in": 64,
            "activation": "relu",
            "conv_mask": True,
            "jasper": [
                _block(128, 1, 11),
                _block(64, repeat, 13, residual=True),
                _block(64, repeat, 15, residual=True),
                _block(64, repeat, 17, residual=True),
                _block(128, 1, 29, dilation=2),
                _block(128, 1, 1, separable=False),
            ],
        },
        "decoder": {
            "_target_": "nemo.collections.asr.modules.ConvASRDecoderClassification",
            "feat_in": 128,
            "num_classes": len(LABELS),
            "return_logits": True,
            "pooling_type": "avg",
        },
    }


def test_load_nemo_archive_roundtrip(tmp_path):
    torch.manual_seed(0)
    source = matchboxnet_3x1x64(num_classes=len(LABELS))
    weights = dict(source.state_dict())
    weights["preprocessor.featurizer.dct_mat"] = torch.randn(64, 64)  # NeMo front-end buffers are dropped
    write_nemo_archive(tmp_path / "mbn.nemo", nemo_config(), weights)
    model, labels = load_nemo_matchboxnet(tmp_path / "mbn.nemo")
    assert labels == LABELS and not model.training
    x = torch.randn(2, 64, 40)
    torch.testing.assert_close(model(x), source.eval()(x))


def test_config_builds_3x2x64_layout():
    model = matchboxnet_from_nemo_config({"model": nemo_config(repeat=2)})
    assert sum(p.numel() for p in model.parameters()) == 88896 + 128 * 12 + 12


def test_select_unwraps_lightning_checkpoints():
    ckpt = {"state_dict": {"encoder.a": torch.zeros(1), "preprocessor.b": torch.zeros(1)}, "epoch": 3}
    assert list(select_nemo_weights(ckpt)) == ["encoder.a"]


def test_bad_archives_and_configs(tmp_path):
    (tmp_path / "junk.nemo").write_bytes(b"not a tar")
    with pytest.raises(StorageError, match="tar"):
        load_nemo_matchboxnet(tmp_path / "junk.nemo")
    with tarfile.open(tmp_path / "empty.nemo", "w") as archive:
        info = tarfile.TarInfo("model_config.yaml")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(StorageError, match=r"model_weights\.ckpt"):
        load_nemo_matchboxnet(tmp_path / "empty.nemo")
    config = nemo_config()
    config["encoder"]["quantize"] = True
    with pytest.raises(ConfigError, match="pytorch_quantization"):
        matchboxnet_from_nemo_config(config)
    config = nemo_config()
    config["encoder"]["jasper"][1]["quantize"] = True
    with pytest.raises(ConfigError, match="NeMo block 1: quantize=True"):
        matchboxnet_from_nemo_config(config)
    config = nemo_config()
    config["encoder"]["jasper"][1]["dropout"] = "${model.dropout}"
    with pytest.raises(ConfigError, match="interpolations"):
        matchboxnet_from_nemo_config(config)
