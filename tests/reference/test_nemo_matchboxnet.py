"""MatchboxNet == NeMo 3.0.0's ``ConvASREncoder`` + ``ConvASRDecoderClassification`` (Jasper blocks), on
random weights and batch-norm statistics loaded into both.

The reference is NeMo's own ``jasper.py`` and ``conv_asr.py``, loaded from its wheel below stand-ins for
NeMo's registries and mixins (see ``reference_code.py``).
"""

import dataclasses

import pytest
import torch

from lhotse_lite.models.matchbox import (
    BlockConfig,
    ConvASRDecoderClassification,
    ConvASREncoder,
    MatchboxNet,
    matchboxnet_blocks,
)
from tests.reference.reference_code import nemo

# NeMo's jasper.py compiles helpers with torch.jit.script when it is imported.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

TOLERANCE = 1e-4  # float32; the worst differences measured are quoted in docs/models_matchboxnet.rst


def _nemo_entry(block: BlockConfig) -> dict:
    """A NeMo ``jasper`` YAML entry for a block (lists for kernel, stride and dilation, as NeMo writes)."""
    entry = dataclasses.asdict(block)
    for name in ("kernel", "stride", "dilation"):
        entry[name] = [entry[name]]
    if entry["residual_mode"] is None:
        del entry["residual_mode"]
    return entry


# Every ConvBlock option NeMo's MatchboxNet/QuartzNet configs use: the presets, then strides with
# "stride_add" residuals and stride_last, channel groups with their shuffle, shared depthwise heads,
# dilation, kernel scaling, dense residuals, and each normalisation.
CUSTOM = [
    BlockConfig(filters=32, kernel=11, stride=2, separable=True),
    BlockConfig(
        filters=32,
        repeat=2,
        kernel=7,
        stride=2,
        residual=True,
        residual_mode="stride_add",
        separable=True,
        stride_last=True,
    ),
    BlockConfig(
        filters=32, repeat=2, kernel=9, residual=True, separable=True, groups=2, heads=4, kernel_size_factor=0.5
    ),
    BlockConfig(filters=48, repeat=2, kernel=5, dilation=2, residual=True, residual_dense=True),
    BlockConfig(filters=48, repeat=1, kernel=1, residual_dense=True),
]
CONFIGS = {
    "3x1x64": dict(blocks=matchboxnet_blocks(3, 1, 64), activation="relu", feat_in=64),
    "3x2x64_selu": dict(blocks=matchboxnet_blocks(3, 2, 64, kernel_size_factor=0.75), activation="selu", feat_in=64),
    "strided_grouped_batch": dict(blocks=CUSTOM, activation="swish", feat_in=20),
    "strided_grouped_group_norm": dict(
        blocks=CUSTOM, activation="hardtanh", feat_in=20, normalization_mode="group", norm_groups=4
    ),
    "layer_norm_no_mask": dict(
        blocks=[BlockConfig(filters=32, repeat=2, kernel=9, residual=True, separable=True, groups=2), *CUSTOM[3:]],
        activation="gelu",
        feat_in=32,
        normalization_mode="layer",
        conv_mask=False,
    ),
    "instance_norm": dict(blocks=CUSTOM[:3], activation="relu", feat_in=20, normalization_mode="instance"),
}


def _randomised(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Random weights, norm gains and biases, and batch-norm running statistics."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.1 * torch.randn(parameter.shape, generator=generator))
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.running_mean.normal_(0.0, 0.1, generator=generator)
                module.running_var.uniform_(0.5, 1.5, generator=generator)
    return model


class _NeMoModel(torch.nn.Module):
    """NeMo's encoder and decoder under the attribute names of its classification model."""

    def __init__(self, encoder: torch.nn.Module, decoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder


def _models(name: str, num_classes: int = 12, seed: int = 0):
    config = dict(CONFIGS[name])
    blocks = config.pop("blocks")
    nemo_code = nemo()
    torch.manual_seed(seed)
    nemo_encoder = nemo_code.conv_asr.ConvASREncoder([_nemo_entry(b) for b in blocks], **config)
    nemo_decoder = nemo_code.conv_asr.ConvASRDecoderClassification(blocks[-1].filters, num_classes)
    reference = _randomised(_NeMoModel(nemo_encoder, nemo_decoder), seed)
    encoder = ConvASREncoder(blocks=blocks, **config)
    ours = MatchboxNet(encoder, ConvASRDecoderClassification(encoder.feat_out, num_classes), pool_valid_frames=False)
    ours.load_state_dict(reference.state_dict(), strict=True)
    return reference, ours


def _batch(feat_in: int, seed: int = 1):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(4, feat_in, 61, generator=generator), torch.tensor([61, 50, 23, 7])


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_encoder_and_decoder_match_nemo(name, training):
    reference, ours = _models(name)
    reference.train(training), ours.train(training)
    x, lengths = _batch(ours.encoder.feat_in)
    with torch.no_grad():
        expected, expected_lengths = reference.encoder(x, lengths)
        actual, actual_lengths = ours.encoder(x, lengths)
        assert torch.equal(actual_lengths, expected_lengths)
        torch.testing.assert_close(actual, expected, rtol=0.0, atol=TOLERANCE)
        torch.testing.assert_close(ours(x, lengths), reference.decoder(expected), rtol=0.0, atol=TOLERANCE)


@pytest.mark.parametrize("name", ["3x1x64", "strided_grouped_batch"])
def test_our_weights_load_into_nemo_and_give_the_same_logits(name):
    reference, ours = _models(name)
    _randomised(ours, seed=5)
    reference.load_state_dict(ours.state_dict(), strict=True)
    reference.eval(), ours.eval()
    x, lengths = _batch(ours.encoder.feat_in)
    with torch.no_grad():
        expected = reference.decoder(reference.encoder(x, lengths)[0])
        torch.testing.assert_close(ours(x, lengths), expected, rtol=0.0, atol=TOLERANCE)


def test_max_pooling_decoder_matches_nemo():
    torch.manual_seed(0)
    reference = nemo().conv_asr.ConvASRDecoderClassification(16, 5, pooling_type="max", return_logits=False)
    ours = ConvASRDecoderClassification(16, 5, pooling_type="max", return_logits=False)
    ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(3, 16, 9)
    torch.testing.assert_close(ours(x), reference(x), rtol=0.0, atol=TOLERANCE)
