"""Fuzz: whatever an RTTM or CTM file holds, reading it yields segments or raises our error, nothing else."""

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.supervision import SupervisionSegment, SupervisionSet
from lhotse_lite.supervision.ctm import read_ctm
from lhotse_lite.supervision.rttm import read_rttm

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKENS = [
    b"SPEAKER",
    b"rec1",
    b"1",
    b"0",
    b"-1",
    b"0.5",
    b"1e309",
    b"nan",
    b"-inf",
    b"<NA>",
    b"spk",
    b"1_0",
    b"9" * 5000,
    b"\xff",
    b"caf\xe9",
    b"\x00",
    "\u0663".encode(),
    b"0x10",
    b"1e-400",
    b"-0.0",
]
token = st.sampled_from(TOKENS) | st.binary(max_size=6)
line = st.lists(token, max_size=11).map(b" ".join) | st.binary(max_size=30)
content = st.lists(line, max_size=5).map(b"\n".join)


def _check(read, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.txt"
        path.write_bytes(data)
        with contextlib.suppress(LhotseLiteError):
            read(path)


@SETTINGS
@given(content)
def test_rttm_reader(data):
    _check(lambda p: list(read_rttm(p)), data)


@SETTINGS
@given(content)
def test_ctm_reader(data):
    sups = SupervisionSet([SupervisionSegment("s1", "rec1", 0.0, 10.0)])
    _check(lambda p: list(read_ctm(p)), data)
    _check(lambda p: sups.with_alignment_from_ctm(p), data)
