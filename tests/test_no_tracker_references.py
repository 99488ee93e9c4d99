"""Code, docs and tests describe the software as it is, not the issue tracker behind it.

Users cannot see our tracker: a sentence that cites a tracker number or names how a bug was found tells
them nothing. History belongs in CHANGELOG.md; measurements on the benchmarks page (docs/benchmarks.rst).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ["lhotse_lite", "docs", "tests", "recipes", "examples", "benchmarks"]
SKIPPED_FOLDERS = {"_build", "__pycache__"}  # generated: the built docs, bytecode
TEXT_SUFFIXES = {".py", ".rst", ".md", ".txt", ".sh", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".json", ".html"}
ISSUE, PROBE = "iss" + "ue", "the " + "probe"
PATTERNS = [
    re.compile(r"\bissues? #?\d+", re.IGNORECASE),  # a tracker number, also "#3" and lists of numbers
    re.compile(r"\bthe probe\b", re.IGNORECASE),
    re.compile(r"fault[ _-]probe", re.IGNORECASE),
]


def tracker_references(text: str, where: str = "<text>") -> List[str]:
    """``where:line: match`` for every reference to the tracker in ``text``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        found += [f"{where}:{number}: {m.group(0)!r}" for pattern in PATTERNS for m in pattern.finditer(line)]
    return found


def _files() -> List[Path]:
    me = Path(__file__).resolve()
    files = []
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*")):
            parts = path.relative_to(REPO).parts
            if any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts):
                continue  # hidden folders hold unpacked reference wheels
            if path.is_file() and path.suffix in TEXT_SUFFIXES and path.resolve() != me:
                files.append(path)
    return files


@pytest.mark.parametrize(
    "text",
    [
        # (built from parts, so that this file holds no citation itself)
        "Output layout (" + ISSUE + " 16)",
        "re-measured in " + ISSUE.title() + " 16, above",
        "see " + ISSUE + "s 14 and 16",
        ISSUE + " #3",
        "the gaps " + PROBE + " found",
        "test_fault_" + PROBE[4:] + "_known_issues.py",
        "a fault " + PROBE[4:],
    ],
)
def test_the_scan_finds_tracker_references(text):
    assert len(tracker_references(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "a dunder probe, or a slot not set yet",
        "Lhotse probes for torchaudio",
        "known issues of Kaldi",
        "an issue with 16-bit files",
        "probe = 'probe.jsonl.gz'",
    ],
)
def test_the_scan_leaves_ordinary_words_alone(text):
    assert tracker_references(text) == []


def test_the_scan_reads_every_folder():
    folders = {path.relative_to(REPO).parts[0] for path in _files()}
    assert folders == set(FOLDERS)


def test_no_tracker_references():
    found = []
    for path in _files():
        found += tracker_references(path.read_text(encoding="utf-8", errors="replace"), str(path.relative_to(REPO)))
    assert found == [], "describe the behaviour instead (history goes to CHANGELOG.md):\n" + "\n".join(found)
