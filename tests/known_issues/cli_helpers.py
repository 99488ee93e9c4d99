"""Helpers of the known-issue tests that go through the ``lite`` CLI: run a command, read its one error
line, write a short noise WAV file."""

import numpy as np
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.cli import cli


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def one_error_line(result):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert "Error: " in last, result.stderr
    return last[last.index("Error: ") :]  # after a progress bar that the error ended


def write_wav(path, seconds=1.0, rate=16000, seed=0):
    rng = np.random.default_rng(seed)
    sf.write(path, (0.1 * rng.standard_normal(int(seconds * rate))).astype(np.float32), rate)
    return path
