"""``lite kaldi export`` refuses ids Kaldi cannot hold (one error line) and writes texts with line breaks
or tabs as single lines (with a warning), so that every directory it writes imports back.
"""

from lhotse_lite.audio import Recording, RecordingSet
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from tests.known_issues.cli_helpers import one_error_line, run, write_wav


def test_kaldi_export_never_writes_an_unreadable_directory(tmp_path, caplog):
    wav = write_wav(tmp_path / "a.wav")
    recs, sups = tmp_path / "r.jsonl", tmp_path / "s.jsonl"
    RecordingSet([Recording.from_file(wav, recording_id="a")]).to_file(recs)
    SupervisionSet([SupervisionSegment("utt 1", "a", 0, 0.5)]).to_file(sups)
    assert "'utt 1'" in one_error_line(run("kaldi", "export", recs, sups, tmp_path / "bad"))
    SupervisionSet([SupervisionSegment("u1", "a", 0, 0.5, text="two\nlines\tand a tab", speaker="s")]).to_file(sups)
    result = run("kaldi", "export", recs, sups, tmp_path / "data")
    assert result.exit_code == 0 and "line breaks or tabs" in caplog.text
    assert run("kaldi", "import", tmp_path / "data", tmp_path / "back", "-s", 16000).exit_code == 0
    back = SupervisionSet.from_file(tmp_path / "back" / "supervisions.jsonl.gz")
    assert [s.text for s in back] == ["two lines and a tab"]
