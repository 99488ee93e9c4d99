"""Float32 precision of every Kaldi layer, against torchaudio's Kaldi code run in float64.

For each option combination of the grid (sampling rate x window x ``remove_dc_offset`` x pre-emphasis x FFT
size, with and without a DC offset in the signal, the energy options rotated through it) the six layers run
in float32, and their error against a float64 reference is compared with the error of two other float32
implementations of the same computation: torchaudio 2.7.1's ``compliance.kaldi`` run in float32 and
kaldi-native-fbank (fbank and MFCC only; it has no spectrogram). Ours must stay within the larger of the two
plus 10%.

The float64 reference is torchaudio's ``compliance.kaldi`` (loaded from its wheel, see
``tests/reference/reference_code.py``) on float64 input with torch's default dtype set to float64: its mel
banks, DCT and lifter are built in the default dtype, so on float64 input alone its filter weights would still be
float32 values (which put a weight of about 1e-7 on an FFT bin that sits exactly on ``low_freq``, where Kaldi puts
exactly 0). The spectral layers are compared with the intermediate values of torchaudio's ``spectrogram``
(``_get_window``'s frames and log energy, their ``rfft``, its ``abs().pow(2)``). torchaudio has no ``sine``
window; the reference gets Kaldi's (``sin(pi n / (N - 1))``) for that case.

The error of an output is the upper quartile of its absolute differences (the level three quarters of its
values stay within; log values for the log layers, complex values for ``Wav2FFT``). Not the largest difference:
that is decided by a handful of values whose power lies near the float32 FFT's rounding floor, where every
float32 implementation's error is the FFT's (exactly rounded frames through torch's float32 ``rfft`` are off by
as much), and which implementation's rounding happens to land closest there varies 2-4x between combinations.
The measured numbers, largest differences included, are in ``docs/kaldi_compatibility.rst``.
"""

from __future__ import annotations

import itertools
import math
from typing import Dict, Optional, Tuple

import numpy as np
import pytest
import torch

from lhotse_lite.features.kaldi.layers import (
    Wav2FFT,
    Wav2LogFilterBank,
    Wav2LogSpec,
    Wav2MFCC,
    Wav2Spec,
    Wav2Win,
)
from tests.reference.reference_code import default_dtype, torchaudio_compliance_kaldi

MARGIN = 1.10  # ours <= MARGIN * max(torchaudio float32, kaldi-native-fbank)
QUANTILE = 0.75  # the error statistic: this quantile of the absolute differences over an output
DC_OFFSETS = (0.0, 0.2)
RATES = (8000, 16000, 44100)
WINDOWS = ("povey", "hamming", "hanning", "rectangular", "blackman", "sine")
# (frame length in ms, round_to_power_of_two): a power-of-two FFT and two that are not (the window itself);
# 50 ms at 44.1 kHz would be an odd FFT size, which Kaldi's mel banks refuse, so 40 ms there.
FRAMINGS = ((25.0, True), (25.0, False), (50.0, False))
ENERGIES = ("none", "raw", "windowed")
LAYERS = ("win", "log_energy", "fft", "spec", "logspec", "fbank", "mfcc")

GRID = [
    (rate, window, remove_dc, preemph, framing[0] if (rate, framing[0]) != (44100, 50.0) else 40.0, framing[1])
    for rate, window, remove_dc, preemph, framing in itertools.product(
        RATES, WINDOWS, (True, False), (0.97, 0.0), FRAMINGS
    )
]


def _energy(index: int) -> str:
    """The energy option of grid entry ``index``: every value meets every rate, window and FFT size."""
    return ENERGIES[(index + index // len(FRAMINGS)) % len(ENERGIES)]


def signal(rate: int, seed: int, dc_offset: float = 0.0) -> torch.Tensor:
    """Half a second of speech-like signal (harmonics falling off with frequency, a quiet stretch) + ``dc_offset``."""
    g = torch.Generator().manual_seed(seed)
    n = rate // 2
    t = torch.arange(n, dtype=torch.float64) / rate
    f0 = 110.0 + 25.0 * torch.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * torch.cumsum(f0, 0) / rate
    x = torch.zeros(n, dtype=torch.float64)
    for k in range(1, 60):
        if k * 140.0 >= rate / 2:
            break
        x += torch.sin(k * phase + 0.3 * k) / k
    x *= 0.55 + 0.45 * torch.sin(2 * math.pi * 2.5 * t)
    x += 0.003 * torch.randn(n, generator=g, dtype=torch.float64)
    x[n // 3 : n // 3 + rate // 20] *= 1e-3
    return (0.7 * x / x.abs().max() + dc_offset).float()


def _kaldi_sine_window(original):
    def window_function(window_type, window_size, blackman_coeff, device, dtype):
        if window_type != "sine":
            return original(window_type, window_size, blackman_coeff, device, dtype)
        n = torch.arange(window_size, device=device, dtype=dtype)
        return torch.sin(math.pi / (window_size - 1) * n)

    return window_function


def _num_filters(rate: int) -> int:
    return 23 if rate == 8000 else 80


def _torchaudio_outputs(
    kaldi,
    x: torch.Tensor,
    rate: int,
    window: str,
    remove_dc: bool,
    preemph: float,
    frame_ms: float,
    power_of_two: bool,
    energy: str,
) -> Dict[str, torch.Tensor]:
    """The reference quantities computed by torchaudio's code in the dtype of ``x`` (and the default dtype)."""
    raw = energy != "windowed"
    common = dict(
        sample_frequency=float(rate),
        frame_length=frame_ms,
        frame_shift=10.0,
        dither=0.0,
        energy_floor=1e-10,
        preemphasis_coefficient=preemph,
        remove_dc_offset=remove_dc,
        round_to_power_of_two=power_of_two,
        snip_edges=False,
        window_type=window,
        raw_energy=raw,
    )
    waveform, shift, size, padded = kaldi._get_waveform_and_window_properties(
        x[None], -1, float(rate), 10.0, frame_ms, power_of_two, preemph
    )
    frames, log_e = kaldi._get_window(
        waveform, padded, size, shift, window, 0.42, False, raw, 1e-10, 0.0, remove_dc, preemph
    )
    fft = torch.fft.rfft(frames)
    power = fft.abs().pow(2.0)
    use_energy = energy != "none"
    out = {"win": frames, "log_energy": log_e, "fft": fft, "spec": power}
    out["logspec"] = torch.max(power, kaldi._get_epsilon(x.device, x.dtype)).log()
    if use_energy:
        out["fft"] = out["fft"].clone()
        out["fft"][:, 0] = log_e.to(fft.dtype)
        out["spec"] = out["spec"].clone()
        for key in ("spec", "logspec"):
            out[key][:, 0] = log_e
    mel = dict(low_freq=20.0, high_freq=-400.0, use_energy=use_energy)
    out["fbank"] = kaldi.fbank(x[None], num_mel_bins=_num_filters(rate), **mel, **common)
    out["mfcc"] = kaldi.mfcc(x[None], num_mel_bins=23, num_ceps=13, cepstral_lifter=22.0, **mel, **common)
    return out


def _our_outputs(
    x: torch.Tensor,
    rate: int,
    window: str,
    remove_dc: bool,
    preemph: float,
    frame_ms: float,
    power_of_two: bool,
    energy: str,
) -> Dict[str, torch.Tensor]:
    use_energy = energy != "none"
    frame = dict(
        sampling_rate=rate,
        frame_length=frame_ms / 1000,
        frame_shift=0.01,
        remove_dc_offset=remove_dc,
        preemph_coeff=preemph,
        window_type=window,
        raw_energy=energy != "windowed",
    )
    spectral = dict(frame, round_to_power_of_two=power_of_two, use_energy=use_energy)
    fft = Wav2FFT(**spectral)
    batch = x[None]
    frames, log_e = Wav2Win(**frame, pad_length=fft.fft_length, return_log_energy=True)(batch)
    return {
        "win": frames[0],
        "log_energy": log_e[0],
        "fft": fft(batch)[0],
        "spec": Wav2Spec(**spectral)(batch)[0],
        "logspec": Wav2LogSpec(**spectral)(batch)[0],
        "fbank": Wav2LogFilterBank(**spectral, num_filters=_num_filters(rate))(batch)[0],
        "mfcc": Wav2MFCC(**spectral, num_filters=23)(batch)[0],
    }


def _knf_outputs(
    knf,
    x: torch.Tensor,
    rate: int,
    window: str,
    remove_dc: bool,
    preemph: float,
    frame_ms: float,
    power_of_two: bool,
    energy: str,
) -> Dict[str, torch.Tensor]:
    out = {}
    for name, options, computer, filters in (
        ("fbank", knf.FbankOptions(), knf.OnlineFbank, _num_filters(rate)),
        ("mfcc", knf.MfccOptions(), knf.OnlineMfcc, 23),
    ):
        frame = options.frame_opts
        frame.samp_freq = float(rate)
        frame.frame_length_ms = frame_ms
        frame.frame_shift_ms = 10.0
        frame.dither = 0.0
        frame.window_type = window
        frame.remove_dc_offset = remove_dc
        frame.preemph_coeff = preemph
        frame.round_to_power_of_two = power_of_two
        frame.snip_edges = False
        options.frame_opts = frame
        options.mel_opts.num_bins = filters
        options.mel_opts.low_freq = 20.0
        options.mel_opts.high_freq = -400.0
        options.use_energy = energy != "none"
        options.raw_energy = energy != "windowed"
        options.energy_floor = 1e-10
        if name == "mfcc":
            options.num_ceps = 13
            options.cepstral_lifter = 22.0
        comp = computer(options)
        comp.accept_waveform(float(rate), x.numpy().astype(np.float32))
        comp.input_finished()
        out[name] = torch.from_numpy(np.stack([comp.get_frame(i) for i in range(comp.num_frames_ready)]))
    return out


def error(values: torch.Tensor, reference: torch.Tensor, quantile: Optional[float] = QUANTILE) -> float:
    """The ``quantile`` of the absolute differences (``None``: the largest)."""
    assert values.shape == reference.shape, (values.shape, reference.shape)
    differences = (values.to(reference.dtype) - reference).abs().flatten()
    if quantile is None:
        return float(differences.max())
    return float(torch.quantile(differences, quantile))


def measure(
    knf,
    index: int,
    rate: int,
    window: str,
    remove_dc: bool,
    preemph: float,
    frame_ms: float,
    power_of_two: bool,
    dc_offset: float,
    quantile: Optional[float] = QUANTILE,
) -> Dict[str, Tuple[float, float, Optional[float]]]:
    """``{layer: (our error, torchaudio float32's, kaldi-native-fbank's or None)}`` for one grid entry."""
    kaldi = torchaudio_compliance_kaldi()
    original = kaldi._feature_window_function
    kaldi._feature_window_function = _kaldi_sine_window(original)
    options = (rate, window, remove_dc, preemph, frame_ms, power_of_two, _energy(index))
    x = signal(rate, index, dc_offset)
    try:
        with default_dtype(torch.float64):
            reference = _torchaudio_outputs(kaldi, x.double(), *options)
        torchaudio32 = _torchaudio_outputs(kaldi, x, *options)
    finally:
        kaldi._feature_window_function = original
    ours = _our_outputs(x, *options)
    others = _knf_outputs(knf, x, *options)
    return {
        layer: (
            error(ours[layer], reference[layer], quantile),
            error(torchaudio32[layer], reference[layer], quantile),
            error(others[layer], reference[layer], quantile) if layer in others else None,
        )
        for layer in LAYERS
    }


@pytest.mark.parametrize("dc_offset", DC_OFFSETS)
@pytest.mark.parametrize("rate,window,remove_dc,preemph,frame_ms,power_of_two", GRID)
def test_float32_error_within_other_implementations(
    knf, rate, window, remove_dc, preemph, frame_ms, power_of_two, dc_offset
):
    index = GRID.index((rate, window, remove_dc, preemph, frame_ms, power_of_two))
    errors = measure(knf, index, rate, window, remove_dc, preemph, frame_ms, power_of_two, dc_offset)
    worse = {
        layer: (ours, torchaudio32, others)
        for layer, (ours, torchaudio32, others) in errors.items()
        if ours > MARGIN * max(torchaudio32, others or 0.0)
    }
    assert not worse, f"energy={_energy(index)}: (ours, torchaudio float32, kaldi-native-fbank) {worse}"


def _summary() -> None:
    """Print the per-layer table of ``docs/kaldi_compatibility.rst`` (run this file with python)."""
    import kaldi_native_fbank

    torch.set_num_threads(1)
    rows: Dict[str, Dict[str, list]] = {layer: {} for layer in LAYERS}
    for dc_offset in DC_OFFSETS:
        for index, options in enumerate(GRID):
            upper = measure(kaldi_native_fbank, index, *options, dc_offset)
            largest = measure(kaldi_native_fbank, index, *options, dc_offset, quantile=None)
            for layer in LAYERS:
                (ours, torchaudio32, others), (ours_max, torchaudio32_max, others_max) = upper[layer], largest[layer]
                row = rows[layer]
                best_other = max(torchaudio32, others or 0.0)
                row.setdefault("ratio", []).append(0.0 if ours == 0 else ours / best_other if best_other else math.inf)
                for key, value in (
                    ("ours", ours),
                    ("ta", torchaudio32),
                    ("knf", others),
                    ("ours_max", ours_max),
                    ("ta_max", torchaudio32_max),
                    ("knf_max", others_max),
                ):
                    if value is not None:
                        row.setdefault(key, []).append(value)
    print(f"{len(GRID) * len(DC_OFFSETS)} combinations; upper quartile and largest difference, worst over the grid")
    print(
        f"{'layer':<11}{'ours q75':>10}{'ta32 q75':>10}{'knf q75':>10}{'ratio med':>10}{'ratio max':>10}"
        f"{'ours max':>10}{'ta32 max':>10}{'knf max':>10}"
    )
    for layer, row in rows.items():
        worst = {
            key: f"{max(row[key]):>10.1e}" if key in row else f"{'-':>10}"
            for key in ("ours", "ta", "knf", "ours_max", "ta_max", "knf_max")
        }
        ratios = sorted(row["ratio"])
        print(
            f"{layer:<11}{worst['ours']}{worst['ta']}{worst['knf']}{ratios[len(ratios) // 2]:>10.2f}"
            f"{ratios[-1]:>10.2f}{worst['ours_max']}{worst['ta_max']}{worst['knf_max']}"
        )


if __name__ == "__main__":
    _summary()
