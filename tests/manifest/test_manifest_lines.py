"""The line reader: any text cut into any blocks gives the lines of ``bytes.split``, numbered, blank ones aside."""

import gzip
import io

import pytest
from hypothesis import given, settings, strategies as st

from lhotse_lite.errors import ManifestFormatError, ManifestNotFoundError
from lhotse_lite.manifest import lines
from lhotse_lite.manifest.lines import iter_line_batches, iter_stream_batches, iter_text_lines


def _numbered(batches):
    return [(n, line) for first, batch in batches for n, line in enumerate(batch, first) if line.strip()]


def _expected(data):
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [(n, line) for n, line in enumerate(parts, 1) if line.strip()]


class Chunked(io.RawIOBase):
    """A stream returning its data in the given chunk sizes (as a pipe may)."""

    def __init__(self, data, sizes):
        self.data, self.sizes, self.pos = data, list(sizes), 0

    def readable(self):
        return True

    def read(self, n=-1):
        size = self.sizes.pop(0) if self.sizes else n
        out = self.data[self.pos : self.pos + max(size, 1)]
        self.pos += len(out)
        return out


text = st.lists(st.sampled_from([b"", b" ", b"\r", b"{}", b"x" * 9, b"\xff", b"\t\t", b"ab"]), max_size=30).map(
    b"\n".join
) | st.binary(max_size=200)


@settings(max_examples=300, deadline=None)
@given(text, st.lists(st.integers(1, 40), max_size=30))
def test_any_blocks_give_the_lines_of_split(data, sizes):
    assert _numbered(iter_stream_batches(Chunked(data, sizes), "s")) == _expected(data)


@pytest.mark.parametrize("block", [1, 3, 1 << 18])
def test_files_and_gzip_files(tmp_path, monkeypatch, block):
    monkeypatch.setattr(lines, "BLOCK_BYTES", block)
    data = b"a\n\n  \nbb\r\n" + b"\n" * 1000 + b"c" * 5000 + b"\nlast"
    (tmp_path / "t.txt").write_bytes(data)
    (tmp_path / "t.txt.gz").write_bytes(gzip.compress(data) + gzip.compress(b"\nmore\n"))  # two members
    assert _numbered(iter_line_batches(tmp_path / "t.txt")) == _expected(data)
    assert _numbered(iter_line_batches(tmp_path / "t.txt.gz")) == _expected(data + b"\nmore\n")


def test_text_lines_errors(tmp_path, monkeypatch):
    with pytest.raises(ManifestNotFoundError, match="RTTM file not found"):
        list(iter_text_lines(tmp_path / "missing.rttm", "RTTM"))
    (tmp_path / "t.gz").write_bytes(gzip.compress(b"a\nb\n" * 1000)[:-12])
    with pytest.raises(ManifestFormatError, match=r"t\.gz:\d+: the gzip stream is truncated"):
        list(iter_text_lines(tmp_path / "t.gz"))
    monkeypatch.setenv("LHOTSE_LITE_MAX_LINE_BYTES", "4")
    (tmp_path / "t.txt").write_bytes(b"abc\nabcd\n\nabcde\n")
    with pytest.raises(ManifestFormatError, match=r"t\.txt:4: the line is longer than 4 bytes"):
        list(iter_text_lines(tmp_path / "t.txt"))
