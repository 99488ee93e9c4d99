"""The generated CLI reference (docs/_ext/click_cli.py) documents every command with its help."""

import importlib.util
from pathlib import Path

from lhotse_lite.cli import cli

EXT = Path(__file__).resolve().parents[2] / "docs" / "_ext" / "click_cli.py"


def _extension():
    spec = importlib.util.spec_from_file_location("click_cli_ext", EXT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_has_a_section_per_command():
    lines = _extension().render_rst(cli, "lite")
    titles = [
        lines[i]
        for i in range(len(lines) - 1)
        if lines[i + 1] and set(lines[i + 1]) <= set('=-~^"') and len(lines[i + 1]) == len(lines[i])
    ]
    assert titles[0] == "lite"
    for expected in ("lite manifest validate", "lite manifest split-lazy", "lite kaldi import", "lite feat extract"):
        assert expected in titles
    text = "\n".join(lines)
    assert "   Usage: lite manifest filter [OPTIONS] INPUT_MANIFEST OUTPUT_MANIFEST" in text
    assert "-h, --help" in text
