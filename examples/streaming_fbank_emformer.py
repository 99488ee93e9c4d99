"""Streaming a recording through ``Wav2LogFilterBank.online_inference`` and ``ConvEmformer.infer``.

Audio arrives in blocks of any size. Each block goes through the filterbank's ``online_inference``
(which returns the frames the new samples complete and a remainder to pass back); the frames are
buffered until one segment of ``S`` frames plus ``R`` look-ahead frames is there, then
``ConvEmformer.infer`` encodes the segment. At the end of the stream, the filterbank's ``flush`` emits
its last frames and the buffered frames are encoded as zero-padded segments with their valid lengths.
The concatenated outputs equal the offline path (``model(fbank(audio) padded, lengths)``).

All streaming state is explicit: :class:`StreamState` goes in and out of :meth:`StreamingEncoder.step`.

Run it (prints the per-block compute latency, the real-time factor and the difference to the offline
path; results are in ``docs/end_to_end.rst``)::

    python examples/streaming_fbank_emformer.py                       # a demo LibriSpeech utterance
    python examples/streaming_fbank_emformer.py some.flac --block-ms 10 40 160 --threads 1

The model has random weights: the point is the plumbing, the equality and the cost, not the output.

Example:
    >>> import torch
    >>> torch.manual_seed(0) is not None
    True
    >>> encoder = StreamingEncoder(*build_models(num_filters=40, num_layers=2, ffn_dim=64, segment_length=8,
    ...                                          right_context_length=2))
    >>> audio = torch.randn(1, 8000) * 0.1
    >>> streamed = encoder.stream(audio, block_size=777)
    >>> offline = encoder.offline(audio)
    >>> streamed.shape, bool(torch.allclose(streamed, offline, atol=1e-5))
    (torch.Size([1, 50, 40]), True)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch

from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank
from lhotse_lite.models.conv_emformer import ConvEmformer, ConvEmformerLayerState

__all__ = ["StreamState", "StreamingEncoder", "build_models", "measure", "main"]

REPO = Path(__file__).resolve().parent.parent
DEMO_UTTERANCE = REPO / "demo_data" / "LibriSpeech" / "dev-clean-demo" / "1001" / "2001" / "1001-2001-0000.flac"


class StreamState(NamedTuple):
    """What the stream carries between blocks.

    Attributes:
        fbank_context: The filterbank's remainder samples ``(1, n)`` (``None`` before the first block).
        buffer: Feature frames ``(1, frames, num_filters)`` not yet encoded (at most ``S + R - 1``
            after a step, the last ``R`` of them already seen as look-ahead).
        layer_states: One :class:`ConvEmformerLayerState` per layer (``None`` before the first segment).
        frames_in: Feature frames produced so far.
    """

    fbank_context: Optional[torch.Tensor]
    buffer: torch.Tensor
    layer_states: Optional[List[ConvEmformerLayerState]]
    frames_in: int


def build_models(
    num_filters: int = 80,
    num_heads: int = 4,
    ffn_dim: int = 512,
    num_layers: int = 6,
    segment_length: int = 16,
    kernel_size: int = 8,
    left_context_length: int = 32,
    right_context_length: int = 4,
    max_memory_size: int = 4,
) -> Tuple[Wav2LogFilterBank, ConvEmformer]:
    """A 16 kHz Kaldi filterbank (10 ms frames) and a ConvEmformer over its frames (eval mode).

    Returns:
        ``(fbank, model)``; the defaults give 160 ms segments with 40 ms look-ahead.
    """
    fbank = Wav2LogFilterBank(num_filters=num_filters)
    model = ConvEmformer(
        num_filters,
        num_heads,
        ffn_dim,
        num_layers,
        segment_length,
        kernel_size,
        left_context_length=left_context_length,
        right_context_length=right_context_length,
        max_memory_size=max_memory_size,
    )
    return fbank, model.eval()


class StreamingEncoder:
    """Filterbank + ConvEmformer, offline and block by block (outputs: one ``(1, frames, D)`` row per frame).

    Args:
        fbank: The feature layer (``online_inference``/``flush``).
        model: The encoder (``infer``); ``model.input_dim`` must equal the number of filters.
    """

    def __init__(self, fbank: Wav2LogFilterBank, model: ConvEmformer) -> None:
        self.fbank = fbank
        self.model = model
        self.S = model.segment_length
        self.R = model.right_context_length

    def initial_state(self) -> StreamState:
        """The state of a new stream."""
        return StreamState(None, torch.zeros(1, 0, self.model.input_dim), None, 0)

    @torch.no_grad()
    def step(self, samples: torch.Tensor, state: StreamState) -> Tuple[torch.Tensor, StreamState]:
        """Feeds one block of audio ``(1, n)``; returns the encoder frames it completes and the new state."""
        (feats, _), context = self.fbank.online_inference(samples, state.fbank_context)
        buffer = torch.cat([state.buffer, feats], dim=1)
        layer_states = state.layer_states
        outputs = []
        chunk = self.S + self.R
        while buffer.size(1) >= chunk:
            out, _, layer_states = self.model.infer(buffer[:, :chunk], torch.tensor([chunk]), layer_states)
            outputs.append(out)
            buffer = buffer[:, self.S :]
        new_state = StreamState(context, buffer, layer_states, state.frames_in + feats.size(1))
        return self._cat(outputs), new_state

    @torch.no_grad()
    def flush(self, state: StreamState) -> torch.Tensor:
        """Ends the stream: encodes every frame still pending (zero-padded segments, valid lengths)."""
        feats, _ = self.fbank.flush(state.fbank_context)
        buffer = torch.cat([state.buffer, feats], dim=1)
        remaining = buffer.size(1)
        num_segments = -(-remaining // self.S)
        buffer = torch.nn.functional.pad(buffer, (0, 0, 0, num_segments * self.S + self.R - remaining))
        layer_states, outputs = state.layer_states, []
        for i in range(num_segments):
            valid = min(remaining - i * self.S, self.S)
            chunk = buffer[:, i * self.S : i * self.S + self.S + self.R]
            out, _, layer_states = self.model.infer(chunk, torch.tensor([valid + self.R]), layer_states)
            outputs.append(out[:, :valid])
        return self._cat(outputs)

    def _cat(self, outputs: List[torch.Tensor]) -> torch.Tensor:
        return torch.cat(outputs, dim=1) if outputs else torch.zeros(1, 0, self.model.input_dim)

    def stream(self, audio: torch.Tensor, block_size: int) -> torch.Tensor:
        """The whole signal ``(1, samples)`` in blocks of ``block_size`` samples, then a flush."""
        state, outputs = self.initial_state(), []
        for start in range(0, audio.size(1), block_size):
            out, state = self.step(audio[:, start : start + block_size], state)
            outputs.append(out)
        outputs.append(self.flush(state))
        return torch.cat(outputs, dim=1)

    @torch.no_grad()
    def offline(self, audio: torch.Tensor) -> torch.Tensor:
        """The reference: ``fbank(audio)`` zero-padded to whole segments plus ``R``, through ``forward``."""
        feats = self.fbank(audio)
        frames = feats.size(1)
        padded = torch.nn.functional.pad(feats, (0, 0, 0, -(-frames // self.S) * self.S + self.R - frames))
        out, _ = self.model(padded, torch.tensor([frames]))
        return out[:, :frames]


def measure(encoder: StreamingEncoder, audio: torch.Tensor, block_size: int, sampling_rate: int = 16000) -> dict:
    """Streams ``audio`` in blocks, timing every ``step``; compares with the offline path.

    Returns:
        ``{"block_ms", "blocks", "median_ms", "p95_ms", "max_ms", "rtf", "max_abs_diff", "frames"}``:
        per-block compute time (milliseconds), real-time factor (compute time / audio duration) and
        the largest difference to :meth:`StreamingEncoder.offline`.
    """
    state, outputs, times = encoder.initial_state(), [], []
    for start in range(0, audio.size(1), block_size):
        t0 = time.perf_counter()
        out, state = encoder.step(audio[:, start : start + block_size], state)
        times.append(time.perf_counter() - t0)
        outputs.append(out)
    t0 = time.perf_counter()
    outputs.append(encoder.flush(state))
    flush_time = time.perf_counter() - t0
    streamed = torch.cat(outputs, dim=1)
    offline = encoder.offline(audio)
    ordered = sorted(times)
    return {
        "block_ms": 1000.0 * block_size / sampling_rate,
        "blocks": len(times),
        "median_ms": 1000.0 * statistics.median(times),
        "p95_ms": 1000.0 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "max_ms": 1000.0 * ordered[-1],
        "rtf": (sum(times) + flush_time) / (audio.size(1) / sampling_rate),
        "max_abs_diff": float((streamed - offline).abs().max()) if streamed.shape == offline.shape else float("inf"),
        "frames": int(streamed.size(1)),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python examples/streaming_fbank_emformer.py [AUDIO] [--block-ms ...] [--threads N]``."""
    import soundfile

    parser = argparse.ArgumentParser(description="Stream audio through Wav2LogFilterBank and ConvEmformer.")
    parser.add_argument("audio", nargs="?", type=Path, default=DEMO_UTTERANCE, help="a 16 kHz mono file")
    parser.add_argument("--block-ms", type=float, nargs="+", default=[10.0, 40.0, 160.0, 320.0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    samples, rate = soundfile.read(str(args.audio), dtype="float32", always_2d=True)
    if rate != 16000:
        print(f"Error: {args.audio} is {rate} Hz; the example expects 16 kHz audio")
        return 1
    audio = torch.from_numpy(samples[:, 0].copy()).unsqueeze(0)
    encoder = StreamingEncoder(*build_models())
    params = sum(p.numel() for p in encoder.model.parameters())
    print(
        f"{args.audio.name}: {audio.size(1) / rate:.2f} s; ConvEmformer {params / 1e6:.2f} M parameters, "
        f"segment {encoder.S * 10} ms + look-ahead {encoder.R * 10} ms; {args.threads} thread(s)"
    )
    print(f"{'block ms':>9} {'blocks':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'RTF':>7} {'max|diff|':>10}")
    encoder.stream(audio[:, :3200], block_size=1600)  # warm-up
    for block_ms in args.block_ms:
        r = measure(encoder, audio, max(1, int(round(block_ms * rate / 1000))), rate)
        print(
            f"{r['block_ms']:9.1f} {r['blocks']:7d} {r['median_ms']:10.2f} {r['p95_ms']:8.2f} "
            f"{r['max_ms']:8.2f} {r['rtf']:7.3f} {r['max_abs_diff']:10.2e}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
