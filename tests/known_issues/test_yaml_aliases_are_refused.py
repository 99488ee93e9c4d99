"""YAML manifests with aliases are refused with file:line by the loader and by ``lite manifest validate`` alike.

An alias tree in ``custom`` used to load instantly and then expand to gigabytes when written, while
``validate`` said OK.
"""

import pytest
from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.errors import ManifestFormatError
from lhotse_lite.manifest import load_manifest
from lhotse_lite.serialization import load_yaml
from lhotse_lite.supervision import SupervisionSet
from lhotse_lite.validation import validate_manifest_files

BOMB = """- id: s1
  recording_id: r1
  start: 0.0
  duration: 1.0
  custom:
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
"""


def test_loader_refuses_aliases(tmp_path):
    path = tmp_path / "sups.yaml"
    path.write_text(BOMB)
    for read in (load_manifest, SupervisionSet.from_yaml, load_yaml):
        with pytest.raises(ManifestFormatError, match=r"sups\.yaml:6: the YAML node anchored here .* alias"):
            read(path)


def test_validate_refuses_them_the_same_way(tmp_path):
    path = tmp_path / "sups.yaml"
    path.write_text(BOMB)
    problems = validate_manifest_files([path])
    assert len(problems) == 1 and "alias" in problems[0].message
    result = CliRunner().invoke(cli, ["manifest", "validate", str(path)])
    assert result.exit_code != 0 and "sups.yaml:6" in result.output and "alias" in result.output
    assert "Traceback" not in result.output


def test_anchor_free_yaml_still_loads(tmp_path):
    path = tmp_path / "sups.yaml"
    path.write_text("- {id: s1, recording_id: r1, start: 0.0, duration: 1.0, custom: {a: [1, 1], b: [1, 1]}}\n")
    assert load_manifest(path)["s1"].custom == {"a": [1, 1], "b": [1, 1]}
