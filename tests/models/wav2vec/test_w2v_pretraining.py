"""The wav2vec 2.0 loss helpers and a few pre-training steps on tiny synthetic audio."""

import math

import pytest
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec import (
    EncoderWrapper,
    TransformerEncoder,
    W2VLatentExtractor,
    W2VTargetQuantiser,
    contrastive_loss,
    sample_negatives,
    w2v_mask_collate_fn,
    w2v_pretraining_loss,
)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- contrastive_loss


def test_contrastive_loss_hand_value():
    x = torch.tensor([[1.0, 0.0]])
    target = torch.tensor([[2.0, 0.0]])  # cosine 1
    negs = torch.tensor([[[0.0, 3.0]], [[-1.0, 0.0]]])  # cosines 0 and -1
    loss, accuracy = contrastive_loss(x, target, negs, temperature=0.5)
    # logits 2, 0, -2: -log(e^2 / (e^2 + 1 + e^-2))
    expected = -math.log(math.exp(2) / (math.exp(2) + 1 + math.exp(-2)))
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    assert float(accuracy) == 1.0


def test_negatives_equal_to_the_target_are_ignored():
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    target = torch.tensor([[0.0, 1.0], [0.0, 1.0]])
    negs = target.unsqueeze(0).repeat(3, 1, 1)
    negs[0, 0] = torch.tensor([1.0, 0.0])  # one real negative for frame 0, none for frame 1
    loss, accuracy = contrastive_loss(x, target, negs, temperature=1.0)
    # frame 0: logits 0 (target) vs 1 (negative): -log(1 / (1 + e)); frame 1: only the target, loss 0
    expected = 0.5 * -math.log(1.0 / (1.0 + math.e))
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    assert float(accuracy) == 0.5


def test_contrastive_loss_bad_arguments():
    with pytest.raises(ShapeError):
        contrastive_loss(torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(2, 3, 5))
    with pytest.raises(ConfigError):
        contrastive_loss(torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(2, 3, 4), temperature=0.0)


# ---------------------------------------------------------------- w2v_pretraining_loss


def test_pretraining_loss_equals_the_steps_done_by_hand():
    torch.manual_seed(0)
    emb, targets = torch.randn(2, 8, 4), torch.randn(2, 8, 4)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[0, [1, 2, 5]] = True
    mask[1, [0, 7, 3]] = True
    out = w2v_pretraining_loss(emb, targets, mask, torch.tensor(0.3), num_negatives=5, generator=_gen(1))
    y = torch.stack([targets[0, [1, 2, 5]], targets[1, [0, 3, 7]]])  # masked frames in time order
    x = torch.stack([emb[0, [1, 2, 5]], emb[1, [0, 3, 7]]])
    negs = sample_negatives(y, 5, sample_lens=[3, 3], generator=_gen(1))
    loss, accuracy = contrastive_loss(x, y, negs, temperature=0.1)
    torch.testing.assert_close(out["contrastive_loss"], loss)
    torch.testing.assert_close(out["loss"], loss + 0.1 * 0.3)
    torch.testing.assert_close(out["accuracy"], accuracy)
    assert int(out["num_masked"]) == 6


def test_pretraining_loss_with_unequal_mask_counts():
    y = torch.randn(2, 10, 4)
    mask = torch.zeros(2, 10, dtype=torch.bool)
    mask[0, :6] = True
    mask[1, 4:6] = True
    out = w2v_pretraining_loss(y, y, mask, num_negatives=3, generator=_gen())
    assert int(out["num_masked"]) == 8
    assert float(out["accuracy"]) == 1.0
    with pytest.raises(ShapeError, match="same number"):
        w2v_pretraining_loss(y, y, mask, num_negatives=3, speechbrain_compat=True)


def test_pretraining_loss_errors():
    y = torch.randn(2, 10, 4)
    mask = torch.zeros(2, 10, dtype=torch.bool)
    mask[:, 0] = True
    with pytest.raises(ShapeError, match="at least 2"):
        w2v_pretraining_loss(y, y, mask)
    with pytest.raises(ShapeError, match="project"):
        w2v_pretraining_loss(torch.randn(2, 10, 8), y, mask)


# ---------------------------------------------------------------- a few pre-training steps


def _synthetic_audio(gen, lengths, sampling_rate=1600):
    """Sums of two sinusoids with random frequencies, plus a little noise."""
    out = []
    for n in lengths:
        t = torch.arange(n) / sampling_rate
        freqs = torch.rand(2, generator=gen) * 300 + 50
        sig = torch.sin(2 * math.pi * freqs[0] * t) + 0.5 * torch.sin(2 * math.pi * freqs[1] * t)
        out.append(sig + 0.05 * torch.randn(n, generator=gen))
    return out


def test_a_few_pretraining_steps_lower_the_loss():
    torch.manual_seed(0)
    extractor = W2VLatentExtractor([32, 32, 32], [10, 3, 3], [5, 2, 2])
    quantiser = W2VTargetQuantiser(32, 16, num_vars=16, temperature_decay=(2.0, 0.5, 0.99))
    wrapper = EncoderWrapper(32, 32, TransformerEncoder(32, 1, 4, 64), dropout_encoder_input=0.0)
    final_proj = torch.nn.Linear(32, 16)
    modules = torch.nn.ModuleList([extractor, quantiser, wrapper, final_proj])
    optimiser = torch.optim.Adam(modules.parameters(), lr=5e-3)

    signals = _synthetic_audio(_gen(0), [800, 600, 400, 800])
    wavs, _wav_lens, mask = w2v_mask_collate_fn(
        signals, extractor.get_output_lengths, mask_prob=0.5, mask_length=4, generator=_gen(1)
    )
    latent_lens = extractor.get_output_lengths(torch.tensor([s.numel() for s in signals]))
    num_negatives = 10
    losses, contrastive = [], []
    for step in range(20):
        latents = extractor(wavs)
        padding = torch.arange(latents.size(1)).unsqueeze(0) >= latent_lens.unsqueeze(1)
        embeddings = final_proj(wrapper(latents, padding_mask=padding, mask=mask)["embeddings"])
        targets, meta = quantiser(latents)
        out = w2v_pretraining_loss(
            embeddings, targets, mask, meta["diversity_loss"], num_negatives=num_negatives, generator=_gen(2)
        )
        optimiser.zero_grad()
        out["loss"].backward()
        optimiser.step()
        quantiser.update_temp(step + 1)
        losses.append(float(out["loss"].detach()))
        contrastive.append(float(out["contrastive_loss"].detach()))
    assert all(math.isfinite(v) for v in losses)
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < 0.85 * first, losses
    # and the contrastive task is learnt: below chance, -log(1 / (1 + K))
    assert sum(contrastive[-3:]) / 3 < math.log(1 + num_negatives), contrastive
