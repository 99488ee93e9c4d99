"""Throughput of the Kaldi layers against Lhotse 1.33 and kaldi-native-fbank, measured in one run.

Usage::

    python benchmarks/bench_kaldi_layers.py [--repeats 15] [--long-repeats 3] [--json out.json]
    python benchmarks/bench_kaldi_layers.py --ab REV [--repeats 15]   # current code against git revision REV

Everything runs on one torch thread. Each case is timed round-robin in bursts, ours against one other
library at a time (20 calls of ours, 20 of Lhotse, again ...; then ours against kaldi-native-fbank the
same way; 4 calls for 10 s inputs, 1 for 600 s and for a whole stream), so each pair sees the same
machine load with warm caches, and the table reports the median per call of process CPU time (robust on
a shared machine, where wall time mostly measures other processes) and, for reference, of wall time.
Ratios are Lhotse / ours and kaldi-native-fbank / ours (> 1: we are faster), each against our time from
its own pair; "ours ms" is the one from the Lhotse pair. (Pairs, not one round of all three: a
kaldi-native-fbank burst, ~50 ms of other code, evicted our working set before each of our bursts
and made our 1 s calls ~15% slower, an effect no extraction loop has.)

Cases: fbank (80 filters) and MFCC (13 of 23) with default options on 1 s, 10 s and 600 s of 16 kHz
audio; our ``forward`` is called the way an extractor calls it (numpy in, numpy out), Lhotse through
``Fbank.extract`` / ``Mfcc.extract``, kaldi-native-fbank through ``OnlineFbank`` / ``OnlineMfcc`` with the
same options. Streaming: 10 s fed in 1600-sample chunks through ``online_inference`` (ours with the
final flush, Lhotse's without since it has none), timed ``3 * repeats`` times.

``--ab REV`` times the current layers against the package as it was at git revision ``REV`` (extracted
with ``git archive`` into a temporary folder and imported as ``lhotse_lite_ab_ref``) in the same
alternating bursts, plus REV's layers with a ``.contiguous()`` copy of every result, for fbank and MFCC
at 1 s and 10 s and for the 10 s stream; the ratios are REV / current (> 1: the current code is faster).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List

import numpy as np
import torch


def _clock() -> Dict[str, int]:
    return {"cpu": time.process_time_ns(), "wall": time.perf_counter_ns()}


def _time_round_robin(fns: Dict[str, Callable[[], object]], repeats: int, burst: int) -> Dict[str, Dict[str, float]]:
    for fn in fns.values():  # warm-up (allocations, MKL plans)
        fn()
    samples: Dict[str, Dict[str, List[float]]] = {k: {"cpu": [], "wall": []} for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = _clock()
            for _ in range(burst):
                fn()
            end = _clock()
            samples[name]["cpu"].append((end["cpu"] - start["cpu"]) / 1e9 / burst)
            samples[name]["wall"].append((end["wall"] - start["wall"]) / 1e9 / burst)
    return {k: {m: statistics.median(v) for m, v in s.items()} for k, s in samples.items()}


def _knf_runner(knf, kind: str, signal: np.ndarray) -> Callable[[], np.ndarray]:
    if kind == "fbank":
        opts = knf.FbankOptions()
        opts.mel_opts.num_bins = 80
        opts.mel_opts.high_freq = -400.0
        computer = knf.OnlineFbank
    else:
        opts = knf.MfccOptions()
        opts.mel_opts.num_bins = 23
        opts.mel_opts.high_freq = -400.0
        computer = knf.OnlineMfcc
    opts.frame_opts.dither = 0.0
    opts.frame_opts.snip_edges = False
    opts.energy_floor = 1e-10

    def run() -> np.ndarray:
        comp = computer(opts)
        comp.accept_waveform(16000.0, signal)
        comp.input_finished()
        return np.stack([comp.get_frame(i) for i in range(comp.num_frames_ready)])

    return run


def _package_at(rev: str, folder: str):
    """The ``lhotse_lite`` package as it was at git revision ``rev``, importable as ``lhotse_lite_ab_ref``."""
    import importlib
    import importlib.util
    import io
    import os
    import re
    import subprocess
    import tarfile

    root = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(["git", "archive", rev, "lhotse_lite"], cwd=root, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    os.rename(os.path.join(folder, "lhotse_lite"), os.path.join(folder, "lhotse_lite_ab_ref"))
    for directory, _, files in os.walk(os.path.join(folder, "lhotse_lite_ab_ref")):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as f:
                    text = re.sub(r"\blhotse_lite\b", "lhotse_lite_ab_ref", f.read())
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    package = os.path.join(folder, "lhotse_lite_ab_ref")
    spec = importlib.util.spec_from_file_location(
        "lhotse_lite_ab_ref", os.path.join(package, "__init__.py"), submodule_search_locations=[package]
    )
    sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[spec.name])
    return importlib.import_module("lhotse_lite_ab_ref.features.kaldi.layers")


def _ab(rev: str, repeats: int) -> List[Dict[str, object]]:
    import tempfile

    from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank, Wav2MFCC

    with tempfile.TemporaryDirectory() as folder:
        ref = _package_at(rev, folder)
        rng = np.random.default_rng(0)
        rows: List[Dict[str, object]] = []
        for kind, ours_cls, ref_cls in (
            ("fbank", Wav2LogFilterBank, ref.Wav2LogFilterBank),
            ("mfcc", Wav2MFCC, ref.Wav2MFCC),
        ):
            ours, theirs = ours_cls().eval(), ref_cls().eval()
            for seconds in (1, 10):
                x = torch.from_numpy((rng.standard_normal(16000 * seconds) * 0.1).astype(np.float32)).unsqueeze(0)
                burst = {1: 20, 10: 4}[seconds]
                t = _time_round_robin(
                    {
                        "current": lambda layer=ours, x=x: layer(x)[0].numpy(),
                        "rev": lambda layer=theirs, x=x: layer(x)[0].numpy(),
                        "rev+contiguous": lambda layer=theirs, x=x: layer(x).contiguous()[0].numpy(),
                    },
                    repeats,
                    burst,
                )
                rows.append({"case": f"{kind} {seconds} s", **t})
        x = torch.from_numpy((rng.standard_normal(160000) * 0.1).astype(np.float32)).unsqueeze(0)

        def stream(layer) -> None:
            context = None
            for start in range(0, x.size(1), 1600):
                (_, _), context = layer.online_inference(x[:, start : start + 1600], context)
            layer.flush(context)

        current, theirs = Wav2LogFilterBank().eval(), ref.Wav2LogFilterBank().eval()
        t = _time_round_robin({"current": lambda: stream(current), "rev": lambda: stream(theirs)}, 3 * repeats, 1)
        rows.append({"case": "fbank stream 10 s / 1600", **t})
    print(
        f"# {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, torch {torch.__version__}, 1 thread; "
        f"current code against {rev}; medians of process CPU time per call"
    )
    print(f"{'case':<26}{'current ms':>12}{'rev ms':>10}{'rev+contig ms':>15}{'rev/current':>13}{'rev+c/current':>15}")
    for row in rows:
        cur, old, contig = row["current"], row["rev"], row.get("rev+contiguous")
        print(
            f"{row['case']:<26}{cur['cpu'] * 1e3:>12.3f}{old['cpu'] * 1e3:>10.3f}"
            f"{(contig['cpu'] * 1e3 if contig else float('nan')):>15.3f}{old['cpu'] / cur['cpu']:>13.3f}"
            f"{(contig['cpu'] / cur['cpu'] if contig else float('nan')):>15.3f}"
        )
    return rows


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed calls per case for 1 s and 10 s")
    parser.add_argument("--long-repeats", type=int, default=3, help="timed calls per case for 600 s")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    parser.add_argument("--ab", default=None, metavar="REV", help="time the current layers against git revision REV")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    if args.ab:
        rows = _ab(args.ab, args.repeats)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=2)
        return 0
    import kaldi_native_fbank as knf
    from lhotse.features.kaldi.extractors import Fbank, Mfcc
    from lhotse.features.kaldi.layers import Wav2LogFilterBank as LhotseFbankLayer

    from lhotse_lite.features.kaldi import Wav2LogFilterBank, Wav2MFCC

    rng = np.random.default_rng(0)
    ours = {"fbank": Wav2LogFilterBank().eval(), "mfcc": Wav2MFCC().eval()}
    lhotse = {"fbank": Fbank(), "mfcc": Mfcc()}
    rows = []
    for kind in ("fbank", "mfcc"):
        for seconds in (1, 10, 600):
            signal = (rng.standard_normal(16000 * seconds) * 0.1).astype(np.float32)
            layer, extractor = ours[kind], lhotse[kind]

            def run_ours(layer=layer, signal=signal) -> np.ndarray:
                return layer(torch.from_numpy(signal).unsqueeze(0))[0].numpy()

            burst = {1: 20, 10: 4, 600: 1}[seconds]
            repeats = args.long_repeats if seconds >= 600 else args.repeats
            vs_lhotse = _time_round_robin(
                {"ours": run_ours, "lhotse": lambda e=extractor, s=signal: e.extract(s, 16000)}, repeats, burst
            )
            vs_knf = _time_round_robin({"ours": run_ours, "knf": _knf_runner(knf, kind, signal)}, repeats, burst)
            rows.append(
                {"case": f"{kind} {seconds} s", **vs_lhotse, "knf": vs_knf["knf"], "ours_vs_knf": vs_knf["ours"]}
            )

    # Streaming: 10 s in 1600-sample chunks.
    signal = torch.from_numpy((rng.standard_normal(160000) * 0.1).astype(np.float32)).unsqueeze(0)
    ours_layer, lhotse_layer = ours["fbank"], LhotseFbankLayer()

    def stream_ours() -> None:
        context = None
        for start in range(0, signal.size(1), 1600):
            (_, _), context = ours_layer.online_inference(signal[:, start : start + 1600], context)
        ours_layer.flush(context)

    def stream_lhotse() -> None:
        context = None
        for start in range(0, signal.size(1), 1600):
            _, context = lhotse_layer.online_inference(signal[:, start : start + 1600], context)

    # One sample is a whole stream (~10 ms), so the median needs more of them to settle on a loaded machine.
    t = _time_round_robin({"ours": stream_ours, "lhotse": stream_lhotse}, 3 * args.repeats, 1)
    rows.append({"case": "fbank stream 10 s / 1600", **t})

    header = (
        f"{'case':<26}{'ours ms':>10}{'lhotse ms':>11}{'knf ms':>10}{'x lhotse':>10}{'x knf':>8}{'wall x lhotse':>15}"
    )
    print(
        f"# {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, torch {torch.__version__}, "
        f"1 thread, {platform.processor() or platform.machine()}; medians of process CPU time per call"
    )
    print(header)
    for row in rows:
        o, lh = row["ours"], row["lhotse"]
        k = row.get("knf")
        print(
            f"{row['case']:<26}{o['cpu'] * 1e3:>10.3f}{lh['cpu'] * 1e3:>11.3f}"
            f"{(k['cpu'] * 1e3 if k else float('nan')):>10.3f}{lh['cpu'] / o['cpu']:>10.2f}"
            f"{(k['cpu'] / row['ours_vs_knf']['cpu'] if k else float('nan')):>8.2f}{lh['wall'] / o['wall']:>15.2f}"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
