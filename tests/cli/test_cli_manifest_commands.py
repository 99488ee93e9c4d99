"""End-to-end tests of ``lite manifest ...`` through click's CliRunner, on Lhotse 1.33's files."""

import json
import shutil

import pytest
from click.testing import CliRunner

from lhotse_lite.audio import RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.manifest import load_manifest
from lhotse_lite.supervision import SupervisionSet


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture
def compat(lhotse_compat_dir, monkeypatch):
    """The fixture folder as the current directory (its manifests use relative audio paths)."""
    monkeypatch.chdir(lhotse_compat_dir)
    return lhotse_compat_dir


# ---- validate --------------------------------------------------------------------------------------


def test_validate_clean_manifests_exit_0(compat):
    result = run("manifest", "validate", "recordings.jsonl.gz", "supervisions.yaml", "feats_lilcom_chunky.jsonl.gz")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "OK" in result.stderr


def test_validate_reports_every_problem(compat, tmp_path):
    sups = tmp_path / "sups.jsonl"
    sups.write_text(
        '{"id": "a", "recording_id": "rec-mono", "start": 1.5, "duration": 1.0}\n'  # ends after 2.0 s
        '{"id": "b", "recording_id": "nope", "start": 0, "duration": 1.0}\n'  # unknown recording
        '{"id": "c", "recording_id": "rec-mono", "start": 0, "duration": -1}\n'  # unreadable item
        '{"id": "a", "recording_id": "rec-mono", "start": 0, "duration": 0.5}\n'  # duplicate id
    )
    recs = tmp_path / "recs.jsonl"
    recs.write_text((compat / "recordings.jsonl").read_text().replace("audio/mono.wav", "audio/missing.wav", 1))
    result = run("manifest", "validate", recs, sups)
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5, lines
    text = result.stdout
    assert "recordings[rec-mono]: audio file does not exist: audio/missing.wav" in text
    assert "supervisions[a]: ends at 2.500 s" in text
    assert "supervisions[b]: recording 'nope'" in text
    assert "sups.jsonl:3" in text
    assert "supervisions[a]: duplicate id" in text
    assert "5 problem(s)" in result.stderr


def test_validate_no_check_files_and_stdin(compat):
    sups = (compat / "supervisions.jsonl").read_text()
    result = run("manifest", "validate", "--no-check-files", "recordings.json", "-", input=sups)
    assert result.exit_code == 0, result.output
    bad = sups.replace('"rec-mono"', '"rec-missing"')
    result = run("manifest", "validate", "recordings.json", "-", input=bad)
    assert result.exit_code == 1
    assert "recording 'rec-missing' is not in the recordings manifest" in result.stdout


# ---- describe --------------------------------------------------------------------------------------


def test_describe_table_and_json(compat):
    result = run("manifest", "describe", "recordings.jsonl", "supervisions.jsonl.gz")
    assert result.exit_code == 0, result.output
    assert "Recordings" in result.stdout and "speaker spk-b" in result.stdout
    result = run("manifest", "describe", "--json", "supervisions.json")
    summary = json.loads(result.stdout)
    # The fixture's durations are 0.8, 1.0 and 0.5 s (see tests/fixtures/lhotse-1.33/supervisions.jsonl).
    assert summary["supervisions"]["count"] == 3
    assert summary["supervisions"]["total_duration_s"] == pytest.approx(2.3)
    assert summary["supervisions"]["speakers"] == {"(none)": 0.5, "spk-a": 0.8, "spk-b": 1.0}


def test_describe_reads_stdin(compat):
    result = run("manifest", "describe", "--json", "-", input=(compat / "recordings.jsonl").read_text())
    summary = json.loads(result.stdout)
    assert summary["recordings"]["channels"] == {"1": 1, "2": 2}


# ---- convert ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".jsonl", ".jsonl.gz", ".json", ".json.gz", ".yaml"])
def test_convert_round_trips(compat, tmp_path, ext):
    out = tmp_path / f"sups{ext}"
    result = run("manifest", "convert", "supervisions.jsonl.gz", out)
    assert result.exit_code == 0, result.output
    assert load_manifest(out) == SupervisionSet.from_file(compat / "supervisions.jsonl.gz")


def test_convert_stdin_to_stdout(compat):
    result = run("manifest", "convert", "-", "-", input=(compat / "recordings.jsonl").read_text())
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["id"] == "rec-mono"


# ---- split, split-lazy, subset, combine --------------------------------------------------------------


def test_split_names_parts_like_lhotse(compat, tmp_path):
    result = run("manifest", "split", 2, "supervisions.jsonl.gz", tmp_path)
    assert result.exit_code == 0, result.output
    parts = sorted(p.name for p in tmp_path.iterdir())
    assert parts == ["supervisions.0.jsonl.gz", "supervisions.1.jsonl.gz"]
    # Lhotse's rule: 3 items in 2 parts -> 2 + 1.
    assert [len(load_manifest(tmp_path / p)) for p in parts] == [2, 1]


def test_split_too_many_parts_is_an_error(compat, tmp_path):
    result = run("manifest", "split", 5, "supervisions.jsonl", tmp_path)
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot split 3 items into 5 parts")


def test_split_lazy_chunks(compat, tmp_path):
    result = run("manifest", "split-lazy", "recordings.jsonl", tmp_path, 2, "--prefix", "recs_")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recs_.00000000.jsonl.gz", "recs_.00000001.jsonl.gz"]


def test_subset_first_and_last(compat):
    first = run("manifest", "subset", "supervisions.jsonl", "-", "--first", 2)
    assert [json.loads(x)["id"] for x in first.stdout.splitlines()] == ["sup-1", "sup-2"]
    last = run("manifest", "subset", "supervisions.yaml", "-", "--last", 1)
    assert [json.loads(x)["id"] for x in last.stdout.splitlines()] == ["sup-3"]
    neither = run("manifest", "subset", "supervisions.yaml", "-")
    assert neither.exit_code == 2 and "exactly one of --first and --last" in neither.stderr


def test_combine_and_duplicate_error(compat, tmp_path):
    run("manifest", "split", 3, "recordings.jsonl", tmp_path / "parts")
    parts = sorted((tmp_path / "parts").iterdir())
    result = run("manifest", "combine", *parts, tmp_path / "all.jsonl.gz")
    assert result.exit_code == 0, result.output
    assert load_manifest(tmp_path / "all.jsonl.gz") == RecordingSet.from_file(compat / "recordings.jsonl")
    dup = run("manifest", "combine", "recordings.jsonl", "recordings.yaml", tmp_path / "dup.jsonl")
    assert dup.exit_code == 1 and "duplicate id" in dup.stderr


def test_combine_mixed_types_is_an_error(compat, tmp_path):
    result = run("manifest", "combine", "recordings.jsonl", "supervisions.jsonl", tmp_path / "x.jsonl")
    assert result.exit_code == 1
    assert "expected manifests of one type" in result.stderr


# ---- filter -----------------------------------------------------------------------------------------


def _ids(result):
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_filter_options(compat):
    assert _ids(run("manifest", "filter", "supervisions.jsonl", "-", "--speaker", "spk-a", "--speaker", "spk-b")) == [
        "sup-1",
        "sup-2",
    ]
    assert _ids(run("manifest", "filter", "supervisions.jsonl", "-", "--min-duration", 0.6, "--max-duration", 0.9)) == [
        "sup-1"
    ]
    assert _ids(run("manifest", "filter", "supervisions.jsonl", "-", "--recording-id", "rec-stereo")) == [
        "sup-2",
        "sup-3",
    ]
    assert _ids(run("manifest", "filter", "recordings.jsonl", "-", "--recording-id", "rec-stereo")) == ["rec-stereo"]


def test_filter_where_expressions(compat):
    assert _ids(run("manifest", "filter", "supervisions.jsonl", "-", "-w", "custom.emotion=neutral")) == ["sup-1"]
    assert _ids(run("manifest", "filter", "supervisions.jsonl", "-", "-w", "channel=1")) == ["sup-2", "sup-3"]
    assert _ids(run("manifest", "filter", "supervisions.jsonl", "-", "-w", "text~^both", "-w", "start<1")) == ["sup-2"]
    assert _ids(run("manifest", "filter", "recordings.jsonl", "-", "-w", "sampling_rate>=16000")) == [
        "rec-mono",
        "rec-stereo",
        "rec-two-sources",
    ]


def test_filter_bad_expression_is_an_error(compat):
    result = run("manifest", "filter", "supervisions.jsonl", "-", "-w", "__import__('os')")
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot parse the filter")


def test_filter_pipes_into_describe(compat):
    filtered = run("manifest", "filter", "supervisions.jsonl.gz", "-", "--speaker", "spk-b")
    summary = json.loads(run("manifest", "describe", "--json", "-", input=filtered.stdout).stdout)
    assert summary["supervisions"]["count"] == 1


# ---- mux --------------------------------------------------------------------------------------------


def test_mux_interleaves_all_items_reproducibly(compat, tmp_path):
    run("manifest", "split", 2, "supervisions.jsonl", tmp_path)
    parts = sorted(tmp_path.iterdir())
    first = _ids(run("manifest", "mux", *parts, "-", "--seed", 1))
    again = _ids(run("manifest", "mux", *parts, "-", "--seed", 1))
    assert first == again
    assert sorted(first) == ["sup-1", "sup-2", "sup-3"]


def test_mux_weight_count_must_match(compat, tmp_path):
    shutil.copy(compat / "supervisions.jsonl", tmp_path / "a.jsonl")
    result = run("manifest", "mux", tmp_path / "a.jsonl", "recordings.jsonl", "-")
    assert result.exit_code == 1 and "one type" in result.stderr
    result = run("manifest", "mux", tmp_path / "a.jsonl", "supervisions.yaml", "-", "--weight", 1)
    assert result.exit_code == 2 and "one --weight per input" in result.stderr


def test_split_shuffle_is_reproducible(compat, tmp_path):
    for name in ("a", "b"):
        assert (
            run("manifest", "split", 3, "supervisions.jsonl", tmp_path / name, "--shuffle", "--seed", 7).exit_code == 0
        )
    for part in ("supervisions.0.jsonl", "supervisions.1.jsonl", "supervisions.2.jsonl"):
        assert (tmp_path / "a" / part).read_text() == (tmp_path / "b" / part).read_text()
