"""Recipes hand batches to the models as the datasets make them: no feature transposes by hand.

Other tensors may be transposed where an API asks for it (e.g. CTC's ``(time, batch, class)`` log-probs).
"""

import re
from pathlib import Path

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
# a transpose of a name starting with "feat" (features, feats, feat_batch, ...)
FEATURE_TRANSPOSE = re.compile(r"feat\w*\s*(\.transpose\(|\.permute\(|\.mT\b|\.T\b)")


def test_no_recipe_transposes_features():
    found = []
    for path in sorted(RECIPES.glob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FEATURE_TRANSPOSE.search(line):
                found.append(f"{path.name}:{lineno}: {line.strip()}")
    assert RECIPES.is_dir() and not found, found


def test_the_check_finds_a_feature_transpose():
    assert FEATURE_TRANSPOSE.search("model(features.transpose(1, 2), lengths)")
    assert FEATURE_TRANSPOSE.search("x = feats.mT")
    assert not FEATURE_TRANSPOSE.search("self.output(encoded).log_softmax(-1).transpose(0, 1)")
