"""An indexed read of a line that is not a JSON object names ``file:line`` (1-based), for any index.

The ``.jsonl`` reader named the 0-based index (``line 2`` for the third line) without ``file:line``,
and the ``.jsonl.gz`` reader named the index given (``line -1`` for the last line).
"""

import re

import pytest

from lhotse_lite.errors import ManifestFormatError
from lhotse_lite.indexing import IndexedJsonlReader
from lhotse_lite.manifest.blocked_gzip import BlockedGzipReader, write_blocked_gzip

LINES = [b'{"id": "a"}\n', b'{"id": "b"}\n', b"[1, 2]\n", b"not json\n"]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_a_bad_line_is_named_file_colon_line(tmp_path, suffix):
    path = tmp_path / f"a{suffix}"
    if suffix == ".jsonl":
        path.write_bytes(b"".join(LINES))
        reader = IndexedJsonlReader(path)
    else:
        write_blocked_gzip(path, LINES)
        reader = BlockedGzipReader(path)
    for idx, line in ((2, 3), (-2, 3), (3, 4), (-1, 4)):
        with pytest.raises(ManifestFormatError, match=re.escape(f"{path}:{line}: ")):
            reader[idx]
