"""Extractor config files: every field type-checked on load, YAML errors named file:line, Lhotse's files load."""

import pytest

from lhotse_lite.errors import ConfigError
from lhotse_lite.features.extractor import FeatureExtractor
from lhotse_lite.features.kaldi.extractor_configs import FbankConfig, MfccConfig, SpectrogramConfig


@pytest.mark.parametrize(
    "field,value,expected",
    [
        ("num_filters", "eighty", "num_filters must be an int, got 'eighty'"),
        ("num_filters", 80.5, "num_filters must be an int, got 80.5"),
        ("num_filters", True, "num_filters must be an int, got True"),
        ("sampling_rate", [16000], "sampling_rate must be an int, got [16000]"),
        ("frame_shift", "10ms", "frame_shift must be a finite number, got '10ms'"),
        ("dither", float("inf"), "dither must be a finite number, got inf"),
        ("snip_edges", "yes", "snip_edges must be true or false, got 'yes'"),
        ("snip_edges", 0, "snip_edges must be true or false, got 0"),
        ("window_type", 3, "window_type must be a string, got 3"),
        ("num_mel_bins", "64", "num_mel_bins must be an int, got '64'"),
    ],
)
def test_wrong_types_are_config_errors_naming_the_field(field, value, expected):
    with pytest.raises(ConfigError) as caught:
        FbankConfig.from_dict({field: value})
    assert str(caught.value) == f"FbankConfig: {expected}"


def test_values_are_stored_as_their_field_type():
    config = FbankConfig.from_dict({"num_filters": 40.0, "frame_length": 1, "frame_shift": 1, "num_mel_bins": None})
    assert config.num_filters == 40 and type(config.num_filters) is int
    assert config.frame_shift == 1.0 and type(config.frame_shift) is float and type(config.frame_length) is float
    assert MfccConfig.from_dict({"num_ceps": 20, "cepstral_lifter": 22}).num_ceps == 20
    assert SpectrogramConfig.from_dict({"device": "cuda"}).device == "cuda"


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "feature_type: kaldi-fbank\nnum_filters: [80\nlow_freq: 1\n",
            "{path}:3:9: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence)",
        ),
        (
            "feature_type: kaldi-fbank\n  num_filters: 80\n",
            "{path}:2:14: invalid YAML: mapping values are not allowed here",
        ),
        (
            "feature_type: kaldi-fbank\nnum_filters: !!python/object/apply:os.system ['true']\n",
            "{path}:2:14: invalid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'; configs are read with yaml.safe_load, which builds "
            "only plain values (no Python objects)",
        ),
        ("- 1\n- 2\n", "{path}: expected a mapping of config fields, got list"),
        (
            "feature_type: kaldi-fbank\nnum_filters: eighty\n",
            "{path}: FbankConfig: num_filters must be an int, got 'eighty'",
        ),
        (
            "feature_type: kaldi-fbank\nnum_filter: 80\n",
            "{path}: FbankConfig has no field(s) ['num_filter']; valid fields",
        ),
    ],
)
def test_config_file_errors_name_the_file(tmp_path, text, message):
    path = tmp_path / "feats.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        FeatureExtractor.from_yaml(path)
    assert str(caught.value).startswith(message.format(path=path))


def test_binary_file_is_a_config_error(tmp_path):
    path = tmp_path / "feats.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ConfigError, match="not a text"):
        FeatureExtractor.from_yaml(path)
