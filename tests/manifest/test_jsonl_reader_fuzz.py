"""Fuzz: whatever bytes a JSONL manifest holds, every reader ends in our error tree (or reads it), nothing else."""

import contextlib
import gzip
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from lhotse_lite.cli.manifest_io import read_manifest
from lhotse_lite.errors import LhotseLiteError
from lhotse_lite.manifest import load_manifest, load_manifest_lazy
from lhotse_lite.validation import validate_manifest_files

FIELDS = [
    "id",
    "recording_id",
    "start",
    "duration",
    "channel",
    "text",
    "speaker",
    "custom",
    "alignment",
    "sources",
    "sampling_rate",
    "num_samples",
    "channel_ids",
    "type",
    "num_frames",
    "num_features",
    "frame_shift",
    "storage_type",
    "storage_path",
    "storage_key",
    "channels",
    "transforms",
    "source",
]
NUMBERS = ["0", "-1", "1.5", "1e309", "-1e309", "NaN", "Infinity", "1e-400", "18446744073709551616", "true", "null"]
scalar = (
    st.sampled_from(NUMBERS)
    | st.text(max_size=6).map(json.dumps)
    | st.integers().map(str)
    | st.floats(allow_nan=False, allow_infinity=False).map(repr)
)
value = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda v: "[" + ",".join(v) + "]")
        | st.dictionaries(st.sampled_from([*FIELDS, "x"]), inner, max_size=3).map(
            lambda d: "{" + ",".join(f'"{k}":{v}' for k, v in d.items()) + "}"
        )
    ),
    max_leaves=6,
)
item = st.dictionaries(st.sampled_from(FIELDS), value, max_size=8).map(
    lambda d: "{" + ",".join(f'"{k}":{v}' for k, v in d.items()) + "}"
)
VALID = [
    '{"id":"s1","recording_id":"r1","start":0.0,"duration":1.0}',
    '{"id":"r1","sources":[{"type":"file","channels":[0],"source":"a.wav"}],"sampling_rate":16000,'
    '"num_samples":16000,"duration":1.0}',
]
line = (
    item.map(str.encode)
    | st.sampled_from(VALID).map(str.encode)
    | st.binary(max_size=40)
    | st.sampled_from([b"", b"  ", b"\r", b"\xff\xfe", b"{", b"[]", b'"x"'])
)
content = st.lists(line, min_size=1, max_size=6).map(lambda ls: b"\n".join(ls))


def _read_all(path):
    for read in (
        lambda p: list(load_manifest(p)),
        lambda p: list(load_manifest_lazy(p) or ()),
        lambda p: read_manifest(
            "-",
            stdin=io.BytesIO(
                Path(p).read_bytes() if not str(p).endswith(".gz") else gzip.decompress(Path(p).read_bytes())
            ),
        ),
    ):
        with contextlib.suppress(LhotseLiteError):
            read(path)
    validate_manifest_files([path], check_files=False)  # reports problems; never raises for bad content


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content, st.booleans(), st.booleans())
def test_jsonl_readers_raise_only_our_errors(data, compressed, truncate):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("m.jsonl.gz" if compressed else "m.jsonl")
        raw = gzip.compress(data) if compressed else data
        path.write_bytes(raw[: len(raw) * 2 // 3] if truncate and compressed else raw)
        if truncate and compressed:  # a truncated archive is an error of ours too, from every reader
            for read in (load_manifest, lambda p: list(load_manifest_lazy(p) or ())):
                with contextlib.suppress(LhotseLiteError):
                    read(path)
            validate_manifest_files([path], check_files=False)
            return
        _read_all(path)
