"""W2VLatentExtractor: documented shapes and counts, an independent functional check, TorchScript."""

import pytest
import torch
import torch.nn.functional as F

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec import W2VLatentExtractor
from lhotse_lite.streaming import infer_dependency_matrix


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


def test_documented_example_shape_and_parameter_count():
    extractor = W2VLatentExtractor()
    assert extractor(torch.rand(10, 5000)).shape == torch.Size([10, 14, 512])
    # reference-layouts.md: SpeechBrain's W2VLatentExtractor() has 4,732,416 parameters
    assert _num_params(extractor) == 4_732_416


def test_get_output_lengths_published_table():
    # reference-layouts.md: 400 -> 0, 1000 -> 2, 5000 -> 14, 16000 -> 48, 160000 -> 498
    lengths = W2VLatentExtractor().get_output_lengths(torch.tensor([400, 1000, 5000, 16000, 160000]))
    assert lengths.tolist() == [0, 2, 14, 48, 498]
    assert lengths.dtype == torch.long


def test_output_lengths_agree_with_forward():
    extractor = W2VLatentExtractor([8, 8, 8], [10, 3, 3], [5, 2, 2]).eval()
    # receptive field: 10 + 5 * (3 - 1) + 10 * (3 - 1) = 40 samples
    for samples in (40, 41, 49, 50, 100, 401, 1234):
        frames = extractor(torch.randn(1, samples)).shape[1]
        assert frames == int(extractor.get_output_lengths(torch.tensor(samples)))
    assert int(extractor.get_output_lengths(torch.tensor(39))) == 0
    with pytest.raises(ShapeError, match="too short"):
        extractor(torch.randn(1, 39))


def test_matches_a_functional_reimplementation():
    torch.manual_seed(0)
    extractor = W2VLatentExtractor([6, 5, 4], [7, 3, 2], [3, 2, 1]).eval()
    x = torch.randn(3, 300)
    # conv (no bias) -> layer norm over channels -> GELU, per block; then a final layer norm
    h = F.layer_norm(x, x.shape[1:]).unsqueeze(1)
    for block in extractor.blocks:
        h = F.conv1d(h, block.conv.weight, stride=block.conv.stride)
        h = F.layer_norm(h.transpose(1, 2), (h.size(1),), block.norm.weight, block.norm.bias)
        h = F.gelu(h).transpose(1, 2)
    expected = F.layer_norm(h.transpose(1, 2), (4,), extractor.norm.weight, extractor.norm.bias)
    torch.testing.assert_close(extractor(x), expected)


def test_normalize_signal_makes_it_scale_invariant():
    extractor = W2VLatentExtractor([8, 8], [5, 3], [2, 2]).eval()
    x = torch.randn(2, 200)
    torch.testing.assert_close(extractor(x), extractor(7.0 * x + 3.0), atol=1e-5, rtol=1e-4)
    assert not torch.allclose(extractor(x, normalize_signal=False), extractor(7.0 * x, normalize_signal=False))


def test_batched_equals_one_by_one():
    extractor = W2VLatentExtractor([8, 8], [5, 3], [2, 2]).eval()
    x = torch.randn(3, 160)
    one_by_one = torch.cat([extractor(x[i : i + 1]) for i in range(3)])
    torch.testing.assert_close(extractor(x), one_by_one)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_torchscript_equals_eager():
    torch.manual_seed(0)
    extractor = W2VLatentExtractor([16, 16, 16], [10, 3, 3], [5, 2, 2]).eval()
    scripted = torch.jit.script(extractor)
    x = torch.randn(2, 1000)
    torch.testing.assert_close(scripted(x), extractor(x))
    torch.testing.assert_close(scripted(x, False), extractor(x, normalize_signal=False))
    lengths = torch.tensor([1000, 10, 0])
    assert torch.equal(scripted.get_output_lengths(lengths), extractor.get_output_lengths(lengths))


def test_frames_depend_only_on_their_receptive_field():
    # without whole-signal normalisation every frame sees a window of 10 + 2 * 5 = 20 samples,
    # starting at its stride (5 * 2 = 10 samples per frame)
    extractor = W2VLatentExtractor([4, 4], [10, 3], [5, 2]).eval()
    deps = infer_dependency_matrix(
        lambda x: extractor(x, normalize_signal=False), (1, 60), generator=torch.Generator().manual_seed(0)
    )
    for frame in range(deps.shape[1]):
        assert torch.nonzero(deps[:, frame]).flatten().tolist() == list(range(10 * frame, 10 * frame + 20))


@pytest.mark.parametrize("conv_init", ["kaiming", "normal", "zero", None])
def test_conv_inits(conv_init):
    extractor = W2VLatentExtractor([4, 4], [3, 3], [1, 1], conv_init=conv_init)
    weight = extractor.blocks[0].conv.weight
    if conv_init == "zero":
        assert not weight.any()
    elif conv_init == "normal":
        assert weight.abs().max() < 1e-4
    else:
        assert weight.std() > 1e-2


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(out_channels=[4, 4], kernel_sizes=[3], strides=[1, 1]),
        dict(out_channels=[], kernel_sizes=[], strides=[]),
        dict(out_channels=[4], kernel_sizes=[0], strides=[1]),
        dict(out_channels=[4], kernel_sizes=[3], strides=[1], dropout=1.0),
        dict(out_channels=[4], kernel_sizes=[3], strides=[1], conv_init="xavier"),
    ],
)
def test_bad_configs_raise(kwargs):
    with pytest.raises(ConfigError):
        W2VLatentExtractor(**kwargs)


def test_wrong_input_rank_raises():
    with pytest.raises(ShapeError, match=r"\(batch, samples\)"):
        W2VLatentExtractor([4], [3], [1])(torch.randn(100))
