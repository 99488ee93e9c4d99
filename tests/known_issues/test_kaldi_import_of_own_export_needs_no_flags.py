"""``lite kaldi import`` of a directory that ``lite kaldi export`` wrote works without options.

The exporter pipes non-WAV and multi-channel audio through ``sox <file> -t wav -b 16 - [remix <n>] |``.
Without ``--sampling-rate`` the importer needs each recording's header, and it used to refuse those
pipes unless ``--allow-commands`` let it run them. It now recognises its own pipe form and reads the
header of the file the pipe names, without running anything (commands stay refused here).
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.cli import cli
from lhotse_lite.serialization import load_manifest
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet


@pytest.fixture
def exported(tmp_path):
    folder = tmp_path / "My Corpus (v2)"
    folder.mkdir()
    rng = np.random.default_rng(0)
    sf.write(folder / "a.flac", rng.uniform(-0.5, 0.5, 8000 * 3), 8000, subtype="PCM_16")
    sf.write(folder / "b.flac", rng.uniform(-0.5, 0.5, (22050, 2)), 22050, subtype="PCM_16")
    sf.write(folder / "c.wav", rng.uniform(-0.5, 0.5, 16000), 16000, subtype="PCM_16")
    recordings = RecordingSet(Recording.from_file(folder / name) for name in ("a.flac", "b.flac", "c.wav"))
    supervisions = SupervisionSet(
        SupervisionSegment(
            id=f"{r.id}-1",
            recording_id=r.id,
            start=0.0,
            duration=0.5,
            speaker="s",
            channel=r.channel_ids if r.num_channels > 1 else 0,
        )
        for r in recordings
    )
    recordings.to_file(tmp_path / "recordings.jsonl.gz")
    supervisions.to_file(tmp_path / "supervisions.jsonl.gz")
    result = CliRunner().invoke(
        cli,
        [
            "kaldi",
            "export",
            str(tmp_path / "recordings.jsonl.gz"),
            str(tmp_path / "supervisions.jsonl.gz"),
            str(tmp_path / "data"),
        ],
    )
    assert result.exit_code == 0, result.output
    return tmp_path


@pytest.mark.parametrize("with_reco2dur", [True, False])
def test_import_of_our_export_needs_no_options_and_runs_no_command(exported, with_reco2dur, monkeypatch):
    monkeypatch.setenv("LHOTSE_LITE_ALLOW_COMMANDS", "0")  # any command run would raise
    if not with_reco2dur:
        (exported / "data" / "reco2dur").unlink()
    result = CliRunner().invoke(cli, ["kaldi", "import", str(exported / "data"), str(exported / "imported")])
    assert result.exit_code == 0, result.output
    imported = {r.id: r for r in load_manifest(exported / "imported" / "recordings.jsonl.gz")}
    assert imported["a"].sources[0].type == "command" and imported["b_1"].sources[0].type == "command"
    # each Kaldi recording has the rate and length of the audio its wav.scp entry produces
    assert {rid: (r.sampling_rate, r.num_samples, r.num_channels) for rid, r in imported.items()} == {
        "a": (8000, 24000, 1),
        "b_0": (22050, 22050, 1),
        "b_1": (22050, 22050, 1),
        "c": (16000, 16000, 1),
    }
    supervisions = load_manifest(exported / "imported" / "supervisions.jsonl.gz")
    assert sorted(s.id for s in supervisions) == ["a-1", "b-1-0", "b-1-1", "c-1"]


def test_other_pipes_are_still_refused_without_allow_commands(exported):
    data = exported / "data"
    (data / "wav.scp").write_text((data / "wav.scp").read_text().replace("-b 16 -", "-b 16 -r 8000 -"))
    (data / "reco2dur").unlink()
    result = CliRunner().invoke(cli, ["kaldi", "import", str(data), str(exported / "imported")])
    assert result.exit_code == 1 and "--allow-commands" in result.output and "Traceback" not in result.output
