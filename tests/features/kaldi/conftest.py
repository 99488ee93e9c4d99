"""Shared helpers for the Kaldi layer tests: test signals and kaldi-native-fbank (the oracle) runners."""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import pytest
import torch


def speech_like(num_samples: int, sampling_rate: int, seed: int = 0, peak: float = 0.8) -> torch.Tensor:
    """A voiced, amplitude-modulated harmonic signal with a little noise and a silent stretch, in [-1, 1].

    Harmonics fall off with frequency (as in speech) so high mel bands sit 40-60 dB below the low ones,
    which is where float32 rounding would show; the silent stretch exercises the energy floors.
    """
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(num_samples, dtype=torch.float64) / sampling_rate
    f0 = 110.0 + 25.0 * torch.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * torch.cumsum(f0, 0) / sampling_rate
    x = torch.zeros(num_samples, dtype=torch.float64)
    k = 1
    while k * 140.0 < sampling_rate / 2 and k < 60:
        x += (1.0 / k) * torch.sin(k * phase + 0.3 * k)
        k += 1
    x *= 0.55 + 0.45 * torch.sin(2 * math.pi * 2.5 * t)
    x += 0.003 * torch.randn(num_samples, generator=g, dtype=torch.float64)
    if num_samples > 4 * sampling_rate // 10:
        quiet = slice(num_samples // 3, num_samples // 3 + sampling_rate // 10)
        x[quiet] *= 1e-3
    scale = float(x.abs().max()) if num_samples else 1.0
    return (x / max(scale, 1e-12) * peak).float()


def knf_frame_options(knf, sampling_rate, window_type="povey", snip_edges=False, **extra):
    opts = knf.FrameExtractionOptions()
    opts.samp_freq = float(sampling_rate)
    opts.dither = 0.0
    opts.window_type = window_type
    opts.snip_edges = snip_edges
    for key, value in extra.items():
        setattr(opts, key, value)
    return opts


def knf_compute(knf, computer, opts, signal: torch.Tensor, sampling_rate: int) -> np.ndarray:
    """Run an online kaldi-native-fbank computer over a whole 1-D signal; ``(frames, dim)`` float32."""
    comp = computer(opts)
    comp.accept_waveform(float(sampling_rate), signal.numpy().astype(np.float32))
    comp.input_finished()
    n = comp.num_frames_ready
    if n == 0:
        return np.zeros((0, comp.dim), dtype=np.float32)
    return np.stack([comp.get_frame(i) for i in range(n)])


def knf_fbank(
    knf,
    signal,
    sampling_rate,
    *,
    window_type="povey",
    snip_edges=False,
    num_filters=80,
    low_freq=20.0,
    high_freq=-400.0,
    use_energy=False,
    raw_energy=True,
    energy_floor=1e-10,
    frame_length_ms=25.0,
    frame_shift_ms=10.0,
) -> np.ndarray:
    opts = knf.FbankOptions()
    opts.frame_opts = knf_frame_options(
        knf, sampling_rate, window_type, snip_edges, frame_length_ms=frame_length_ms, frame_shift_ms=frame_shift_ms
    )
    opts.mel_opts.num_bins = num_filters
    opts.mel_opts.low_freq = low_freq
    opts.mel_opts.high_freq = high_freq
    opts.use_energy = use_energy
    opts.raw_energy = raw_energy
    opts.energy_floor = energy_floor
    return knf_compute(knf, knf.OnlineFbank, opts, signal, sampling_rate)


def knf_mfcc(
    knf,
    signal,
    sampling_rate,
    *,
    window_type="povey",
    snip_edges=False,
    num_filters=23,
    num_ceps=13,
    cepstral_lifter=22.0,
    low_freq=20.0,
    high_freq=-400.0,
    use_energy=False,
    raw_energy=True,
    energy_floor=1e-10,
) -> np.ndarray:
    opts = knf.MfccOptions()
    opts.frame_opts = knf_frame_options(knf, sampling_rate, window_type, snip_edges)
    opts.mel_opts.num_bins = num_filters
    opts.mel_opts.low_freq = low_freq
    opts.mel_opts.high_freq = high_freq
    opts.num_ceps = num_ceps
    opts.cepstral_lifter = cepstral_lifter
    opts.use_energy = use_energy
    opts.raw_energy = raw_energy
    opts.energy_floor = energy_floor
    return knf_compute(knf, knf.OnlineMfcc, opts, signal, sampling_rate)


@pytest.fixture(scope="session")
def knf():
    """kaldi-native-fbank, the oracle; the oracle tests skip when it is not installed."""
    return pytest.importorskip("kaldi_native_fbank")


def max_abs_diff(ours: torch.Tensor, ref: np.ndarray) -> float:
    if ours.numel() == 0:
        return 0.0
    return float(np.abs(ours.detach().double().numpy() - ref.astype(np.float64)).max())


def stream(layer, x: torch.Tensor, chunk_sizes, use_flush: bool = True, scripted: Optional[object] = None):
    """Feed ``x`` through ``layer.online_inference`` chunk by chunk and flush; returns (features, log_e)."""
    module = scripted if scripted is not None else layer
    feats, energies = [], []
    context = None
    start = 0
    i = 0
    while start < x.size(1):
        size = chunk_sizes[i % len(chunk_sizes)]
        (f, e), context = module.online_inference(x[:, start : start + size], context)
        feats.append(f)
        if e is not None:
            energies.append(e)
        start += size
        i += 1
    if use_flush:
        f, e = module.flush(context)
    else:
        (f, e), _ = module.online_inference(x[:, :0], context, True)
    feats.append(f)
    if e is not None:
        energies.append(e)
    return torch.cat(feats, dim=1), (torch.cat(energies, dim=1) if energies else None)


@pytest.fixture(scope="session")
def helpers():
    """The helper functions above, as a namespace (test modules cannot import conftest by name)."""
    import types

    return types.SimpleNamespace(
        speech_like=speech_like,
        knf_frame_options=knf_frame_options,
        knf_compute=knf_compute,
        knf_fbank=knf_fbank,
        knf_mfcc=knf_mfcc,
        max_abs_diff=max_abs_diff,
        stream=stream,
    )


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Run these small-tensor tests on one thread: on a shared, loaded machine OpenMP threads only contend."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
