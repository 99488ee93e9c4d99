"""One activation registry for every model family, each family accepting its reference's names."""

import pytest
import torch
from torch import nn

from lhotse_lite.errors import ConfigError, UnknownNameError
from lhotse_lite.models.activations import ACTIVATIONS, FAMILIES, make_activation
from lhotse_lite.models.conv_emformer import ConvEmformer
from lhotse_lite.models.matchbox import ConvBlock
from lhotse_lite.models.wav2vec import TransformerEncoder

EXPECTED_CLASSES = {
    "gelu": nn.GELU,
    "hardtanh": nn.Hardtanh,
    "identity": nn.Identity,
    "relu": nn.ReLU,
    "selu": nn.SELU,
    "silu": nn.SiLU,
    "swish": nn.SiLU,
}


def test_registry_holds_each_name_once():
    assert ACTIVATIONS.names() == sorted(EXPECTED_CLASSES)
    for name, cls in EXPECTED_CLASSES.items():
        assert type(make_activation(name, "MatchboxNet")) is cls


@pytest.mark.parametrize(
    "family, names",
    [
        ("MatchboxNet", ["gelu", "hardtanh", "identity", "relu", "selu", "silu", "swish"]),  # NeMo's Jasper names
        ("ConvEmformer", ["gelu", "relu", "silu"]),  # torchaudio's
        ("TransformerEncoder", ["gelu", "relu"]),
    ],
)
def test_each_family_accepts_its_reference_names(family, names):
    assert sorted(FAMILIES[family].names) == names
    for name in names:
        assert isinstance(make_activation(name, family), nn.Module)
        assert make_activation(name, family) is not make_activation(name, family)  # a new module each time


def test_unknown_names_raise_the_type_the_reference_raises():
    with pytest.raises(UnknownNameError, match=r"unknown MatchboxNet activation 'rleu'; did you mean 'relu'"):
        make_activation("rleu", "MatchboxNet")
    with pytest.raises(KeyError):  # NeMo looks the name up in a dict
        ConvBlock(4, 4, repeat=1, kernel_size=3, activation="tanh")
    with pytest.raises(ConfigError, match=r"unknown ConvEmformer activation 'swish'.*Available: gelu, relu, silu"):
        make_activation("swish", "ConvEmformer")
    with pytest.raises(ValueError, match="Available: gelu, relu, silu"):  # torchaudio raises ValueError
        ConvEmformer(8, 2, 16, 1, 4, 3, conv_activation="selu")
    with pytest.raises(ConfigError, match=r"unknown TransformerEncoder activation 'silu'.*Available: gelu, relu"):
        TransformerEncoder(8, 1, 2, 16, activation="silu")


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_models_with_every_family_activation_stay_scriptable():
    modules = [ConvBlock(4, 4, repeat=1, kernel_size=3, activation=name) for name in FAMILIES["MatchboxNet"].names]
    modules += [
        ConvEmformer(8, 2, 16, 1, 4, 3, ffn_activation=a, conv_activation=a).eval()
        for a in FAMILIES["ConvEmformer"].names
    ]
    for module in modules:
        torch.jit.script(module)
