"""Corpus statistics for recordings, supervisions and features: what ``lite manifest describe`` prints.

:func:`describe_manifests` walks each manifest once and returns a plain ``dict`` (JSON-ready);
:func:`format_description` renders it as an aligned text table.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
    >>> sups = SupervisionSet.from_segments(
    ...     [SupervisionSegment("a", "r", 0.0, 1.5, speaker="S1"),
    ...      SupervisionSegment("b", "r", 2.0, 0.5, speaker="S2")])
    >>> summary = describe_manifests(supervisions=sups)
    >>> summary["supervisions"]["count"], summary["supervisions"]["total_duration_s"]
    (2, 2.0)
    >>> summary["supervisions"]["speakers"]["S1"]
    1.5
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Dict, Iterable, List, Optional

__all__ = [
    "describe_manifests",
    "describe_indexed",
    "format_description",
    "describe_feature_matrix",
    "plot_feature_matrix",
    "PERCENTILES",
]

PERCENTILES = (0, 25, 50, 75, 90, 99, 100)
"""The duration percentiles reported (0 is the minimum, 100 the maximum)."""

_FEATURE_COUNTS = ("types", "num_features", "frame_shifts", "storage_types")


def describe_manifests(
    recordings: Optional[Iterable[Any]] = None,
    supervisions: Optional[Iterable[Any]] = None,
    features: Optional[Iterable[Any]] = None,
) -> Dict[str, Any]:
    """Summarises recordings, supervisions and/or features.

    Args:
        recordings: A ``RecordingSet`` or any iterable of ``Recording`` (may be lazy).
        supervisions: A ``SupervisionSet`` or any iterable of ``SupervisionSegment``.
        features: A ``FeatureSet`` or any iterable of ``Features``.

    Returns:
        ``{"recordings": {...}, "supervisions": {...}}`` with the keys present for the manifests
        given. Recordings: count, total duration (s and h), duration percentiles, channel counts
        and sampling rates (value -> number of recordings). Supervisions: count, total duration,
        percentiles, per-speaker total duration (s), languages, and the number of recordings covered.
        Features: count, total duration, percentiles, total frames, and counts by extractor type,
        feature dimension, frame shift and storage type.

    Example:
        >>> describe_manifests()
        {}
    """
    summary: Dict[str, Any] = {}
    if recordings is not None:
        durations: List[float] = []
        channels: Counter = Counter()
        rates: Counter = Counter()
        for recording in recordings:
            durations.append(recording.duration)
            channels[len(recording.channel_ids)] += 1
            rates[recording.sampling_rate] += 1
        summary["recordings"] = {
            **_duration_stats(durations),
            "channels": dict(sorted(channels.items())),
            "sampling_rates": dict(sorted(rates.items())),
        }
    if supervisions is not None:
        durations = []
        speakers: Dict[str, float] = defaultdict(float)
        languages: Counter = Counter()
        recording_ids = set()
        for segment in supervisions:
            durations.append(segment.duration)
            speakers[segment.speaker if segment.speaker is not None else "(none)"] += segment.duration
            if segment.language is not None:
                languages[segment.language] += 1
            recording_ids.add(segment.recording_id)
        summary["supervisions"] = {
            **_duration_stats(durations),
            "recordings_covered": len(recording_ids),
            "speakers": {k: round(v, 3) for k, v in sorted(speakers.items())},
            "languages": dict(sorted(languages.items())),
        }
    if features is not None:
        durations = []
        frames = 0
        counters: Dict[str, Counter] = {key: Counter() for key in _FEATURE_COUNTS}
        for feats in features:
            durations.append(feats.duration)
            frames += feats.num_frames
            counters["types"][feats.type] += 1
            counters["num_features"][feats.num_features] += 1
            counters["frame_shifts"][feats.frame_shift] += 1
            counters["storage_types"][feats.storage_type] += 1
        summary["features"] = {
            **_duration_stats(durations),
            "total_frames": frames,
            **{key: dict(sorted(counter.items())) for key, counter in counters.items()},
        }
    return summary


def describe_indexed(paths: Iterable[Any]) -> Dict[str, Any]:
    """Count and total duration of indexed manifest files, from their index summaries (no data is read).

    Args:
        paths: Manifest files indexed by ``lite index`` or written by lhotse_lite (``<file>.idx.json``).

    Returns:
        ``{path: {"manifest_type", "count", "total_duration_s", "total_duration_h"}}`` (durations
        ``None`` when an item has none).

    Raises:
        ManifestNotFoundError: A file has no index summary (index it with ``lite index``).
        StaleIndexError: A summary does not match its file.

    Example:
        >>> import os, tempfile
        >>> from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
        >>> path = os.path.join(tempfile.mkdtemp(), "sups.jsonl")
        >>> SupervisionSet([SupervisionSegment("a", "r", 0.0, 1800.0)]).to_file(path)
        >>> describe_indexed([path])[path]
        {'manifest_type': 'SupervisionSet', 'count': 1, 'total_duration_s': 1800.0, 'total_duration_h': 0.5}
    """
    from lhotse_lite.errors import ManifestNotFoundError
    from lhotse_lite.manifest.sidecars import read_summary, summary_path

    result: Dict[str, Any] = {}
    for path in paths:
        summary = read_summary(path)
        if summary is None:
            raise ManifestNotFoundError(
                f"{path} has no index summary {str(summary_path(path))!r}; "
                f"index it with `lite index {path}` (or describe it without --quick)"
            )
        total = summary.get("total_duration")
        result[str(path)] = {
            "manifest_type": summary.get("manifest_type"),
            "count": summary["items"],
            "total_duration_s": total,
            "total_duration_h": None if total is None else round(total / 3600, 3),
        }
    return result


def format_description(summary: Dict[str, Any]) -> str:
    """Renders :func:`describe_manifests` output as a text table.

    Example:
        >>> print(format_description({"recordings": {"count": 1, "total_duration_s": 2.0,
        ...     "total_duration_h": 0.001, "duration_percentiles_s": {"50": 2.0},
        ...     "channels": {1: 1}, "sampling_rates": {16000: 1}}}))
        Recordings
          count                 1
          total duration        2.00 s (0.001 h)
          duration p50          2.00 s
          channels              1: 1
          sampling rates        16000: 1
    """
    lines: List[str] = []
    for name, section in summary.items():
        lines.append(name.capitalize())
        rows = [
            ("count", str(section["count"])),
            (
                "total duration",
                f"{section['total_duration_s']:.2f} s ({section['total_duration_h']:.3f} h)",
            ),
        ]
        for pct, value in section["duration_percentiles_s"].items():
            rows.append((f"duration p{pct}", f"{value:.2f} s"))
        if "total_frames" in section:
            rows.append(("total frames", str(section["total_frames"])))
        for key in ("channels", "sampling_rates", "languages", *_FEATURE_COUNTS):
            if section.get(key):
                rows.append((key.replace("_", " "), ", ".join(f"{k}: {v}" for k, v in section[key].items())))
        if "recordings_covered" in section:
            rows.append(("recordings covered", str(section["recordings_covered"])))
        for speaker, seconds in section.get("speakers", {}).items():
            rows.append((f"speaker {speaker}", f"{seconds:.2f} s"))
        lines.extend(f"  {key:<21} {value}" for key, value in rows)
    return "\n".join(lines)


def _duration_stats(durations: List[float]) -> Dict[str, Any]:
    total = float(sum(durations))
    return {
        "count": len(durations),
        "total_duration_s": round(total, 3),
        "total_duration_h": round(total / 3600.0, 3),
        "duration_percentiles_s": {str(p): round(_percentile(durations, p), 3) for p in PERCENTILES}
        if durations
        else {},
    }


def _percentile(values: List[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default method), without importing numpy."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def describe_feature_matrix(features: Any) -> Dict[str, Any]:
    """Loads one stored feature matrix and summarises it: shape and value statistics.

    Args:
        features: A ``Features`` item (anything with ``load()`` returning ``(frames, dim)``).

    Returns:
        ``{"recording_id", "shape", "min", "max", "mean", "std", "bin_means", "bin_stds"}``; the
        per-bin lists have ``dim`` entries, values are rounded to 6 significant digits.

    Example:
        >>> import numpy as np
        >>> from lhotse_lite.features.manifest import Features
        >>> from lhotse_lite.features.io import MemoryNpyWriter
        >>> feats = Features.from_array(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32),
        ...                             MemoryNpyWriter(), frame_shift=0.01, sampling_rate=16000)
        >>> info = describe_feature_matrix(feats)
        >>> info["shape"], info["mean"], info["bin_means"]
        ([2, 2], 2.5, [2.0, 3.0])
    """
    import numpy as np

    matrix = np.asarray(features.load(), dtype=np.float64)
    if matrix.ndim != 2 or matrix.size == 0:
        return {"recording_id": features.recording_id, "shape": list(matrix.shape)}

    def rounded(values: Any) -> Any:
        return [float(f"{v:.6g}") for v in values] if np.ndim(values) else float(f"{values:.6g}")

    return {
        "recording_id": features.recording_id,
        "shape": list(matrix.shape),
        "min": rounded(matrix.min()),
        "max": rounded(matrix.max()),
        "mean": rounded(matrix.mean()),
        "std": rounded(matrix.std()),
        "bin_means": rounded(matrix.mean(axis=0)),
        "bin_stds": rounded(matrix.std(axis=0)),
    }


def plot_feature_matrix(features: Any, path: Any, title: Optional[str] = None) -> None:
    """Saves one stored feature matrix as an image (time on x, feature bins on y), e.g. a PNG.

    Uses matplotlib's non-interactive ``Agg`` backend, so it works without a display.

    Args:
        features: A ``Features`` item (anything with ``load()``, ``frame_shift`` and ``recording_id``).
        path: The image file; its extension picks the format (``.png``, ``.pdf``, ``.svg``).
        title: The plot title; default ``"<type> of <recording_id>"``.

    Example:
        >>> import os, tempfile, numpy as np
        >>> from lhotse_lite.features.manifest import Features
        >>> from lhotse_lite.features.io import MemoryNpyWriter
        >>> feats = Features.from_array(np.random.rand(50, 8).astype(np.float32), MemoryNpyWriter(),
        ...                             frame_shift=0.01, sampling_rate=16000)
        >>> path = os.path.join(tempfile.mkdtemp(), "feats.png")
        >>> plot_feature_matrix(feats, path)
        >>> open(path, "rb").read(4)
        b'\\x89PNG'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    matrix = np.asarray(features.load())
    seconds = matrix.shape[0] * features.frame_shift
    fig, ax = plt.subplots(figsize=(max(4.0, min(16.0, 2.0 + seconds * 2.0)), 3.5))
    try:
        image = ax.imshow(
            matrix.T, origin="lower", aspect="auto", interpolation="nearest", extent=(0.0, seconds, 0, matrix.shape[1])
        )
        ax.set_xlabel("time (s)")
        ax.set_ylabel("feature bin")
        ax.set_title(title if title is not None else f"{features.type} of {features.recording_id}")
        fig.colorbar(image, ax=ax)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
