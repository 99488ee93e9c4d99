"""Audio on Lhotse 1.33 and on lhotse_lite: the same calls, the same manifests, arrays and error types.

Arrays are compared exactly (both decode with libsndfile). Where the two differ on purpose the test
says so and docs/coming_from_lhotse.rst gives the reason.
"""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
import soundfile as sf

lhotse = pytest.importorskip("lhotse", reason="Lhotse 1.33 is the reference of the parity tests")
import lhotse.audio as lhotse_audio  # noqa: E402

import lhotse_lite.audio as ours  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")

LIBS = {"lhotse": lhotse_audio, "ours": ours}


def _both(fn):
    """``fn(lib)`` on each library."""
    return {name: fn(lib) for name, lib in LIBS.items()}


def _dict(rec) -> dict:
    return rec.to_dict()


@pytest.fixture
def stereo_wav(tmp_path):
    """1 s of 16-bit stereo noise at 16 kHz (PCM_16, so every codec round trip is exact)."""
    path = tmp_path / "stereo.wav"
    samples = np.random.default_rng(0).integers(-20000, 20000, (16000, 2)).astype(np.int16)
    sf.write(path, samples, 16000, subtype="PCM_16")
    return path


@pytest.fixture(params=["mono.wav", "stereo.flac"])
def fixture_file(request, lhotse_compat_dir):
    return lhotse_compat_dir / "audio" / request.param


def test_from_file_gives_the_same_manifest(fixture_file):
    recs = _both(lambda lib: lib.Recording.from_file(fixture_file))
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])
    depth = _both(lambda lib: lib.Recording.from_file(fixture_file, recording_id="r", relative_path_depth=2))
    assert _dict(depth["ours"]) == _dict(depth["lhotse"])


SPANS = [
    {},
    {"offset": 0.5},
    {"offset": 0.25, "duration": 0.5},
    {"offset": 1.0, "duration": 0.999},  # almost everything that is left
    {"duration": 2.0},  # the whole recording, asked for by its duration
    {"offset": 2.0},  # the end: zero samples
    {"offset": 1.5, "duration": 1.0},  # 0.5 s past the end: within the 0.5 s tolerance, padded
    {"channels": 0},
    {"channels": [0], "offset": 0.1, "duration": 0.1},
]


@pytest.mark.parametrize("span", SPANS, ids=str)
def test_load_audio_gives_the_same_samples(fixture_file, span):
    recs = _both(lambda lib: lib.Recording.from_file(fixture_file))
    expected = recs["lhotse"].load_audio(**span)
    actual = recs["ours"].load_audio(**span)
    assert actual.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(actual, expected)


def test_load_audio_of_selected_channels(stereo_wav):
    recs = _both(lambda lib: lib.Recording.from_file(stereo_wav))
    for channels in (1, [1], [0, 1]):
        np.testing.assert_array_equal(
            recs["ours"].load_audio(channels=channels), recs["lhotse"].load_audio(channels=channels)
        )


def test_multi_source_recording(tmp_path):
    paths = []
    for i in range(2):
        paths.append(tmp_path / f"ch{i}.wav")
        sf.write(paths[-1], np.random.default_rng(i).integers(-9000, 9000, 8000).astype(np.int16), 8000)

    def build(lib):
        sources = [lib.AudioSource(type="file", channels=[i], source=str(p)) for i, p in enumerate(paths)]
        return lib.Recording(id="two", sources=sources, sampling_rate=8000, num_samples=8000, duration=1.0)

    recs = _both(build)
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])
    for channels in (None, 1, [0, 1]):
        np.testing.assert_array_equal(
            recs["ours"].load_audio(channels=channels), recs["lhotse"].load_audio(channels=channels)
        )


def test_volume_perturbation_gives_the_same_manifest_and_samples(stereo_wav):
    recs = _both(lambda lib: lib.Recording.from_file(stereo_wav).perturb_volume(0.5))
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])
    np.testing.assert_array_equal(recs["ours"].load_audio(), recs["lhotse"].load_audio())


def test_recording_set_load_audio_takes_lhotses_keywords(lhotse_compat_dir):
    files = [lhotse_compat_dir / "audio" / name for name in ("mono.wav", "stereo.flac")]
    sets = _both(lambda lib: lib.RecordingSet.from_recordings(lib.Recording.from_file(f) for f in files))
    for kwargs in (
        {},
        {"offset_seconds": 0.5},
        {"offset_seconds": 0.25, "duration_seconds": 1.0},
        {"channels": 0, "duration_seconds": 0.5},
    ):
        np.testing.assert_array_equal(
            sets["ours"].load_audio("stereo", **kwargs), sets["lhotse"].load_audio("stereo", **kwargs)
        )
    # positional: recording_id, channels, offset_seconds, duration_seconds
    np.testing.assert_array_equal(
        sets["ours"].load_audio("mono", None, 0.5, 0.5), sets["lhotse"].load_audio("mono", None, 0.5, 0.5)
    )


@pytest.mark.parametrize("accessor", ["num_channels", "sampling_rate", "num_samples", "duration"])
def test_recording_set_per_id_accessors(lhotse_compat_dir, accessor):
    files = [lhotse_compat_dir / "audio" / name for name in ("mono.wav", "stereo.flac")]
    sets = _both(lambda lib: lib.RecordingSet.from_recordings(lib.Recording.from_file(f) for f in files))
    for rid in ("mono", "stereo"):
        assert getattr(sets["ours"], accessor)(rid) == getattr(sets["lhotse"], accessor)(rid)


def test_with_path_prefix_takes_lhotses_keyword(lhotse_compat_dir):
    recs = _both(lambda lib: lib.Recording.from_file(lhotse_compat_dir / "audio" / "mono.wav", relative_path_depth=1))
    assert _dict(recs["ours"].with_path_prefix(path="/data")) == _dict(recs["lhotse"].with_path_prefix(path="/data"))


def test_from_bytes(fixture_file):
    data = fixture_file.read_bytes()
    recs = _both(lambda lib: lib.Recording.from_bytes(data, recording_id="mem"))
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])
    assert recs["ours"].is_in_memory and recs["lhotse"].is_in_memory
    np.testing.assert_array_equal(recs["ours"].load_audio(offset=0.5), recs["lhotse"].load_audio(offset=0.5))


def test_move_to_memory_attaches_the_file_bytes(fixture_file):
    recs = _both(lambda lib: lib.Recording.from_file(fixture_file).move_to_memory())
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])
    assert recs["ours"].sources[0].source == fixture_file.read_bytes()
    np.testing.assert_array_equal(recs["ours"].load_audio(), recs["lhotse"].load_audio())
    assert recs["ours"].move_to_memory() is recs["ours"]  # already in memory: itself, as in Lhotse
    assert recs["lhotse"].move_to_memory() is recs["lhotse"]


def test_move_to_memory_keeps_the_transforms_of_a_whole_recording(stereo_wav):
    recs = _both(lambda lib: lib.Recording.from_file(stereo_wav).perturb_volume(2.0).move_to_memory(channels=[0, 1]))
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])
    np.testing.assert_array_equal(recs["ours"].load_audio(), recs["lhotse"].load_audio())


@pytest.mark.parametrize("fmt", ["wav", "flac"])
@pytest.mark.parametrize(
    "span", [{"channels": 1}, {"offset": 0.25, "duration": 0.5}, {"channels": [1], "duration": 0.5}], ids=str
)
def test_move_to_memory_of_a_part_reencodes_it(stereo_wav, fmt, span):
    recs = _both(lambda lib: lib.Recording.from_file(stereo_wav).move_to_memory(format=fmt, **span))
    assert _dict(recs["ours"]) == _dict(recs["lhotse"])  # same manifest, same encoded bytes
    np.testing.assert_array_equal(recs["ours"].load_audio(), recs["lhotse"].load_audio())


def test_move_to_memory_defaults_to_flac(stereo_wav):
    # Lhotse 1.33 documents FLAC as the default but, with its libsndfile backend, fails to save without a format.
    ours_rec = ours.Recording.from_file(stereo_wav).move_to_memory(channels=0)
    theirs = lhotse.Recording.from_file(stereo_wav).move_to_memory(channels=0, format="flac")
    assert _dict(ours_rec) == _dict(theirs)
    assert sf.info(io.BytesIO(ours_rec.sources[0].source)).format == "FLAC"


def test_info_read_audio_and_save_audio(fixture_file, tmp_path):
    assert ours.info(fixture_file) == lhotse_audio.info(fixture_file)
    assert ours.info(io.BytesIO(fixture_file.read_bytes())) == lhotse_audio.info(io.BytesIO(fixture_file.read_bytes()))
    for kwargs in ({}, {"offset": 0.5}, {"offset": 0.1, "duration": 0.3}):
        expected, expected_rate = lhotse_audio.read_audio(fixture_file, **kwargs)
        actual, rate = ours.read_audio(fixture_file, **kwargs)
        assert rate == expected_rate
        np.testing.assert_array_equal(actual, expected)
    samples, rate = lhotse_audio.read_audio(fixture_file)
    for fmt, encoding in (("wav", None), ("flac", "PCM_16"), ("wav", "FLOAT")):
        buffers = _both(lambda lib: io.BytesIO())
        for name, lib in LIBS.items():
            lib.save_audio(buffers[name], samples, rate, format=fmt, encoding=encoding)
        assert buffers["ours"].getvalue() == buffers["lhotse"].getvalue()
    paths = _both(lambda lib: tmp_path / f"{lib.__name__}.flac")
    for name, lib in LIBS.items():
        lib.save_audio(paths[name], samples, rate)  # format from the suffix
    np.testing.assert_array_equal(ours.read_audio(paths["ours"])[0], lhotse_audio.read_audio(paths["lhotse"])[0])


def test_save_audio_takes_torch_tensors(tmp_path):
    import torch

    samples = torch.zeros(1, 160)
    buffers = _both(lambda lib: io.BytesIO())
    for name, lib in LIBS.items():
        lib.save_audio(buffers[name], samples, 16000, format="wav")
    assert buffers["ours"].getvalue() == buffers["lhotse"].getvalue()


def test_duration_mismatch_tolerance(stereo_wav):
    def declared_longer(lib, extra):
        source = lib.AudioSource(type="file", channels=[0, 1], source=str(stereo_wav))
        return lib.Recording(
            id="r", sources=[source], sampling_rate=16000, num_samples=16000 + extra, duration=(16000 + extra) / 16000
        )

    try:
        for lib in LIBS.values():
            lib.set_audio_duration_mismatch_tolerance(delta=0.5)
        padded = _both(lambda lib: declared_longer(lib, 4000).load_audio())
        np.testing.assert_array_equal(padded["ours"], padded["lhotse"])  # reflected, as in Lhotse
        for lib in LIBS.values():
            lib.set_audio_duration_mismatch_tolerance(0.1)
            assert lib.get_audio_duration_mismatch_tolerance() == 0.1
            with pytest.raises(lib.AudioLoadingError):
                declared_longer(lib, 4000).load_audio()
    finally:
        for lib in LIBS.values():
            lib.set_audio_duration_mismatch_tolerance(0.5)


# ------------------------------------------------------------------------------------------- errors


def _same_error_kind(theirs: BaseException, mine: BaseException) -> None:
    """Our error is an instance of what Lhotse raised: the builtin itself, or our class of the same name."""
    if type(theirs).__module__ == "builtins":
        assert isinstance(mine, type(theirs)), (type(theirs), type(mine).__mro__)
    else:
        assert isinstance(mine, getattr(ours, type(theirs).__name__)), (type(theirs), type(mine).__mro__)
    assert type(mine).__module__.startswith("lhotse_lite"), f"a bare {type(mine).__name__}, not our tree"


def _missing(lib, tmp_path):
    source = lib.AudioSource(type="file", channels=[0], source=str(tmp_path / "missing.wav"))
    return lib.Recording(id="m", sources=[source], sampling_rate=16000, num_samples=16000, duration=1.0)


def _garbage(lib, tmp_path):
    path = tmp_path / "garbage.wav"
    path.write_bytes(b"not audio " * 100)
    source = lib.AudioSource(type="file", channels=[0], source=str(path))
    return lib.Recording(id="g", sources=[source], sampling_rate=16000, num_samples=16000, duration=1.0)


def _short_source(lib, stereo_wav):  # the manifest says 3 s, the file has 1 s
    source = lib.AudioSource(type="file", channels=[0, 1], source=str(stereo_wav))
    return lib.Recording(id="s", sources=[source], sampling_rate=16000, num_samples=48000, duration=3.0)


ERROR_CASES = {
    "unknown channel": lambda lib, wav, tmp: lib.Recording.from_file(wav).load_audio(channels=5),
    "one unknown channel of two": lambda lib, wav, tmp: lib.Recording.from_file(wav).load_audio(channels=[0, 7]),
    "no channel": lambda lib, wav, tmp: lib.Recording.from_file(wav).load_audio(channels=[]),
    "offset past the end": lambda lib, wav, tmp: lib.Recording.from_file(wav).load_audio(offset=1.5),
    "missing file": lambda lib, wav, tmp: _missing(lib, tmp).load_audio(),
    "undecodable file": lambda lib, wav, tmp: _garbage(lib, tmp).load_audio(),
    "file shorter than declared": lambda lib, wav, tmp: _short_source(lib, wav).load_audio(),
    "span past the file's end": lambda lib, wav, tmp: _short_source(lib, wav).load_audio(offset=0.0, duration=2.0),
    # past the end by more than the tolerance (0.5 s): Lhotse's DurationMismatchError
    "span past the recording's end": lambda lib, wav, tmp: lib.Recording.from_file(wav).load_audio(
        offset=0.5, duration=1.2
    ),
    "span from 0 past the end": lambda lib, wav, tmp: lib.Recording.from_file(wav).load_audio(duration=2.0),
    "from_file of a missing file": lambda lib, wav, tmp: lib.Recording.from_file(tmp / "missing.wav"),
    "from_file of garbage": lambda lib, wav, tmp: lib.Recording.from_file(_garbage(lib, tmp).sources[0].source),
    "from_bytes of garbage": lambda lib, wav, tmp: lib.Recording.from_bytes(b"not audio " * 100, "g"),
    "info of a missing file": lambda lib, wav, tmp: lib.info(tmp / "missing.wav"),
    "read_audio of garbage": lambda lib, wav, tmp: lib.read_audio(_garbage(lib, tmp).sources[0].source),
    "move_to_memory of a missing file": lambda lib, wav, tmp: _missing(lib, tmp).move_to_memory(),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_caught_by_lhotses_except_clauses(case, stereo_wav, tmp_path, raised):
    theirs = raised(lambda: ERROR_CASES[case](lhotse_audio, stereo_wav, tmp_path))
    mine = raised(lambda: ERROR_CASES[case](ours, stereo_wav, tmp_path))
    _same_error_kind(theirs, mine)


def test_unknown_recording_id_is_a_key_error(stereo_wav, raised):
    # Lhotse 1.33 leaks a StopIteration from a generator here; ours is a KeyError (UnknownIdError) naming the id.
    sets = _both(lambda lib: lib.RecordingSet.from_recordings([lib.Recording.from_file(stereo_wav)]))
    assert isinstance(raised(lambda: sets["lhotse"].load_audio("nope")), StopIteration)
    for accessor in ("load_audio", "num_channels", "sampling_rate", "num_samples", "duration"):
        err = raised(lambda accessor=accessor: getattr(sets["ours"], accessor)("nope"))
        assert isinstance(err, KeyError) and "nope" in str(err)


def test_negative_offset_is_an_error_here(stereo_wav, raised):
    # Lhotse 1.33 reads 1.5 s for offset=-0.5 (1 s recording); ours refuses the span.
    assert lhotse.Recording.from_file(stereo_wav).load_audio(offset=-0.5).shape == (2, 24000)
    err = raised(lambda: ours.Recording.from_file(stereo_wav).load_audio(offset=-0.5))
    assert isinstance(err, (ValueError, AssertionError)) and "offset" in str(err)


def test_suppressing_audio_loading_errors(stereo_wav, tmp_path, caplog):
    for lib in LIBS.values():
        result = "untouched"
        with caplog.at_level(logging.WARNING), lib.suppress_audio_loading_errors():
            result = _missing(lib, tmp_path).load_audio()
        assert result == "untouched"
        assert lib.null_result_on_audio_loading_error(_missing(lib, tmp_path).load_audio)() is None
        loaded = lib.null_result_on_audio_loading_error(lib.Recording.from_file(stereo_wav).load_audio)()
        assert loaded.shape == (2, 16000)
        with pytest.raises(AssertionError), lib.suppress_audio_loading_errors():  # a bad request is not suppressed
            lib.Recording.from_file(stereo_wav).load_audio(channels=3)
        with pytest.raises(lib.AudioLoadingError), lib.suppress_audio_loading_errors(enabled=False):
            _missing(lib, tmp_path).load_audio()
    assert sum("Suppressed" in r.getMessage() for r in caplog.records) == 4
