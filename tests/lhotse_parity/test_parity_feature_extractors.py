"""Kaldi extractors compared live with Lhotse 1.33: the same numbers for default and other configs, config
files each library reads from the other, ``mix``/``compute_energy``, and features extracted and stored
from a recording.

Literal Lhotse values (its config files in tests/fixtures) are pinned in tests/features/test_extractors_kaldi.py
and tests/features/test_config_files.py.
"""

import numpy as np
import pytest

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.base import FeatureExtractor
from lhotse_lite.features.io import LilcomChunkyWriter, MemoryNpyWriter
from lhotse_lite.features.kaldi.extractors import Fbank, FbankConfig, LogSpectrogram, Mfcc, MfccConfig
from tests.features.test_extractors_kaldi import PAIRS, _audio, _recording

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:lhotse.features.kaldi.layers")


@pytest.mark.parametrize("name,cls", PAIRS)
def test_matches_installed_lhotse(name, cls):
    lhotse_base = pytest.importorskip("lhotse.features.base")
    theirs = lhotse_base.create_default_feature_extractor(name)
    for n in (16000, 12345, 401):
        audio = _audio(n, seed=n)
        ours, ref = cls().extract(audio, 16000), theirs.extract(audio, 16000)
        if cls is LogSpectrogram:
            # Our layers floor the power at float32 epsilon before the log, as Kaldi's
            # compute-spectrogram-feats does; Lhotse floors at 1e-10. Only near-silent bins differ.
            floor = np.log(np.finfo(np.float32).eps)
            ours, ref = np.maximum(ours, floor), np.maximum(ref, floor)
        np.testing.assert_allclose(ours, ref, atol=1e-3, rtol=1e-4)
    assert cls().feature_dim(16000) == theirs.feature_dim(16000)


def test_non_default_configs_match_lhotse():
    lhotse = pytest.importorskip("lhotse")
    audio = _audio(8000 * 3)
    ours = Fbank(FbankConfig(sampling_rate=8000, num_filters=40, low_freq=60.0, high_freq=3800.0, use_energy=True))
    theirs = lhotse.Fbank(
        lhotse.FbankConfig(sampling_rate=8000, num_filters=40, low_freq=60.0, high_freq=3800.0, use_energy=True)
    )
    np.testing.assert_allclose(ours.extract(audio, 8000), theirs.extract(audio, 8000), atol=1e-3, rtol=1e-4)
    ours = Mfcc(MfccConfig(num_ceps=20, num_filters=40, cepstral_lifter=10))
    theirs = lhotse.Mfcc(lhotse.MfccConfig(num_ceps=20, num_filters=40, cepstral_lifter=10))
    audio = _audio()
    np.testing.assert_allclose(ours.extract(audio, 16000), theirs.extract(audio, 16000), atol=1e-3, rtol=1e-4)


def test_lhotse_yaml_configs_load(lhotse_compat_dir, tmp_path):
    fbank = FeatureExtractor.from_yaml(lhotse_compat_dir / "fbank_config.yaml")
    mfcc = FeatureExtractor.from_yaml(lhotse_compat_dir / "mfcc_config.yaml")
    assert isinstance(fbank, Fbank) and fbank.config == FbankConfig()
    assert isinstance(mfcc, Mfcc) and mfcc.config == MfccConfig()
    fbank.to_yaml(tmp_path / "f.yaml")
    assert FeatureExtractor.from_yaml(tmp_path / "f.yaml").config == fbank.config
    lhotse_base = pytest.importorskip("lhotse.features.base")
    theirs = lhotse_base.FeatureExtractor.from_yaml(tmp_path / "f.yaml")
    assert theirs.name == "kaldi-fbank" and theirs.config.num_filters == 80
    assert (tmp_path / "f.yaml").read_text() == (lhotse_compat_dir / "fbank_config.yaml").read_text()


def test_mix_and_energy_match_lhotse():
    lhotse = pytest.importorskip("lhotse")
    a, b = Fbank().extract(_audio(), 16000), Fbank().extract(_audio(seed=3), 16000)
    np.testing.assert_allclose(Fbank.mix(a, b, 0.3), lhotse.Fbank.mix(a, b, 0.3), rtol=1e-6)
    assert Fbank.compute_energy(a) == pytest.approx(lhotse.Fbank.compute_energy(a))
    with pytest.raises(ConfigError):
        Mfcc.mix(a, b, 0.1)


def test_extract_from_recording_and_store_matches_lhotse(lhotse_compat_dir, tmp_path):
    lhotse = pytest.importorskip("lhotse")
    rec = _recording(lhotse_compat_dir, "stereo.flac", "rec-stereo")
    with LilcomChunkyWriter(tmp_path / "ours") as writer:
        ours = Fbank().extract_from_recording_and_store(rec, writer, channels=1)
    theirs_rec = lhotse.Recording.from_file(lhotse_compat_dir / "audio" / "stereo.flac", recording_id="rec-stereo")
    with lhotse.LilcomChunkyWriter(tmp_path / "theirs") as writer:
        theirs = lhotse.Fbank().extract_from_recording_and_store(theirs_rec, writer, channels=1)
    skip = {"storage_path", "storage_key"}
    assert {k: v for k, v in ours.to_dict().items() if k not in skip} == {
        k: v for k, v in theirs.to_dict().items() if k not in skip
    }
    np.testing.assert_allclose(ours.load(), theirs.load(), atol=2.0**-5)
    memory = Fbank().extract_from_samples_and_store(_audio()[None], MemoryNpyWriter(), 16000, offset=1.0, channel=0)
    assert memory.start == 1.0 and memory.duration == 1.0 and memory.num_frames == 100


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Lhotse's own numpy 2 warnings
def test_lhotse_written_configs_load_and_match_lhotse(lhotse_compat_dir, tmp_path):
    lhotse = pytest.importorskip("lhotse")
    for name in ("fbank_config.yaml", "mfcc_config.yaml"):
        ours = FeatureExtractor.from_yaml(lhotse_compat_dir / name)
        theirs = lhotse.FeatureExtractor.from_yaml(lhotse_compat_dir / name)
        assert ours.to_dict() == {k: v for k, v in theirs.to_dict().items() if v is not None}
    Fbank().to_yaml(tmp_path / "ours.yaml")
    assert lhotse.FeatureExtractor.from_yaml(tmp_path / "ours.yaml").config.num_filters == 80
