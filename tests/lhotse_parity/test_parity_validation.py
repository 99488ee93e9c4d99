"""Validation with ``read_data`` compared live with Lhotse 1.33's ``lhotse.qa.validate``: audio longer than
its manifest within Lhotse's padding passes Lhotse's check and is reported by ours (see
docs/coming_from_lhotse.rst).
"""

import pytest

from tests.validation import test_validation_read_data as read_data_tests
from tests.validation.test_validation_read_data import _messages, _rec

wav = read_data_tests.wav  # fixture
_reset = read_data_tests._reset  # autouse fixture: no command-source setting left over


def test_lhotse_read_data_passes_what_the_tolerance_would_report(wav):
    qa = pytest.importorskip("lhotse.qa")
    lhotse = pytest.importorskip("lhotse")
    longer = _rec(wav, num_samples=20000)  # 0.25 s more than the file: within Lhotse's 0.5 s padding
    qa.validate(lhotse.RecordingSet.from_recordings([lhotse.Recording.from_dict(longer.to_dict())]), read_data=True)
    assert _messages([longer]) != []
