"""End-to-end tests of ``lite rttm|ctm|kaldi import|export`` through click's CliRunner."""

import json

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.manifest import load_manifest
from lhotse_lite.supervision import SupervisionSet


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture
def sups_path(lhotse_compat_dir):
    return lhotse_compat_dir / "supervisions.jsonl.gz"


# ---- RTTM -------------------------------------------------------------------------------------------


def test_rttm_import_several_files(tmp_path):
    # NIST RTTM speaker lines (fields: type file channel onset duration <NA> <NA> speaker <NA> <NA>).
    (tmp_path / "a.rttm").write_text(
        "SPEAKER rec1 1 130.43 2.35 <NA> <NA> juliet <NA> <NA>\nSPEAKER rec1 1 133.00 0.00 <NA> <NA> romeo <NA> <NA>\n"
    )
    (tmp_path / "b.rttm").write_text("SPEAKER rec2 1 0.5 1.0 <NA> <NA> romeo <NA> <NA>\n")
    out = tmp_path / "sups.jsonl.gz"
    result = run("rttm", "import", tmp_path / "a.rttm", tmp_path / "b.rttm", out)
    assert result.exit_code == 0, result.output
    sups = load_manifest(out)
    # Lhotse's ids: <recording>-<0-based line index:06d>; zero-duration turns skipped.
    assert [(s.id, s.start, s.duration, s.speaker) for s in sups] == [
        ("rec1-000000", 130.43, 2.35, "juliet"),
        ("rec2-000000", 0.5, 1.0, "romeo"),
    ]


def test_rttm_export_then_import(tmp_path, sups_path):
    result = run("rttm", "export", sups_path, tmp_path / "x.rttm")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "x.rttm").read_text().splitlines()
    assert lines[0] == "SPEAKER rec-mono 0 0.1 0.8 <NA> <NA> spk-a <NA> <NA>"
    back = run("rttm", "import", tmp_path / "x.rttm", "-")
    assert [json.loads(x)["speaker"] for x in back.stdout.splitlines()] == ["spk-a", "spk-b", "<NA>"]


def test_rttm_bad_line_is_an_error(tmp_path):
    (tmp_path / "bad.rttm").write_text("SPEAKER rec1 1 0.0 1.0 <NA> <NA> a <NA> <NA>\nSPEAKER rec1 1 x\n")
    result = run("rttm", "import", tmp_path / "bad.rttm", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "bad.rttm:2" in result.stderr


def test_rttm_export_needs_supervisions(tmp_path, lhotse_compat_dir):
    result = run("rttm", "export", lhotse_compat_dir / "recordings.jsonl", tmp_path / "x.rttm")
    assert result.exit_code == 1 and "expected a supervisions manifest, got recordings" in result.stderr


# ---- CTM --------------------------------------------------------------------------------------------


def test_ctm_export_import_round_trip(tmp_path, sups_path):
    result = run("ctm", "export", sups_path, tmp_path / "a.ctm")
    assert result.exit_code == 0, result.output
    # Lhotse's layout: two decimals, the score only when present.
    assert (tmp_path / "a.ctm").read_text() == "rec-mono 0 0.10 0.40 hello 0.90\nrec-mono 0 0.50 0.40 world\n"
    plain = tmp_path / "plain.jsonl"
    SupervisionSet.from_file(sups_path).map(lambda s: s.with_alignment("word", [])).to_file(plain)
    result = run("ctm", "import", plain, tmp_path / "a.ctm", tmp_path / "aligned.jsonl")
    assert result.exit_code == 0, result.output
    aligned = load_manifest(tmp_path / "aligned.jsonl")
    assert [a.symbol for a in aligned["sup-1"].alignment["word"]] == ["hello", "world"]
    assert aligned["sup-3"].alignment["word"] == []


def test_ctm_import_phone_type_and_bad_file(tmp_path, sups_path):
    (tmp_path / "p.ctm").write_text("rec-stereo 1 1.3 0.1 AH\n")
    result = run("ctm", "import", sups_path, tmp_path / "p.ctm", "-", "--type", "phone", "--match-channel")
    rows = {json.loads(x)["id"]: json.loads(x) for x in result.stdout.splitlines()}
    assert rows["sup-3"]["alignment"]["phone"] == [["AH", 1.3, 0.1, None]]  # Lhotse keeps a null score
    (tmp_path / "bad.ctm").write_text("rec 1 0.1\n")
    result = run("ctm", "import", sups_path, tmp_path / "bad.ctm", "-")
    assert result.exit_code == 1 and "bad.ctm:1" in result.stderr


# ---- Kaldi ------------------------------------------------------------------------------------------


def test_kaldi_export_import_round_trip(tmp_path, lhotse_compat_dir, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)
    recs, sups = tmp_path / "recs.jsonl", tmp_path / "sups.jsonl"
    run("manifest", "filter", "recordings.jsonl", recs, "--recording-id", "rec-mono")
    run("manifest", "filter", "supervisions.jsonl", sups, "--recording-id", "rec-mono")
    result = run("kaldi", "export", recs, sups, tmp_path / "data")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "wav.scp").read_text() == "rec-mono audio/mono.wav\n"
    assert (tmp_path / "data" / "text").read_text() == "sup-1 hello world\n"
    result = run("kaldi", "import", tmp_path / "data", tmp_path / "out", "--prefix", "demo_")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "demo_recordings.jsonl.gz",
        "demo_supervisions.jsonl.gz",
    ]
    assert load_manifest(tmp_path / "out" / "demo_recordings.jsonl.gz") == load_manifest(recs)
    back = load_manifest(tmp_path / "out" / "demo_supervisions.jsonl.gz")["sup-1"]
    assert (back.start, back.duration, back.text, back.speaker, back.gender) == (0.1, 0.8, "hello world", "spk-a", "f")


def test_kaldi_import_piped_wav_scp_with_threads(tmp_path, lhotse_compat_dir):
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(
        f"r1 cat {lhotse_compat_dir / 'audio' / 'mono.wav'} |\nr2 {lhotse_compat_dir / 'audio' / 'stereo.flac'}\n"
    )
    result = run("kaldi", "import", data, tmp_path / "out", "-j", 2)
    assert result.exit_code == 1 and "--allow-commands" in result.stderr  # commands need consent
    result = run("kaldi", "import", data, tmp_path / "out", "-j", 2, "--allow-commands")
    assert result.exit_code == 0, result.output
    recs = load_manifest(tmp_path / "out" / "recordings.jsonl.gz")
    assert recs["r1"].sources[0].type == "command" and recs["r1"].duration == 2.0
    assert recs["r2"].channel_ids == [0, 1]
    assert not (tmp_path / "out" / "supervisions.jsonl.gz").exists()


def test_kaldi_import_bad_segments_is_an_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text("r1 a.wav\n")
    (data / "reco2dur").write_text("r1 1.0\n")
    (data / "segments").write_text("u1 r1 0.0 0.5\nu2 r1 zero 0.5\n")
    result = run("kaldi", "import", data, tmp_path / "out", "-s", 16000)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "segments:2" in result.stderr
    assert "Traceback" not in result.output


def test_kaldi_import_not_a_data_dir(tmp_path):
    result = run("kaldi", "import", tmp_path, tmp_path / "out")
    assert result.exit_code == 1 and "no wav.scp" in result.stderr
