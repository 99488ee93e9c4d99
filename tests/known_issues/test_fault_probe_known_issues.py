"""Regression tests for the gaps a probe of bad inputs and faults found (issue 17), one per case.

Each test reproduces what the probe did, as a user would, mostly through the ``lite`` CLI. The kill
tests run the work in a child process, kill it with SIGKILL and are bounded to seconds.
"""

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import AudioSource, Recording, RecordingSet, set_command_sources_allowed
from lhotse_lite.cli import cli
from lhotse_lite.errors import CommandSourceRefusedError, FileWriteError
from lhotse_lite.manifest.sidecars import is_index_file
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet

START_TIMEOUT_S = 180  # a child on a loaded 2-core machine may take long to import torch and start
EXIT_TIMEOUT_S = 10  # what "exits when its parent dies" must mean in practice


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def _one_error_line(result):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert "Error: " in last, result.stderr
    return last[last.index("Error: "):]  # after a progress bar that the error ended


def _wav(path, seconds=1.0, rate=16000, seed=0):
    rng = np.random.default_rng(seed)
    sf.write(path, (0.1 * rng.standard_normal(int(seconds * rate))).astype(np.float32), rate)
    return path


@pytest.fixture(autouse=True)
def _guard_reset():
    yield
    set_command_sources_allowed(None)


# ---- 1. shell commands from manifests ------------------------------------------------------------


def test_command_sources_are_listed_and_can_be_refused(tmp_path):
    # Bug: a manifest's command source ran through the shell silently; validate said only "OK".
    wav = _wav(tmp_path / "a.wav")
    marker = tmp_path / "ran"
    command = f"touch {marker} && cat {wav}"
    recs = tmp_path / "recs.jsonl"
    RecordingSet([Recording("r1", [AudioSource("command", [0], command)], 16000, 16000, 1.0)]).to_file(recs)
    result = run("manifest", "validate", recs)
    assert result.exit_code == 0
    assert "1 command source(s)" in result.stderr and repr(command) in result.stderr
    assert not marker.exists()  # validating does not run it

    set_command_sources_allowed(False)
    with pytest.raises(CommandSourceRefusedError, match=r"recording 'r1'.*refusing to run.*touch"):
        RecordingSet.from_file(recs)["r1"].load_audio()
    assert not marker.exists()
    set_command_sources_allowed(None)
    assert RecordingSet.from_file(recs)["r1"].load_audio().shape == (1, 16000)  # trusted data: as Lhotse
    assert marker.exists()


def test_kaldi_import_runs_commands_only_when_allowed(tmp_path):
    wav = _wav(tmp_path / "a.wav")
    marker = tmp_path / "ran"
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"r1 touch {marker} && cat {wav} |\n")
    message = _one_error_line(run("kaldi", "import", data, tmp_path / "out", "-s", 16000))
    assert "'r1'" in message and "touch" in message and "--allow-commands" in message
    assert not marker.exists()
    (data / "utt2dur").write_text("r1 1.0\n")  # whole-recording utterances: their durations suffice
    assert run("kaldi", "import", data, tmp_path / "out", "-s", 16000).exit_code == 0
    assert not marker.exists()
    (data / "utt2dur").unlink()
    assert run("kaldi", "import", data, tmp_path / "out", "--allow-commands").exit_code == 0
    assert marker.exists()


# ---- 2. orphaned workers -------------------------------------------------------------------------

EXTRACT = textwrap.dedent("""
    import sys, time
    from lhotse_lite.audio import Recording
    from lhotse_lite.features.base import FeatureSetBuilder
    from lhotse_lite.features.io import LilcomChunkyWriter
    from lhotse_lite.features.kaldi.extractors import Fbank

    def slow(samples, rate):
        time.sleep(0.2)
        return samples

    if __name__ == "__main__":  # workers import this file too
        storage, manifest, wav, count, jobs, *flush_seconds = sys.argv[1:]
        if flush_seconds:  # how often the manifest is flushed (default: every second)
            import lhotse_lite.features.builder
            lhotse_lite.features.builder.MANIFEST_FLUSH_SECONDS = float(flush_seconds[0])
        recs = [Recording.from_file(wav, recording_id=f"r{i}") for i in range(int(count))]
        with LilcomChunkyWriter(storage) as writer:
            FeatureSetBuilder(Fbank(), writer, augment_fn=slow).process_and_store_recordings(
                recs, output_manifest=manifest, num_jobs=int(jobs), progress_bar=False)
""")


def _session_processes(session_id):
    """The processes of a session (``setsid``) that are not zombies: pid -> command line."""
    alive = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            alive[int(entry.name)] = cmdline
    return alive


def _wait_for_lines(path, count, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_parent_leaves_no_worker_fork_server_or_tracker(tmp_path):
    # Bug: SIGKILL of `lite feat extract -j 2` left the fork server, both workers and the resource
    # tracker running (about 640 MB) for minutes: the workers waited for work forever.
    wav = _wav(tmp_path / "a.wav", seconds=2.0)
    manifest = tmp_path / "f.jsonl"
    script = tmp_path / "extract.py"  # a file, so that the workers can import its augment_fn
    script.write_text(EXTRACT)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "f.lca"), str(manifest), str(wav),
                             "200", "2"], start_new_session=True)
    try:
        assert _wait_for_lines(tmp_path / "f.jsonl.partial", 2, proc, START_TIMEOUT_S), "workers never produced"
        before = _session_processes(proc.pid)
        assert sum("forkserver" in c for c in before.values()) >= 3, before  # server + 2 workers
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + EXIT_TIMEOUT_S
        while _session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_processes(proc.pid) == {}
    finally:
        for pid in _session_processes(proc.pid):  # never leave them behind, even when the test fails
            _kill_quietly(pid)


def _kill_quietly(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# ---- 3. silent empties and silent corruption -----------------------------------------------------


def test_filter_on_a_misspelt_field_is_an_error(tmp_path):
    sups = tmp_path / "s.jsonl"
    SupervisionSet([SupervisionSegment("s1", "r1", 0, 1, speaker="spk1")]).to_file(sups)
    message = _one_error_line(run("manifest", "filter", "--where", "speker=spk1", sups, tmp_path / "o.jsonl"))
    assert "'speker'" in message and "did you mean 'speaker'" in message and "recording_id" in message
    assert not (tmp_path / "o.jsonl").exists()


def test_kaldi_export_never_writes_an_unreadable_directory(tmp_path, caplog):
    wav = _wav(tmp_path / "a.wav")
    recs, sups = tmp_path / "r.jsonl", tmp_path / "s.jsonl"
    RecordingSet([Recording.from_file(wav, recording_id="a")]).to_file(recs)
    SupervisionSet([SupervisionSegment("utt 1", "a", 0, 0.5)]).to_file(sups)
    assert "'utt 1'" in _one_error_line(run("kaldi", "export", recs, sups, tmp_path / "bad"))
    SupervisionSet([SupervisionSegment("u1", "a", 0, 0.5, text="two\nlines\tand a tab", speaker="s")]).to_file(sups)
    result = run("kaldi", "export", recs, sups, tmp_path / "data")
    assert result.exit_code == 0 and "line breaks or tabs" in caplog.text
    assert run("kaldi", "import", tmp_path / "data", tmp_path / "back", "-s", 16000).exit_code == 0
    back = SupervisionSet.from_file(tmp_path / "back" / "supervisions.jsonl.gz")
    assert [s.text for s in back] == ["two lines and a tab"]


def test_feat_extract_refuses_duplicate_recording_ids(tmp_path):
    wav = _wav(tmp_path / "a.wav")
    line = json.dumps(Recording.from_file(wav, recording_id="a").to_dict())
    recs = tmp_path / "dup.jsonl"
    recs.write_text(line + "\n" + line + "\n")
    message = _one_error_line(run("feat", "extract", recs, tmp_path / "out"))
    assert "'a'" in message and f"{recs}:2" in message
    assert not (tmp_path / "out" / "feats.jsonl.gz").exists()


# ---- 4. tracebacks from the CLI --------------------------------------------------------------------


@pytest.mark.parametrize("text,where,what", [
    ("feature_type: kaldi-fbank\nnum_filters: [80\n", ":3:", "invalid YAML"),
    ("feature_type: kaldi-fbank\nnum_filters: !!python/object/apply:os.system ['true']\n", ":2:", "python"),
    ("feature_type: kaldi-fbank\nnum_filters: eighty\n", "", "num_filters must be an int, got 'eighty'"),
])
def test_bad_config_files_are_one_error_line(tmp_path, text, where, what):
    config = tmp_path / "fbank.yaml"
    config.write_text(text)
    recs = tmp_path / "r.jsonl"
    RecordingSet([Recording.from_file(_wav(tmp_path / "a.wav"), recording_id="a")]).to_file(recs)
    message = _one_error_line(run("feat", "extract", "-c", config, recs, tmp_path / "out"))
    assert f"{config}{where}" in message and what in message


# ---- 5. validation that checks what it says --------------------------------------------------------


def test_validate_reports_every_malformed_line_and_checks_audio_on_request(tmp_path):
    wav = _wav(tmp_path / "a.wav")
    good = Recording.from_file(wav, recording_id="a").to_dict()
    longer = dict(good, id="b", num_samples=20000, duration=1.25)  # the file holds 1 s
    recs = tmp_path / "recs.jsonl"
    recs.write_text("\n".join([json.dumps(good), "{oops", json.dumps(longer), "[1]", json.dumps(good)]) + "\n")
    result = run("manifest", "validate", recs)
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == [f"{recs}:2", f"{recs}:4", f"{recs}:5"]
    assert f"duplicate id (first at {recs}:1)" in result.stdout
    assert "audio contents were not checked" in result.stderr
    result = run("manifest", "validate", "--read-data", recs)
    assert f"{recs}:3: recordings[b]: file source" in result.stdout and "decodes to 16000 samples" in result.stdout
    assert "not checked" not in result.stderr


# ---- 6. leftovers after a kill -----------------------------------------------------------------------

TO_FILE = textwrap.dedent("""
    import sys, time
    from lhotse_lite.manifest import formats

    def slow():
        for i in range(100000):
            time.sleep(0.001)
            yield {"id": f"s{i}", "recording_id": "r", "start": 0.0, "duration": 1.0}

    print("writing", flush=True)
    formats.write_dicts(slow(), sys.argv[1])
""")


def test_killed_to_file_leaves_no_temp_files_behind_after_the_next_write(tmp_path):
    target = tmp_path / "sups.jsonl.gz"
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-c", TO_FILE, str(target)], stdout=subprocess.PIPE)
        assert proc.stdout.readline() == b"writing\n"
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob(".sups.jsonl.gz.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(list(tmp_path.glob(".*.tmp"))) == 1 and not target.exists()  # the 2nd write removed the 1st's
    SupervisionSet([SupervisionSegment("s1", "r", 0, 1)]).to_file(target)
    assert sorted(p.name for p in tmp_path.iterdir() if not is_index_file(p.name)) == ["sups.jsonl.gz"]


def _referenced_end(partial):
    ends = [sum(int(f) for f in json.loads(line)["storage_key"].split(","))
            for line in partial.read_text().splitlines() if line.endswith("}")]
    return max(ends, default=0)


def test_resumed_archive_does_not_grow_by_the_unreferenced_bytes_of_killed_runs(tmp_path):
    # Bug: each interrupted run left the matrices it stored after its last manifest flush in the
    # archive; the resume appended after them (+64 % after two kills).
    wav = _wav(tmp_path / "a.wav", seconds=2.0)
    archive, manifest, partial = tmp_path / "k.lca", tmp_path / "k.jsonl", tmp_path / "k.jsonl.partial"
    args = [str(archive), str(manifest), str(wav), "16", "1"]
    garbage = 0
    for _ in range(2):  # two kills, each after storing matrices whose lines were never flushed
        kept = partial.read_text().count("\n") if partial.exists() else 0
        proc = subprocess.Popen([sys.executable, "-c", EXTRACT, *args, "1000"])  # flush the 1st line only
        try:
            assert _wait_for_lines(partial, kept + 1, proc, START_TIMEOUT_S)
            deadline = time.monotonic() + 60
            while archive.stat().st_size <= _referenced_end(partial) and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        garbage += archive.stat().st_size - _referenced_end(partial)
    assert garbage > 0  # the kills did leave unreferenced bytes behind
    fast = EXTRACT.replace("time.sleep(0.2)", "pass")
    subprocess.run([sys.executable, "-c", fast, *args], check=True, timeout=START_TIMEOUT_S)
    subprocess.run([sys.executable, "-c", fast, str(tmp_path / "clean.lca"), str(tmp_path / "c.jsonl"), *args[2:]],
                   check=True, timeout=START_TIMEOUT_S)
    assert archive.read_bytes() == (tmp_path / "clean.lca").read_bytes()
    assert manifest.read_text().replace("k.lca", "clean.lca") == (tmp_path / "c.jsonl").read_text()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    recs = tmp_path / "r.jsonl"
    RecordingSet([Recording.from_file(_wav(tmp_path / "a.wav"), recording_id="a")]).to_file(recs)
    (tmp_path / "out").mkdir()
    os.symlink("/dev/full", tmp_path / "out" / "feats.lca")  # every write: ENOSPC
    message = _one_error_line(run("feat", "extract", recs, tmp_path / "out"))
    assert f"cannot write '{tmp_path / 'out' / 'feats.lca'}': No space left on device" in message

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(FileWriteError, match=r"sups\.jsonl") as caught:
        SupervisionSet([SupervisionSegment("s1", "r", 0, 1)]).to_file(tmp_path / "sups.jsonl")
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert not list(tmp_path.glob(".sups*"))  # the temporary file is removed
