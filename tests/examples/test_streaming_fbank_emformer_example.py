"""The streaming example: filterbank + ConvEmformer block by block == the offline path."""

import importlib.util
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "streaming_fbank_emformer", REPO / "examples" / "streaming_fbank_emformer.py"
)
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)

SMALL = dict(
    num_filters=40,
    num_heads=2,
    ffn_dim=64,
    num_layers=2,
    segment_length=8,
    kernel_size=5,
    left_context_length=4,
    right_context_length=2,
    max_memory_size=2,
)


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    return example.StreamingEncoder(*example.build_models(**SMALL))


@pytest.mark.parametrize("seconds, block_size", [(0.03, 1), (0.3, 777), (0.3, 1600), (0.3, 4800), (0.3, 20000)])
def test_streamed_outputs_equal_offline(encoder, seconds, block_size):
    audio = torch.randn(1, int(seconds * 16000), generator=torch.Generator().manual_seed(1)) * 0.1
    streamed = encoder.stream(audio, block_size)
    offline = encoder.offline(audio)
    assert streamed.shape == offline.shape == (1, round(seconds * 100), 40)
    torch.testing.assert_close(streamed, offline, rtol=1e-5, atol=1e-5)


def test_state_is_explicit_and_frames_are_emitted_as_segments_complete(encoder):
    audio = torch.randn(1, 16000) * 0.1
    state = encoder.initial_state()
    # snip_edges=False: frame i spans samples [160 i - 120, 160 i + 280), so 1000 samples complete
    # frames 0..4 and 2400 samples frames 0..13
    out, state = encoder.step(audio[:, :1000], state)  # 5 frames < S + R = 10: no segment yet
    assert out.shape == (1, 0, 40) and state.frames_in == 5 and state.layer_states is None
    out, state = encoder.step(audio[:, 1000:2400], state)  # 14 frames >= S + R: one segment out
    assert out.shape == (1, 8, 40) and state.frames_in == 14 and state.buffer.shape[1] == 6
    assert len(state.layer_states) == 2


def test_measure_reports_latency_rtf_and_equality(encoder):
    audio = torch.randn(1, 8000) * 0.1
    report = example.measure(encoder, audio, block_size=1600)
    assert report["blocks"] == 5 and report["frames"] == 50
    assert report["max_abs_diff"] < 1e-5
    assert 0 < report["median_ms"] <= report["max_ms"] and report["rtf"] > 0


def test_demo_utterance_streams_like_offline_with_the_default_model():
    if not example.DEMO_UTTERANCE.is_file():
        pytest.skip("demo LibriSpeech utterance not present")
    import soundfile

    samples, rate = soundfile.read(str(example.DEMO_UTTERANCE), dtype="float32")
    audio = torch.from_numpy(samples[: rate // 2]).unsqueeze(0)  # 0.5 s keeps the test short
    torch.manual_seed(0)
    encoder = example.StreamingEncoder(*example.build_models())
    report = example.measure(encoder, audio, block_size=2560)
    assert report["frames"] == 50
    assert report["max_abs_diff"] < 1e-4


def test_main_prints_the_table(capsys):
    if not example.DEMO_UTTERANCE.is_file():
        pytest.skip("demo LibriSpeech utterance not present")
    assert example.main(["--block-ms", "160"]) == 0
    out = capsys.readouterr().out
    assert "RTF" in out and "160.0" in out
