"""Tests of lhotse_lite.streaming: chunking helpers and the dependency matrix."""

import sys

import pytest
import torch

from lhotse_lite.errors import ConfigError, ShapeError
from lhotse_lite.streaming import (
    infer_dependency_matrix,
    plot_dependency_matrix,
    split_fixed_chunks,
    split_wav_lens,
)


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- split_fixed_chunks


def test_split_fixed_chunks_documented_example():
    chunks = split_fixed_chunks(torch.zeros((16, 10000, 80)), 128, dim=1)
    assert len(chunks) == 79  # ceil(10000 / 128)
    assert chunks[0].shape == torch.Size([16, 128, 80])
    assert chunks[-1].shape == torch.Size([16, 16, 80])  # 10000 - 78 * 128


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_split_fixed_chunks_splits_the_requested_dim(dim):
    x = torch.arange(5 * 7 * 9).reshape(5, 7, 9)
    chunks = split_fixed_chunks(x, 3, dim=dim)
    size = x.size(dim)
    assert len(chunks) == -(-size // 3)
    for chunk in chunks[:-1]:
        assert chunk.size(dim) == 3
    assert chunks[-1].size(dim) == size - 3 * (len(chunks) - 1)
    other = [d for d in range(3) if d != dim % 3]
    for chunk in chunks:
        assert [chunk.size(d) for d in other] == [x.size(d) for d in other]
    assert torch.equal(torch.cat(chunks, dim=dim), x)


def test_split_fixed_chunks_default_dim_is_last():
    chunks = split_fixed_chunks(torch.zeros(2, 10, 5), 2)
    assert [c.shape for c in chunks] == [torch.Size([2, 10, 2])] * 2 + [torch.Size([2, 10, 1])]


def test_split_fixed_chunks_sizes_one_and_whole():
    x = torch.randn(2, 7)
    assert len(split_fixed_chunks(x, 1)) == 7
    assert len(split_fixed_chunks(x, 7)) == 1
    assert len(split_fixed_chunks(x, 100)) == 1


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_split_fixed_chunks_rejects_bad_chunk_size(bad):
    with pytest.raises(ConfigError, match="chunk_size"):
        split_fixed_chunks(torch.zeros(2, 4), bad)


def test_split_fixed_chunks_rejects_bad_dim():
    with pytest.raises(ShapeError, match="dim=3"):
        split_fixed_chunks(torch.zeros(2, 4), 2, dim=3)


# ---------------------------------------------------------------- split_wav_lens


def test_split_wav_lens_documented_example():
    chunks = split_fixed_chunks(torch.zeros((3, 20, 80)), 8, dim=1)
    lens = split_wav_lens([c.size(1) for c in chunks], torch.tensor([1.0, 0.65, 0.85]))
    # 20, 13 and 17 frames in chunks of 8, 8, 4 frames (hand computed: 5/8 = .625, 1/4 = .25)
    expected = [[1.0, 1.0, 1.0], [1.0, 0.625, 1.0], [1.0, 0.0, 0.25]]
    assert len(lens) == 3
    for got, want in zip(lens, expected):
        torch.testing.assert_close(got, torch.tensor(want))


def test_split_wav_lens_uneven_chunks():
    # 10 frames as chunks of 2, 5, 3; an utterance of 6 frames covers 2/2, 4/5, 0/3
    lens = split_wav_lens([2, 5, 3], torch.tensor([0.6]))
    torch.testing.assert_close(torch.stack(lens)[:, 0], torch.tensor([1.0, 0.8, 0.0]))


@pytest.mark.parametrize("bad", [[], [4, 0], [3, -1]])
def test_split_wav_lens_rejects_bad_chunk_lens(bad):
    with pytest.raises(ConfigError, match="chunk lengths"):
        split_wav_lens(bad, torch.tensor([1.0]))


# ---------------------------------------------------------------- infer_dependency_matrix


class _Conv(torch.nn.Module):
    """A (batch, time, feature) conv with ``left`` frames of left and ``right`` of right context."""

    def __init__(self, left: int, right: int, stride: int = 1):
        super().__init__()
        self.pad = (left, right)
        self.conv = torch.nn.Conv1d(2, 3, kernel_size=left + right + 1, stride=stride)

    def forward(self, x):
        x = torch.nn.functional.pad(x.transpose(1, 2), self.pad)
        return self.conv(x).transpose(1, 2)


def test_causal_conv_is_causal():
    torch.manual_seed(0)
    deps = infer_dependency_matrix(_Conv(left=2, right=0).eval(), (2, 10, 2), generator=_gen())
    assert deps.shape == (10, 10)
    # output j depends exactly on inputs j-2..j
    expected = torch.zeros(10, 10, dtype=torch.bool)
    for j in range(10):
        expected[max(0, j - 2) : j + 1, j] = True
    assert torch.equal(deps, expected)
    assert not deps.tril(-1).any()  # no output depends on a later input


def test_lookahead_conv_is_not_causal():
    torch.manual_seed(0)
    deps = infer_dependency_matrix(_Conv(left=1, right=1).eval(), (1, 8, 2), generator=_gen())
    future = [(i, j) for i in range(8) for j in range(8) if i > j and deps[i, j]]
    assert future == [(j + 1, j) for j in range(7)]


def test_bidirectional_rnn_depends_on_everything_unidirectional_does_not():
    torch.manual_seed(0)
    bi = torch.nn.GRU(2, 4, batch_first=True, bidirectional=True).eval()
    uni = torch.nn.GRU(2, 4, batch_first=True).eval()
    deps_bi = infer_dependency_matrix(bi, (1, 6, 2), generator=_gen())  # returns (out, h): first is used
    deps_uni = infer_dependency_matrix(uni, (1, 6, 2), generator=_gen())
    assert deps_bi.all()
    assert torch.equal(deps_uni, torch.ones(6, 6, dtype=torch.bool).triu())


def test_attention_with_and_without_causal_mask():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True).eval()
    causal = torch.nn.Transformer.generate_square_subsequent_mask(7)
    deps_full = infer_dependency_matrix(layer, (1, 7, 8), generator=_gen())
    deps_causal = infer_dependency_matrix(lambda x: layer(x, src_mask=causal), (1, 7, 8), generator=_gen())
    assert deps_full.all()
    assert torch.equal(deps_causal, torch.ones(7, 7, dtype=torch.bool).triu())


def test_dropout_in_train_mode_is_rejected():
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Dropout(0.5)).train()
    with pytest.raises(ConfigError, match="deterministic"):
        infer_dependency_matrix(model, (2, 5, 3))
    # the same model in eval mode is fine and frame-wise
    deps = infer_dependency_matrix(model.eval(), (2, 5, 3), generator=_gen())
    assert torch.equal(deps, torch.eye(5, dtype=torch.bool))


def test_raw_audio_shape_and_in_stride():
    torch.manual_seed(0)
    # (batch, samples) -> (batch, frames, 4): causal strided conv, 4 samples per frame, no overlap
    conv = torch.nn.Conv1d(1, 4, kernel_size=4, stride=4)
    model = lambda x: conv(x.unsqueeze(1)).transpose(1, 2)  # noqa: E731
    deps = infer_dependency_matrix(model, (1, 16), in_stride=2, generator=_gen())
    assert deps.shape == (8, 4)  # inputs 0, 2, ..., 14
    expected = torch.zeros(8, 4, dtype=torch.bool)
    for row in range(8):
        expected[row, (2 * row) // 4] = True
    assert torch.equal(deps, expected)


def test_generator_makes_it_reproducible_and_trials_only_add():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()).eval()
    a = infer_dependency_matrix(model, (1, 5, 2), generator=_gen(3))
    b = infer_dependency_matrix(model, (1, 5, 2), generator=_gen(3))
    c = infer_dependency_matrix(model, (1, 5, 2), num_trials=4, generator=_gen(3))
    assert torch.equal(a, b)
    assert not (a & ~c).any()


@pytest.mark.parametrize(
    "kwargs",
    [dict(seq_shape=(4,)), dict(seq_shape=(1, 0, 2)), dict(in_stride=0), dict(num_trials=0)],
)
def test_infer_dependency_matrix_rejects_bad_arguments(kwargs):
    args = dict(seq_shape=(1, 4, 2))
    args.update(kwargs)
    with pytest.raises(ConfigError):
        infer_dependency_matrix(lambda x: x, **args)


def test_infer_dependency_matrix_rejects_non_sequence_output():
    with pytest.raises(ShapeError, match="batch, time"):
        infer_dependency_matrix(lambda x: x.sum(), (1, 4, 2))


# ---------------------------------------------------------------- plot_dependency_matrix


def test_plot_dependency_matrix_makes_a_figure(tmp_path):
    pytest.importorskip("matplotlib")
    deps = torch.ones(5, 3, dtype=torch.bool).tril()
    fig = plot_dependency_matrix(deps)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("input frame", "output frame")
    mesh = ax.collections[0]
    # transposed: rows are output frames, columns input frames
    assert mesh.get_array().reshape(3, 5).tolist() == deps.T.float().tolist()
    fig.savefig(tmp_path / "deps.png")
    assert (tmp_path / "deps.png").stat().st_size > 0


def test_plot_dependency_matrix_without_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.colors", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"lhotse_lite\[plot\]"):
        plot_dependency_matrix(torch.ones(2, 2, dtype=torch.bool))


def test_plot_dependency_matrix_rejects_non_matrix():
    pytest.importorskip("matplotlib")
    with pytest.raises(ShapeError):
        plot_dependency_matrix(torch.ones(2, dtype=torch.bool))
