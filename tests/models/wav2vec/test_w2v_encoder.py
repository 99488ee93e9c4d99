"""EncoderWrapper, TransformerEncoder and the sinusoidal positions."""

import math

import pytest
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.models.wav2vec import EncoderWrapper, SinusoidalPositionalEncoding, TransformerEncoder
from lhotse_lite.streaming import infer_dependency_matrix


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


class _Recorder(torch.nn.Module):
    """A latent encoder that returns its input and remembers the padding mask it got."""

    def forward(self, x, src_key_padding_mask=None):
        self.padding_mask = src_key_padding_mask
        return x, ["attention maps, as SpeechBrain encoders return"]


class _NoPositions(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()

    def forward(self, x):
        return torch.zeros_like(x)


def test_documented_example_and_parameter_count():
    encoder = TransformerEncoder(d_model=768, num_layers=4, nhead=4, d_ffn=1024)
    wrapper = EncoderWrapper(1024, 768, encoder)
    assert wrapper(torch.rand(10, 12, 1024))["embeddings"].shape == torch.Size([10, 12, 768])
    assert _num_params(wrapper) == 16_549_888  # reference-layouts.md
    # hand count per layer: attention 4 * 768^2 + 4 * 768, FFN 2 * 768 * 1024 + 1024 + 768, 2 norms
    per_layer = 4 * 768 * 768 + 4 * 768 + 2 * 768 * 1024 + 1024 + 768 + 4 * 768
    assert _num_params(encoder) == 4 * per_layer + 2 * 768


def test_wrapper_state_dict_layout():
    wrapper = EncoderWrapper(24, 16, TransformerEncoder(16, 1, 2, 32))
    shapes = {k: tuple(v.shape) for k, v in wrapper.state_dict().items() if not k.startswith("latent_encoder.")}
    assert shapes == {"mask_emb": (16,), "input_projector.weight": (16, 24), "input_projector.bias": (16,)}


def test_mask_replaces_frames_with_the_mask_embedding():
    wrapper = EncoderWrapper(4, 6, _Recorder(), positional_encoding=_NoPositions).eval()
    mask = torch.tensor([[True, False, False], [False, True, True]])
    latents = torch.randn(2, 3, 4)
    out = wrapper(latents, mask=mask)
    emb = out["embeddings"]
    torch.testing.assert_close(emb[mask], wrapper.mask_emb.expand(3, 6))
    torch.testing.assert_close(emb[~mask], wrapper.input_projector(latents)[~mask])
    assert int(out["num_masked"]) == 3
    assert float(out["ratio_masked"]) == pytest.approx(0.5)
    assert "num_masked" not in wrapper(latents)


def test_mask_embedding_gets_gradients():
    wrapper = EncoderWrapper(4, 6, TransformerEncoder(6, 1, 2, 8))
    mask = torch.zeros(2, 5, dtype=torch.bool)
    mask[:, 1] = True
    wrapper(torch.randn(2, 5, 4), mask=mask)["embeddings"].sum().backward()
    assert wrapper.mask_emb.grad.abs().sum() > 0


def test_padding_mask_from_wav_lens_rounds_like_speechbrain():
    recorder = _Recorder()
    wrapper = EncoderWrapper(4, 6, recorder).eval()
    wrapper(torch.randn(3, 10, 4), wav_lens=torch.tensor([1.0, 0.55, 0.24]))
    # round(10 * wav_lens) = 10, 6 (5.5 rounds up) and 2 real frames
    assert recorder.padding_mask.sum(dim=1).tolist() == [0, 4, 8]
    assert not recorder.padding_mask[:, :2].any()
    explicit = torch.zeros(3, 10, dtype=torch.bool)
    explicit[2, 3:] = True
    wrapper(torch.randn(3, 10, 4), padding_mask=explicit)
    assert torch.equal(recorder.padding_mask, explicit)


def test_padding_does_not_change_the_real_frames():
    torch.manual_seed(0)
    wrapper = EncoderWrapper(4, 8, TransformerEncoder(8, 2, 2, 16)).eval()
    short = torch.randn(1, 6, 4)
    padded = torch.cat([short, 100 * torch.randn(1, 4, 4)], dim=1)
    a = wrapper(short)["embeddings"]
    b = wrapper(padded, wav_lens=torch.tensor([0.6]))["embeddings"][:, :6]
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_bad_wrapper_inputs_raise():
    wrapper = EncoderWrapper(4, 6, _Recorder())
    with pytest.raises(ShapeError, match="latents"):
        wrapper(torch.randn(2, 3, 5))
    with pytest.raises(ShapeError, match="mask"):
        wrapper(torch.randn(2, 3, 4), mask=torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ShapeError, match="padding_mask"):
        wrapper(torch.randn(2, 3, 4), padding_mask=torch.zeros(2, 3))
    with pytest.raises(ConfigError, match="only one"):
        wrapper(torch.randn(2, 3, 4), wav_lens=torch.ones(2), padding_mask=torch.zeros(2, 3, dtype=torch.bool))
    with pytest.raises(ConfigError):
        EncoderWrapper(4, 6, _Recorder(), dropout_encoder_input=1.0)


def test_sinusoidal_table_hand_values_and_long_inputs():
    enc = SinusoidalPositionalEncoding(4, max_len=8)
    table = enc(torch.zeros(1, 3, 4))[0]
    for p in range(3):
        expected = [math.sin(p), math.cos(p), math.sin(p / 100), math.cos(p / 100)]
        torch.testing.assert_close(table[p], torch.tensor(expected))
    long = enc(torch.zeros(1, 20, 4))  # beyond max_len: computed on the fly
    assert long.shape == (1, 20, 4)
    torch.testing.assert_close(long[0, 19, 0], torch.tensor(math.sin(19.0)))
    assert "pe" not in enc.state_dict()


def test_transformer_causal_flag_shows_in_the_dependency_matrix():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    causal = TransformerEncoder(8, 2, 2, 16, causal=True).eval()
    full = TransformerEncoder(8, 2, 2, 16).eval()
    deps_causal = infer_dependency_matrix(causal, (1, 6, 8), generator=gen)
    deps_full = infer_dependency_matrix(full, (1, 6, 8), generator=gen)
    assert torch.equal(deps_causal, torch.ones(6, 6, dtype=torch.bool).triu())
    assert deps_full.all()


def test_transformer_dropout_makes_train_mode_non_deterministic():
    encoder = TransformerEncoder(8, 1, 2, 16, dropout=0.3).train()
    with pytest.raises(ConfigError, match="deterministic"):
        infer_dependency_matrix(encoder, (1, 4, 8))


def test_transformer_pre_norm_and_gelu_variants():
    x = torch.randn(2, 5, 8)
    for kwargs in (dict(normalize_before=True), dict(activation="gelu")):
        assert TransformerEncoder(8, 1, 2, 16, **kwargs)(x).shape == x.shape


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_transformer_torchscript_equals_eager():
    torch.manual_seed(0)
    encoder = TransformerEncoder(8, 2, 2, 16, causal=True).eval()
    scripted = torch.jit.script(encoder)
    x = torch.randn(2, 5, 8)
    padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
    torch.testing.assert_close(scripted(x, padding), encoder(x, padding))


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_wrapper_torchscript_equals_eager():
    torch.manual_seed(0)
    wrapper = EncoderWrapper(4, 8, TransformerEncoder(8, 1, 2, 16)).eval()
    scripted = torch.jit.script(wrapper)
    x = torch.randn(2, 5, 4)
    mask = torch.zeros(2, 5, dtype=torch.bool)
    mask[:, 2] = True
    wav_lens = torch.tensor([1.0, 0.6])
    a, b = wrapper(x, wav_lens=wav_lens, mask=mask), scripted(x, wav_lens=wav_lens, mask=mask)
    assert set(a) == set(b)
    for key in a:
        torch.testing.assert_close(a[key], b[key])


@pytest.mark.parametrize(
    "kwargs",
    [dict(d_model=10, nhead=3), dict(num_layers=0), dict(dropout=-0.1), dict(activation="tanh")],
)
def test_bad_transformer_configs_raise(kwargs):
    args = dict(d_model=8, num_layers=1, nhead=2, d_ffn=16)
    args.update(kwargs)
    with pytest.raises(ConfigError):
        TransformerEncoder(**args)
