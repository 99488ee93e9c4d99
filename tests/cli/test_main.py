"""The ``lite`` group itself: help, version, and a fast start."""

import subprocess
import sys

from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.version import __version__


def test_help_lists_usage():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_version_prints_package_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"lite, version {__version__}"


def test_help_does_not_import_torch():
    code = (
        "import sys; from lhotse_lite.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
