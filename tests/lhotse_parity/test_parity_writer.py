"""``SequentialJsonlWriter.open_manifest()`` on Lhotse 1.33 and on lhotse_lite, while writing and after."""

from __future__ import annotations

import pytest


def segments(lib, n):
    return [
        lib.SupervisionSegment(id=f"s{k}", recording_id="r", start=0.5 * k, duration=0.5, text=f"word {k}")
        for k in range(n)
    ]


def _ids(manifest):
    return None if manifest is None else [item.id for item in manifest]


def test_open_manifest_while_writing_reads_the_items_written_so_far(compare):
    def scenario(lib, workdir):
        segs = segments(lib, 4)
        with lib.serialization.SequentialJsonlWriter(workdir / "s.jsonl") as writer:
            nothing_yet = writer.open_manifest()
            writer.write(segs[0])
            writer.write(segs[1])  # not flushed: open_manifest flushes
            during = writer.open_manifest()
            first_pass = _ids(during)
            writer.write(segs[2], flush=True)
            second_pass = _ids(during)  # a lazy set follows the file
            length = len(writer.open_manifest())
        return [
            nothing_yet,
            type(during).__name__,
            during.is_lazy,
            first_pass,
            second_pass,
            length,
            _ids(during),
            [s.to_dict() for s in during],
            _ids(writer.open_manifest()),
        ]

    result = compare(scenario)
    assert result[:6] == [None, "SupervisionSet", True, ["s0", "s1"], ["s0", "s1", "s2"], 3]


def test_open_manifest_while_writing_gzip(tmp_path):
    # Lhotse 1.33 returns a lazy set whose iteration fails (EOFError: the gzip stream has no end yet);
    # ours reads the complete lines of the stream flushed so far.
    lhotse = pytest.importorskip("lhotse")
    import lhotse_lite

    def scenario(lib, workdir):
        segs = segments(lib, 3)
        workdir.mkdir()
        with lib.serialization.SequentialJsonlWriter(workdir / "s.jsonl.gz") as writer:
            writer.write(segs[0])
            writer.write(segs[1])
            during = writer.open_manifest()
            return _ids(during), during.is_lazy

    with pytest.raises(EOFError):
        scenario(lhotse, tmp_path / "lhotse")
    ours = scenario(lhotse_lite, tmp_path / "ours")
    assert ours == (["s0", "s1"], True)


def test_lhotse_reads_a_block_compressed_file_written_and_resumed_by_our_writer(tmp_path):
    lhotse = pytest.importorskip("lhotse")
    import lhotse_lite

    path = tmp_path / "s.jsonl.gz"
    ours = segments(lhotse_lite, 3000)
    with pytest.raises(KeyboardInterrupt), lhotse_lite.serialization.SequentialJsonlWriter(path) as writer:
        for k, seg in enumerate(ours[:1800]):
            writer.write(seg, flush=k % 500 == 0)
        raise KeyboardInterrupt
    with lhotse_lite.serialization.SequentialJsonlWriter(path, overwrite=False) as writer:
        for seg in ours:
            writer.write(seg)
    assert (tmp_path / "s.jsonl.gz.gzi").is_file()
    theirs = lhotse.load_manifest_lazy(path)
    assert [s.to_dict() for s in theirs] == [s.to_dict() for s in segments(lhotse, 3000)]
