"""``lite prepare audio-folder`` on a file whose name is not UTF-8 names the file in one ``Error:`` line.

The name reached libsndfile as a Python string holding a lone surrogate and failed with a
``UnicodeEncodeError`` traceback (Lhotse 1.33's ``RecordingSet.from_dir(...).to_file`` fails the same
way). Manifests are UTF-8, so such a name is refused, shown with its bad bytes escaped, before any
audio is read.
"""

import os
import sys

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.recipes.audio_folder import prepare_audio_folder

pytestmark = pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "corpus" / "spk").mkdir(parents=True)
    sf.write(tmp_path / "corpus" / "spk" / "ok.wav", np.zeros(1600, dtype=np.float32), 16000)
    with open(os.fsencode(tmp_path / "corpus" / "spk") + b"/caf\xe9.wav", "wb") as file:
        file.write((tmp_path / "corpus" / "spk" / "ok.wav").read_bytes())
    return tmp_path / "corpus"


def test_the_library_names_the_file(corpus, tmp_path):
    with pytest.raises(ManifestFieldError, match=r"caf\\xe9\.wav' is not valid UTF-8"):
        prepare_audio_folder(corpus, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_cli_prints_one_error_line(corpus, tmp_path):
    result = CliRunner().invoke(cli, ["prepare", "audio-folder", str(corpus), str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "spk/caf\\xe9.wav" in errors[0] and "convmv" in errors[0]


def test_a_sidecar_transcript_in_latin1_names_the_file(tmp_path):
    (tmp_path / "corpus").mkdir()
    sf.write(tmp_path / "corpus" / "a.wav", np.zeros(1600, dtype=np.float32), 16000)
    (tmp_path / "corpus" / "a.txt").write_bytes("caf\xe9".encode("latin-1"))
    result = CliRunner().invoke(cli, ["prepare", "audio-folder", str(tmp_path / "corpus"), str(tmp_path / "out")])
    assert result.exit_code == 1 and "a.txt: the transcript is not UTF-8" in result.stderr, result.output
