"""Small manifests built the same way with either library (a ``Library`` from the conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List


def segments(lib: Any, n: int = 12, recordings: int = 3) -> List[Any]:
    """``n`` supervision segments over ``recordings`` recordings, with some optional fields set."""
    out = []
    for k in range(n):
        rec = f"rec{k % recordings}"
        out.append(
            lib.SupervisionSegment(
                id=f"{rec}-{k:03d}",
                recording_id=rec,
                start=round(0.5 * k, 3),
                duration=round(0.25 + 0.1 * (k % 4), 3),
                channel=0 if k % 5 else [0, 1],
                text=f"utterance number {k}" if k % 3 else None,
                speaker=f"spk{k % 2}",
                language="English" if k % 2 else None,
                custom={"snr": float(k)} if k % 4 == 0 else None,
            )
        )
    return out


def sup_set(lib: Any, workdir: Path, lazy: bool, n: int = 12) -> Any:
    """A SupervisionSet of :func:`segments`, eager or lazily read from a JSONL file in ``workdir``."""
    eager = lib.SupervisionSet.from_segments(segments(lib, n))
    if not lazy:
        return eager
    path = workdir / f"sups-{n}.jsonl.gz"
    eager.to_jsonl(path)
    return lib.SupervisionSet.from_jsonl_lazy(path)


def recordings(lib: Any, n: int = 4) -> List[Any]:
    return [
        lib.Recording(
            id=f"rec{k}",
            sources=[lib.AudioSource(type="file", channels=[0], source=f"audio/rec{k}.wav")],
            sampling_rate=16000,
            num_samples=16000 * (k + 1),
            duration=float(k + 1),
        )
        for k in range(n)
    ]


def features(lib: Any, n: int = 3) -> List[Any]:
    return [
        lib.Features(
            type="kaldi-fbank",
            num_frames=100 * (k + 1),
            num_features=80,
            frame_shift=0.01,
            sampling_rate=16000,
            start=0.0,
            duration=float(k + 1),
            storage_type="lilcom_chunky",
            storage_path="feats.lca",
            storage_key=str(1000 * k),
            recording_id=f"rec{k}",
            channels=0,
        )
        for k in range(n)
    ]


def ids(manifest: Any) -> List[Any]:
    return [item.id for item in manifest]


def dicts(manifest: Any) -> List[dict]:
    return [item.to_dict() for item in manifest]
