"""``split`` of eager and lazy sets compared live with Lhotse 1.33's ``split_sequence``."""

import pytest

from tests.manifest.test_manifest_set import ids
from tests.manifest.toy_items import ItemSet, make


@pytest.fixture
def pair(tmp_path):
    eager = make(10)
    path = tmp_path / "items.jsonl.gz"
    eager.to_file(path)
    return eager, ItemSet.from_jsonl_lazy(path)


@pytest.mark.parametrize("n,k,drop", [(10, 3, False), (10, 3, True), (10, 10, False), (7, 2, False)])
def test_split_matches_lhotse_rule(pair, n, k, drop):
    lhotse_utils = pytest.importorskip("lhotse.utils")
    eager = make(n)
    expected = [[x.id for x in part] for part in lhotse_utils.split_sequence(list(eager), k, drop_last=drop)]
    assert [ids(p) for p in eager.split(k, drop_last=drop)] == expected
    lazy = ItemSet._lazy(list(eager))
    parts = lazy.split(k, drop_last=drop)
    assert all(p.is_lazy for p in parts) and [ids(p) for p in parts] == expected
