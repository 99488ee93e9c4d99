"""``lhotse.recipes.utils`` on Lhotse 1.33 and ``lhotse_lite.recipes.utils``: the same files found and read."""

from __future__ import annotations

import importlib

import pytest

pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")


def utils(lib):
    return importlib.import_module(f"{lib.name}.recipes.utils")


def _write_corpus(lib, workdir):
    """dev: recordings, supervisions, features (JSONL.gz); test: supervisions only; a JSON part too."""
    rec = lib.Recording(
        id="r",
        sources=[lib.AudioSource(type="file", channels=[0], source="r.wav")],
        sampling_rate=16000,
        num_samples=16000,
        duration=1.0,
    )
    sups = lib.SupervisionSet.from_segments(
        [lib.SupervisionSegment(id=f"s{k}", recording_id="r", start=0.1 * k, duration=0.1) for k in range(3)]
    )
    feats = lib.FeatureSet.from_features(
        [
            lib.Features(
                type="kaldi-fbank",
                num_frames=100,
                num_features=80,
                frame_shift=0.01,
                sampling_rate=16000,
                start=0.0,
                duration=1.0,
                storage_type="lilcom_files",
                storage_path="f",
                storage_key="k.llc",
                recording_id="r",
                channels=0,
            )
        ]
    )
    lib.RecordingSet.from_recordings([rec]).to_file(workdir / "toy_recordings_dev.jsonl.gz")
    sups.to_file(workdir / "toy_supervisions_dev.jsonl.gz")
    feats.to_file(workdir / "toy_features_dev.jsonl.gz")
    sups.to_file(workdir / "toy_supervisions_test.jsonl.gz")
    sups.to_file(workdir / "supervisions_train.json")


def _summary(found):
    if found is None:
        return None
    return {
        part: {kind: (type(m).__name__, m.is_lazy, [x.to_dict() for x in m]) for kind, m in sorted(d.items())}
        for part, d in sorted(found.items())
    }


def test_read_manifests_if_cached(compare):
    def scenario(lib, workdir):
        _write_corpus(lib, workdir)
        read = utils(lib).read_manifests_if_cached
        return [
            _summary(read(["dev", "test", "nothing"], workdir, prefix="toy")),
            _summary(read("dev", workdir, prefix="toy_", suffix=".jsonl.gz", types=["features", "supervisions"])),
            _summary(read(["dev", "test"], workdir, "toy", lazy=True)),
            _summary(read(["train"], workdir, suffix="json", types=["supervisions"])),
            _summary(read(["dev"], None)),
            _summary(read(["dev"], workdir / "missing", prefix="toy")),
            _summary(read([], workdir)),
        ]

    result = compare(scenario)
    assert [sorted(r) for r in result if r is not None] == [
        ["dev", "test"],
        ["dev"],
        ["dev", "test"],
        ["train"],
        [],
        [],
    ]


def test_lazy_needs_jsonl(compare):
    def scenario(lib, workdir):
        _write_corpus(lib, workdir)
        return utils(lib).read_manifests_if_cached(["train"], workdir, suffix="json", lazy=True)

    compare.raises(scenario, ValueError)


def test_manifests_exist(compare):
    def scenario(lib, workdir):
        _write_corpus(lib, workdir)
        exist = utils(lib).manifests_exist
        return [
            exist("dev", workdir, prefix="toy"),
            exist("test", workdir, prefix="toy"),
            exist("test", workdir, types=["supervisions"], prefix="toy_"),
            exist("dev", workdir, ("recordings", "supervisions", "features"), prefix="toy", suffix=".jsonl.gz"),
            exist("train", workdir, types=["supervisions"], suffix="json"),
            exist("dev", None, prefix="toy"),
            exist("dev", workdir),
            list(utils(lib).DEFAULT_DETECTED_MANIFEST_TYPES),
        ]

    assert compare(scenario) == [True, False, True, True, True, False, False, ["recordings", "supervisions"]]


def test_time_format_converter(compare):
    def scenario(lib, workdir):
        convert = utils(lib).TimeFormatConverter
        times = ["00:00:00.000", "01:02:03.500", "10:59:59.999", "0:1:2", "100:00:00.25"]
        seconds = [0.0, 0.5, 59.9994, 60.0, 3723.5, 86399.9, 360000.25]
        return [convert.hms_to_seconds(t) for t in times], [convert.seconds_to_hms(s) for s in seconds]

    compare(scenario)
