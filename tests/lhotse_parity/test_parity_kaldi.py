"""``lhotse_lite.kaldi`` against Lhotse 1.33's ``lhotse.kaldi``: the same Kaldi data directory in gives
equal manifests out, the same manifests exported give the same files, and the text-file helpers agree.

Where the two differ on purpose (docs/coming_from_lhotse.rst), the difference is asserted here too:
our export also writes Kaldi's ``spk2utt`` and ``spk2gender`` where Lhotse writes ``utt2gender``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
pytest.importorskip("kaldi_native_io", reason="Lhotse reads feats.scp headers with kaldi_native_io")
pytest.importorskip("kaldiio", reason="lhotse_lite's kaldiio storage needs the kaldi extra")
import lhotse.kaldi as theirs  # noqa: E402
from lhotse.features.io import KaldiWriter as LhotseKaldiWriter  # noqa: E402

import lhotse_lite  # noqa: E402
import lhotse_lite.kaldi as ours  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    "ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:A lambda was passed to LazyMapper"
)

RATE = 16000
# recording -> seconds (whole milliseconds: Lhotse floors durations read from audio to 1 ms, we keep them exact)
RECORDINGS = {"rec_a": 2.5, "rec_b": 1.25, "rec_c": 3.0}
SEGMENTS = [("spk1_utt1", "rec_a", 0.5, 2.0), ("spk1_utt2", "rec_b", 0.0, 1.25), ("spk2_utt3", "rec_c", 0.25, 2.75)]


def _audio(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = {}
    for rid, seconds in RECORDINGS.items():
        paths[rid] = folder / f"{rid}.wav"
        sf.write(paths[rid], rng.standard_normal(int(seconds * RATE)) * 0.1, RATE)
    return paths


def _data_dir(tmp_path: Path, segments: bool = True, reco2dur: bool = True, feats: bool = False) -> Path:
    paths = _audio(tmp_path / "audio")
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text("".join(f"{rid} {paths[rid]}\n" for rid in RECORDINGS))
    if reco2dur:
        (data / "reco2dur").write_text("".join(f"{rid} {d}\n" for rid, d in RECORDINGS.items()))
    if segments:
        utts = [(uid, rid) for uid, rid, _, _ in SEGMENTS]
        (data / "segments").write_text("".join(f"{u} {r} {s} {e}\n" for u, r, s, e in SEGMENTS))
    else:
        utts = [(rid, rid) for rid in RECORDINGS]
    speakers = {uid: uid.split("_")[0] if segments else "spk_" + uid[-1] for uid, _ in utts}
    (data / "text").write_text("".join(f"{uid} HELLO {i}\n" for i, (uid, _) in enumerate(utts)))
    (data / "utt2spk").write_text("".join(f"{uid} {speakers[uid]}\n" for uid, _ in utts))
    (data / "spk2gender").write_text("".join(f"{spk} f\n" for spk in sorted(set(speakers.values()))))
    (data / "utt2lang").write_text("".join(f"{uid} en\n" for uid, _ in utts))
    if feats:  # written by Kaldi's own I/O code (kaldi_native_io, through Lhotse's writer)
        rng = np.random.default_rng(1)
        with LhotseKaldiWriter(tmp_path / "fbank") as writer:
            for uid, _ in utts:
                writer.write(uid, rng.standard_normal((123 + len(uid), 40)).astype(np.float32))
        (data / "feats.scp").write_text((tmp_path / "fbank" / "feats.scp").read_text())
    return data


def _dicts(manifest) -> list:
    return None if manifest is None else [item.to_dict() for item in manifest]


def _both_load(data: Path, **kwargs):
    out = []
    for lib in (theirs, ours):
        recordings, supervisions, features = lib.load_kaldi_data_dir(data, RATE, **kwargs)
        out.append((_dicts(recordings), _dicts(supervisions), _dicts(features)))
    return out


@pytest.mark.parametrize(
    "layout",
    [dict(), dict(segments=False), dict(reco2dur=False)],
    ids=["segments", "utt2spk only", "durations from audio"],
)
def test_import_gives_equal_manifests(layout, tmp_path):
    data = _data_dir(tmp_path, **layout)
    expected, actual = _both_load(data)
    assert actual == expected
    assert actual[0] and actual[1] and actual[2] is None


@pytest.mark.parametrize("segments", [True, False])
def test_import_of_feats_scp(segments, tmp_path):
    data = _data_dir(tmp_path, segments=segments, feats=True)
    expected, actual = _both_load(data, frame_shift=0.01, feature_type="kaldi-mfcc")
    assert actual == expected
    assert len(actual[2]) == 3 and {f["storage_type"] for f in actual[2]} == {"kaldiio"}
    # the matrices load the same in both libraries
    for theirs_dict in expected[2]:
        mine = lhotse_lite.features.manifest.Features.from_dict(theirs_dict).load(start=theirs_dict["start"] + 0.1)
        reference = lhotse.features.Features.from_dict(theirs_dict).load(start=theirs_dict["start"] + 0.1)
        np.testing.assert_allclose(mine, reference, atol=1e-5, rtol=0)


def test_import_without_frame_shift_warns_and_skips_feats(tmp_path):
    data = _data_dir(tmp_path, feats=True)
    for lib in (theirs, ours):
        with pytest.warns(UserWarning, match="frame_shift"):
            assert lib.load_kaldi_data_dir(data, RATE)[2] is None


def test_import_with_map_string_to_underscores(tmp_path):
    data = _data_dir(tmp_path)
    for name in ("segments", "text", "utt2spk", "utt2lang"):  # Kaldi-safe ids with '-' where Lhotse's have '_'
        (data / name).write_text((data / name).read_text().replace("spk1_", "spk1-").replace("spk2_", "spk2-"))
    expected, actual = _both_load(data, map_string_to_underscores="-")
    assert actual == expected
    assert [s["id"] for s in actual[1]] == ["spk1_utt1", "spk1_utt2", "spk2_utt3"]


@pytest.mark.parametrize(
    "options",
    [dict(), dict(prefix_spk_id=True), dict(map_underscores_to="-")],
    ids=["plain", "prefix_spk_id", "map_underscores_to"],
)
def test_export_writes_the_same_files(options, tmp_path):
    data = _data_dir(tmp_path)
    recordings, supervisions, _ = theirs.load_kaldi_data_dir(data, RATE)
    theirs.export_to_kaldi(recordings, supervisions, tmp_path / "lhotse", **options)
    ours.export_to_kaldi(
        lhotse_lite.RecordingSet.from_dicts(_dicts(recordings)),
        lhotse_lite.SupervisionSet.from_dicts(_dicts(supervisions)),
        tmp_path / "ours",
        **options,
    )
    theirs_files = {p.name for p in (tmp_path / "lhotse").iterdir()}
    our_files = {p.name for p in (tmp_path / "ours").iterdir()}
    assert theirs_files - our_files == {"utt2gender"} and our_files - theirs_files == {"spk2utt", "spk2gender"}
    for name in sorted(theirs_files & our_files):
        assert (tmp_path / "ours" / name).read_text() == (tmp_path / "lhotse" / name).read_text(), name
    # and each imports the other's export to the same manifests
    expected, actual = _both_load(tmp_path / "lhotse")
    assert actual == expected


def test_text_helpers(tmp_path):
    table = tmp_path / "utt2dur"
    table.write_text("b 1.5\na 2.25\n")
    assert ours.load_kaldi_text_mapping(table) == theirs.load_kaldi_text_mapping(table) == {"b": "1.5", "a": "2.25"}
    assert ours.load_kaldi_text_mapping(table, float_vals=True) == theirs.load_kaldi_text_mapping(
        table, float_vals=True
    )
    missing = tmp_path / "missing"
    assert ours.load_kaldi_text_mapping(missing)["x"] is theirs.load_kaldi_text_mapping(missing)["x"] is None
    text = tmp_path / "text"
    text.write_text("utt1 HELLO  WORLD\nutt2\n")
    assert ours.load_kaldi_text_file(text) == theirs.load_kaldi_text_file(text) == {"utt1": "HELLO  WORLD", "utt2": ""}
    data = {"utt2": "spk 2", "utt1": 1.5, "utt3": None}
    theirs.save_kaldi_text_mapping(data, tmp_path / "theirs")
    ours.save_kaldi_text_mapping(data, tmp_path / "ours")
    assert (tmp_path / "ours").read_text() == (tmp_path / "theirs").read_text()
    for value in (1093.33995833, 2.0, 0.0015):
        assert ours.floor_duration_to_milliseconds(value) == theirs.floor_duration_to_milliseconds(value)


def test_get_duration_and_wav_scp_values(tmp_path):
    path = _audio(tmp_path)["rec_b"]
    assert ours.get_duration(path) == theirs.get_duration(path) == 1.25
    source = {"type": "file", "channels": [0], "source": str(path)}
    assert ours.make_wavscp_channel_string_map(
        lhotse_lite.audio.AudioSource.from_dict(source), RATE
    ) == theirs.make_wavscp_channel_string_map(lhotse.audio.AudioSource.from_dict(source), RATE)


def test_load_start_and_duration(tmp_path):
    data = _data_dir(tmp_path, feats=True)
    args = dict(segments_path=data / "segments", feats_path=data / "feats.scp", frame_shift=0.01)
    assert ours.load_start_and_duration(**args) == theirs.load_start_and_duration(**args)
    assert ours.load_start_and_duration(data / "segments", data / "feats.scp") == {}


def test_differences_on_purpose(tmp_path):
    # docs/coming_from_lhotse.rst: a missing text imports without transcripts; a repeated key is an error
    data = _data_dir(tmp_path)
    (data / "text").unlink()
    with pytest.raises(ValueError, match="No such file"):
        theirs.load_kaldi_data_dir(data, RATE)
    assert {s.text for s in ours.load_kaldi_data_dir(data, RATE)[1]} == {None}
    (data / "utt2lang").write_text((data / "utt2lang").read_text() + "spk1_utt1 fr\n")
    assert theirs.load_kaldi_text_mapping(data / "utt2lang")["spk1_utt1"] == "fr"
    with pytest.raises(lhotse_lite.errors.DuplicateIdError, match="utt2lang:4"):
        ours.load_kaldi_text_mapping(data / "utt2lang")
