"""GumbelVectorQuantizer and W2VTargetQuantiser: counts, state-dict layout, hard/soft selection."""

import math

import pytest
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec import GumbelVectorQuantizer, W2VTargetQuantiser
from lhotse_lite.models.wav2vec.quantiser import perplexity


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


def test_target_quantiser_documented_example_and_counts():
    quantiser = W2VTargetQuantiser()
    targets, meta = quantiser(torch.rand(10, 12, 512))
    assert targets.shape == torch.Size([10, 12, 256])
    assert set(meta) == {"diversity_loss", "code_perplex", "prob_perplex", "num_vars", "temp"}
    # reference-layouts.md: 476,033 parameters, counting the 1-element max_ent parameter
    assert _num_params(quantiser) == 476_033


def test_target_quantiser_state_dict_layout():
    shapes = {k: tuple(v.shape) for k, v in W2VTargetQuantiser().state_dict().items()}
    # reference-layouts.md (G = 2 groups, V = 320 codewords, vq_dim = 256, in = 512)
    assert shapes == {
        "quantiser.vars": (1, 640, 128),
        "quantiser.max_ent": (),
        "quantiser.weight_proj.weight": (640, 512),
        "quantiser.weight_proj.bias": (640,),
        "proj.weight": (256, 256),
        "proj.bias": (256,),
    }


def test_gumbel_quantizer_documented_example_and_count():
    quantiser = GumbelVectorQuantizer(128, 100, (2.0, 0.25, 0.999995), 2, 50)
    assert quantiser(torch.rand(10, 12, 128))["x"].shape == torch.Size([10, 12, 50])
    assert _num_params(quantiser) == 30_801  # reference-layouts.md


def test_max_ent_is_a_frozen_log_codebook_size():
    quantiser = GumbelVectorQuantizer(8, 5, (2.0, 0.5, 0.9), 3, 6)
    assert not quantiser.max_ent.requires_grad
    assert float(quantiser.max_ent) == pytest.approx(math.log(15))


def test_eval_picks_the_argmax_codeword_of_every_group():
    torch.manual_seed(0)
    quantiser = GumbelVectorQuantizer(6, 4, (2.0, 0.5, 0.9), 2, 10).eval()
    x = torch.randn(2, 3, 6)
    out = quantiser(x)["x"]
    logits = quantiser.weight_proj(x).view(2, 3, 2, 4)
    codebooks = quantiser.vars.view(2, 4, 5)
    for g in range(2):
        chosen = codebooks[g][logits[..., g, :].argmax(-1)]  # (2, 3, 5)
        torch.testing.assert_close(out[..., 5 * g : 5 * (g + 1)], chosen)


def test_training_is_one_hot_forward_with_gradients_to_the_projection():
    torch.manual_seed(0)
    quantiser = GumbelVectorQuantizer(6, 4, (2.0, 0.5, 0.9), 2, 10).train()
    out = quantiser(torch.randn(2, 3, 6))["x"]
    codebooks = quantiser.vars.view(2, 4, 5).detach()
    for g in range(2):
        part = out[..., 5 * g : 5 * (g + 1)].detach().reshape(-1, 1, 5)
        # every output group is exactly one of its group's codewords
        assert ((part - codebooks[g]).abs().amax(-1) < 1e-6).any(-1).all()
    out.sum().backward()
    assert quantiser.weight_proj.weight.grad.abs().sum() > 0
    assert quantiser.vars.grad.abs().sum() > 0


def test_metrics_and_diversity_loss():
    torch.manual_seed(0)
    quantiser = W2VTargetQuantiser(16, 8, num_vars=5).eval()
    with torch.no_grad():
        _, meta = quantiser(torch.randn(4, 7, 16))
    assert float(meta["num_vars"]) == 10
    assert 2.0 <= float(meta["code_perplex"]) <= 10.0 + 1e-4  # between G and G * V
    assert 2.0 <= float(meta["prob_perplex"]) <= 10.0 + 1e-4
    expected = (10 - float(meta["prob_perplex"])) / 10  # the paper's diversity loss (eq. 4)
    assert float(meta["diversity_loss"]) == pytest.approx(expected)
    assert float(meta["temp"]) == 2.0


def test_perplexity_hand_values():
    assert float(perplexity(torch.tensor([[1.0, 0.0, 0.0, 0.0]]))) == pytest.approx(1.0, abs=1e-5)
    assert float(perplexity(torch.full((2, 4), 0.25))) == pytest.approx(8.0, abs=1e-4)
    # two codewords with p = (.5, .5) in one group and a certain one in the other: 2 + 1
    probs = torch.tensor([[0.5, 0.5], [1.0, 0.0]])
    assert float(perplexity(probs)) == pytest.approx(3.0, abs=1e-4)


def test_temperature_schedule():
    quantiser = W2VTargetQuantiser()
    assert quantiser.quantiser.curr_temp == 2.0
    quantiser.update_temp(100_000)
    assert quantiser.quantiser.curr_temp == pytest.approx(2.0 * 0.999995**100_000)  # 1.213
    quantiser.update_temp(10_000_000)
    assert quantiser.quantiser.curr_temp == 0.25
    _, meta = quantiser(torch.rand(1, 2, 512))
    assert float(meta["temp"]) == 0.25


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_torchscript_equals_eager_in_eval():
    torch.manual_seed(0)
    quantiser = W2VTargetQuantiser(16, 8, num_vars=5).eval()
    scripted = torch.jit.script(quantiser)
    x = torch.randn(2, 3, 16)
    (a, meta_a), (b, meta_b) = quantiser(x), scripted(x)
    torch.testing.assert_close(a, b)
    for key in meta_a:
        torch.testing.assert_close(meta_a[key], meta_b[key])
    scripted.update_temp(10)
    assert float(scripted(x)[1]["temp"]) == pytest.approx(2.0 * 0.999995**10)


@pytest.mark.parametrize(
    "args",
    [
        (8, 4, (2.0, 0.5, 0.9), 2, 5),
        (8, 0, (2.0, 0.5, 0.9), 2, 4),
        (8, 4, (2.0, 0.5), 2, 4),
        (8, 4, (0.5, 2.0, 0.9), 2, 4),
    ],
)
def test_bad_quantizer_configs_raise(args):
    with pytest.raises(ConfigError):
        GumbelVectorQuantizer(*args)


def test_wrong_input_shape_raises():
    with pytest.raises(ShapeError, match="batch, time, 8"):
        GumbelVectorQuantizer(8, 4, (2.0, 0.5, 0.9), 2, 4)(torch.randn(2, 3, 7))
