"""Recipes hand batches to the models as the datasets make them: no transposes by hand."""

import re
from pathlib import Path

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def test_no_recipe_transposes_features():
    found = []
    for path in sorted(RECIPES.glob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.transpose\(|\.permute\(|\.mT\b|\.T\b", line):
                found.append(f"{path.name}:{lineno}: {line.strip()}")
    assert RECIPES.is_dir() and not found, found
