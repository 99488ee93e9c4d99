"""Regression: a shuffled chain or shuffler that an infinite mux opens again resumes in the uninterrupted order.

A chain with ``shuffle_iters`` shuffles its order in place before each pass (as Lhotse's does), so its
pass count and order are carried from pass to pass. A restored state lost them when the mux held the chain
closed at save time (the next pass was shuffled from the first order), and when the mux held two passes
of the chain open (each reported the live count, not its own). Found by the hypothesis test of
``tests/manifest/test_manifest_checkpoint.py``; these are its smallest failing graphs.
"""

import itertools
import json

import pytest

from lhotse_lite.checkpoint import collect_state_dict, restore_state_dict
from tests.manifest.checkpoint_graphs import as_root, build, plain

SPECS = [
    ["imux", [["list", 0, 1], ["chain", [["list", 0, 1], ["list", 2, 2]], True, 0]], 1, 0, 7],
    ["imux", [["list", 0, 1], ["chain", [["list", 0, 1], ["list", 0, 3]], True, 0]], 1, 0, 25],
    ["imux", [["list", 0, 1], ["chain", [["list", 0, 1], ["list", 0, 3]], True, 0]], 2, 0, 25],
    ["imux", [["shuffle", 3, 1, ["list", 0, 8]], ["list", 0, 1]], 1, 1, 11],
    ["tail", 2, ["shuffle", 2, 0, ["list", 0, 4]]],  # a tail reads its source again on resume
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: json.dumps(s))
def test_every_stop_resumes_to_the_uninterrupted_pass(tmp_path, spec):
    full = [plain(x) for x in as_root(build(spec, tmp_path))]
    for k in range(len(full) + 1):
        interrupted = as_root(build(spec, tmp_path))
        assert [plain(x) for x in itertools.islice(iter(interrupted), k)] == full[:k]
        state = json.loads(json.dumps(collect_state_dict(interrupted)))
        resumed = as_root(build(spec, tmp_path))
        restore_state_dict(resumed, state)
        assert [plain(x) for x in resumed] == full[k:], f"stopped after {k}"
