"""``lite feat inspect --plot out.txt`` is one ``Error:`` line listing the image formats.

matplotlib's ``ValueError: Format 'txt' is not supported`` came out as a traceback after the whole
summary was computed (Lhotse 1.33 has no such command). The extension is now checked first.
"""

from click.testing import CliRunner

from lhotse_lite.cli import cli


def test_unsupported_extension(lhotse_compat_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)
    result = CliRunner().invoke(
        cli, ["feat", "inspect", "feats_lilcom_chunky.jsonl.gz", "--plot", str(tmp_path / "out.txt")]
    )
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert result.stderr.startswith("Error: --plot ") and "'.txt' is not an image format" in result.stderr
    assert ".png" in result.stderr and ".svg" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out.txt").exists()


def test_supported_extension_still_plots(lhotse_compat_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(lhotse_compat_dir)
    result = CliRunner().invoke(
        cli, ["feat", "inspect", "feats_lilcom_chunky.jsonl.gz", "--plot", str(tmp_path / "out.PNG")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.PNG").read_bytes()[:4] == b"\x89PNG"
