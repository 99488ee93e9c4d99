"""Remote storage: bytes read from a local S3 server (moto) for audio spans and feature matrices, extraction speed.

Starts moto's S3 server and nginx on 127.0.0.1 with a counting proxy in front of each
(:mod:`lhotse_lite.testing.servers`: bytes are counted on the server side), writes ``--files`` FLAC
files of ``--minutes`` minutes (a tone plus noise, 16 kHz mono, 16 bit) and measures:

1. bytes read for ``--spans`` random 1 s spans through ``url`` sources on S3, against the spans'
   compressed size (the file's bytes per second), and what Lhotse 1.33's ``url`` source reads for
   the same spans from nginx (it downloads the whole file; measured on ``--lhotse-spans`` spans);
2. bytes read for one feature matrix of a ``lilcom_chunky`` archive on S3, against its stored size;
3. Fbank extraction of ``--extract`` whole recordings read from S3 vs from local disk: the median
   of ``--repeats`` runs of each (alternating), and the ratio of the throughputs;
4. random reads of an indexed manifest (``.jsonl`` and ``.jsonl.gz``) on S3: requests per item,
   and the index file's fetches over two openings.

``--rows`` picks some of them (e.g. ``--rows extract``).

Lhotse's ``url`` sources need ``smart_open`` (``pip install smart_open``). Run by hand (never in
the test suite):

    python benchmarks/bench_remote.py --files 10 --minutes 10 --spans 100
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from lhotse_lite.audio import AudioSource, Recording
from lhotse_lite.features.base import FeatureSetBuilder
from lhotse_lite.features.io import get_reader
from lhotse_lite.features.kaldi.extractors import Fbank
from lhotse_lite.features.storage.lilcom_chunky import LilcomChunkyWriter, close_cached_file_handles
from lhotse_lite.testing.servers import CountingProxy, MotoS3, Nginx

SR = 16000


def _flac(seconds: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    x = 0.3 * np.sin(2 * np.pi * (220 + 10 * seed) * t) + rng.normal(0, 0.05, t.size)
    buffer = io.BytesIO()
    sf.write(buffer, x.astype(np.float32), SR, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--spans", type=int, default=100)
    parser.add_argument("--lhotse-spans", type=int, default=5)
    parser.add_argument("--extract", type=int, default=2, help="recordings extracted for the throughput row")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each extraction (the median is shown)")
    parser.add_argument("--items", type=int, default=200, help="random reads of the indexed manifest row")
    parser.add_argument("--rows", default="spans,matrix,extract,index", help="the rows to measure")
    args = parser.parse_args()
    rows = set(args.rows.split(","))

    import boto3

    work = Path(tempfile.mkdtemp(prefix="bench-remote-"))
    os.environ.setdefault("LHOTSE_LITE_STAGING_DIR", str(work / "staging"))
    moto = MotoS3().start()
    s3_proxy = CountingProxy(moto.port).start()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=s3_proxy.url,
    )
    client = boto3.client("s3", endpoint_url=moto.endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="bench")
    www = work / "www"
    www.mkdir()
    nginx = Nginx(www).start()
    http_proxy = CountingProxy(nginx.port).start()
    try:
        seconds = args.minutes * 60
        sizes = []
        for i in range(args.files):
            data = _flac(seconds, i)
            sizes.append(len(data))
            (www / f"f{i}.flac").write_bytes(data)
            client.put_object(Bucket="bench", Key=f"f{i}.flac", Body=data)
        rng = np.random.default_rng(0)
        spans = [(int(rng.integers(args.files)), float(rng.uniform(0, seconds - 1))) for _ in range(args.spans)]
        if "spans" in rows:
            _spans(args, spans, sizes, seconds, s3_proxy, http_proxy)
        if "matrix" in rows:
            _matrix(s3_proxy)
        if "extract" in rows:
            _extract(args, www, work, seconds)
        if "index" in rows:
            _index(args, s3_proxy, work)
    finally:
        http_proxy.stop()
        nginx.stop()
        s3_proxy.stop()
        moto.stop()


def _spans(args, spans, sizes, seconds, s3_proxy, http_proxy) -> None:
    compressed = sum(sizes[f] / seconds for f, _ in spans)

    s3_proxy.reset()
    start = time.perf_counter()
    for f, offset in spans:
        AudioSource("url", [0], f"s3://bench/f{f}.flac").read(offset, 1.0)
    ours_s = time.perf_counter() - start
    ours = s3_proxy.bytes_sent()
    requests = s3_proxy.count("GET") + s3_proxy.count("HEAD")
    headers = sum(
        sent
        for method, _, byte_range, sent in s3_proxy.requests
        if method == "GET" and (byte_range or "").startswith("bytes=0-")
    )

    from lhotse import AudioSource as LhotseSource

    http_proxy.reset()
    for f, offset in spans[: args.lhotse_spans]:
        LhotseSource(type="url", channels=[0], source=f"{http_proxy.url}/f{f}.flac").load_audio(
            offset=offset, duration=1.0
        )
    lhotse_per_span = http_proxy.bytes_sent() / max(args.lhotse_spans, 1)

    print(
        f"| {args.spans} random 1 s spans of {args.files} x {args.minutes:g} min FLAC (16 kHz) "
        f"| compressed size of the spans {compressed / 1e6:.3f} MB "
        f"| lhotse_lite (S3): {ours / 1e6:.3f} MB = {ours / compressed:.2f}x "
        f"({(ours - headers) / compressed:.2f}x without the {headers / 1e6:.3f} MB of header reads), "
        f"{requests} requests, "
        f"{ours_s:.2f} s | Lhotse 1.33 url source (HTTP): {lhotse_per_span * args.spans / 1e6:.1f} MB "
        f"({lhotse_per_span / 1e6:.2f} MB per span, whole file) |"
    )


def _matrix(s3_proxy) -> None:
    with LilcomChunkyWriter("s3://bench/feats") as writer:
        keys = [
            writer.write(f"u{i}", np.random.default_rng(i).normal(size=(3000, 80)).astype(np.float32)) for i in range(8)
        ]
    close_cached_file_handles()
    s3_proxy.reset()
    get_reader("lilcom_chunky")(writer.storage_path).read(keys[5])
    stored = sum(int(n) for n in keys[5].split(",")[1:])
    print(
        f"| one 3000 x 80 matrix of a lilcom_chunky archive on S3 | stored {stored} bytes "
        f"| read {s3_proxy.bytes_sent()} bytes = {s3_proxy.bytes_sent() / stored:.3f}x in "
        f"{s3_proxy.count('GET')} request(s), {s3_proxy.count('HEAD')} HEAD |"
    )


def _extract(args, www, work, seconds) -> None:
    count = min(args.extract, args.files)
    local = [Recording.from_file(www / f"f{i}.flac", recording_id=f"f{i}") for i in range(count)]
    remote_recs = [
        Recording(
            r.id, [AudioSource("url", [0], f"s3://bench/{r.id}.flac")], r.sampling_rate, r.num_samples, r.duration
        )
        for r in local
    ]
    loads: dict = {"local disk": [], "S3 (moto)": []}  # reading the audio alone, without the features
    for _ in range(args.repeats):
        for name, recs in (("local disk", local), ("S3 (moto)", remote_recs)):
            start = time.perf_counter()
            for rec in recs:
                rec.load_audio()
            loads[name].append((time.perf_counter() - start) / count)
    print(
        f"| reading one {args.minutes:g} min FLAC whole, median of {args.repeats} | local disk "
        f"{statistics.median(loads['local disk']):.3f} s | S3 {statistics.median(loads['S3 (moto)']):.3f} s |"
    )
    timings: dict = {"local disk": [], "S3 (moto)": []}
    for run in range(args.repeats):
        for name, recs in (("local disk", local), ("S3 (moto)", remote_recs)):
            start = time.perf_counter()
            with LilcomChunkyWriter(work / f"feats-{name[:2]}-{run}") as storage:
                FeatureSetBuilder(Fbank(), storage).process_and_store_recordings(recs, progress_bar=False)
            timings[name].append(time.perf_counter() - start)
    local_s, s3_s = statistics.median(timings["local disk"]), statistics.median(timings["S3 (moto)"])
    audio_s = count * seconds
    print(
        f"| Fbank of {count} x {args.minutes:g} min, median of {args.repeats} | local disk {local_s:.2f} s "
        f"({audio_s / local_s:.0f}x real time) | S3 {s3_s:.2f} s ({audio_s / s3_s:.0f}x real time) "
        f"| S3 / local throughput {local_s / s3_s:.2f} | runs: local "
        f"{', '.join(f'{t:.2f}' for t in timings['local disk'])}; S3 "
        f"{', '.join(f'{t:.2f}' for t in timings['S3 (moto)'])} |"
    )


def _index(args, s3_proxy, work) -> None:
    from lhotse_lite.manifest import load_manifest_lazy
    from lhotse_lite.manifest.remote_indexed import CACHE_ENV_VAR
    from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

    os.environ[CACHE_ENV_VAR] = str(work / "cache")
    n = 100_000
    sups = SupervisionSet(
        [SupervisionSegment(f"utt{i:07d}", f"rec{i // 50}", float(i % 50), 1.0, text=f"word {i}") for i in range(n)]
    )
    picks = np.random.default_rng(1).integers(0, n, size=args.items).tolist()
    for name in ("sups.jsonl", "sups.jsonl.gz"):
        url = f"s3://bench/{name}"
        sups.to_file(url)
        index_gets = []
        for _ in range(2):  # two openings: the index file comes from the cache the second time
            s3_proxy.reset()
            lazy = load_manifest_lazy(url, indexed=True)
            index_gets.append(sum(1 for m, path, _, _ in s3_proxy.requests if m == "GET" and not path.endswith(name)))
        s3_proxy.reset()
        start = time.perf_counter()
        for i in picks:
            assert lazy[i].id == f"utt{i:07d}"
        elapsed = time.perf_counter() - start
        gets, heads = s3_proxy.count("GET"), s3_proxy.count("HEAD")
        print(
            f"| {args.items} random reads of a {n}-item {name} on S3 | {gets / args.items:.2f} GET per item, "
            f"{heads} HEAD, {s3_proxy.bytes_sent() / args.items:.0f} bytes per item, "
            f"{1000 * elapsed / args.items:.1f} ms per item | index file fetched on each of two openings: "
            f"{index_gets} |"
        )


if __name__ == "__main__":
    main()
