"""AudioSource: the four source types, span reading, dict form and bad input."""

import functools
import http.server
import threading

import numpy as np
import pytest

from lhotse_lite.audio import AudioSource
from lhotse_lite.errors import AudioLoadingError, AudioNotFoundError, ManifestFieldError


@pytest.fixture
def stereo(write_wav, signals):
    samples = signals.ramp(2, 8000)
    return write_wav("st.wav", samples), samples


def test_file_source_reads_the_requested_span(stereo):
    path, samples = stereo
    src = AudioSource(type="file", channels=[0, 1], source=str(path))
    audio, rate = src.read(offset=0.1, duration=0.05)
    assert rate == 16000 and audio.dtype == np.float32
    np.testing.assert_array_equal(audio, samples[:, 1600:2400])
    np.testing.assert_array_equal(src.load_audio(), samples)


def test_file_source_reads_only_the_span_from_disk(stereo, monkeypatch):
    import soundfile as sf

    calls = []
    original_read, original_seek = sf.SoundFile.read, sf.SoundFile.seek
    monkeypatch.setattr(
        sf.SoundFile, "seek", lambda self, pos, *a: calls.append(("seek", pos)) or original_seek(self, pos, *a)
    )
    monkeypatch.setattr(
        sf.SoundFile,
        "read",
        lambda self, frames=-1, **kw: calls.append(("read", frames)) or original_read(self, frames, **kw),
    )
    path, _ = stereo
    AudioSource("file", [0, 1], str(path)).read(offset=0.25, duration=0.125)
    assert calls[0] == ("seek", 4000)
    assert [c for c in calls if c[0] == "read"] == [("read", 2000)]


def test_command_source_runs_a_kaldi_style_pipe(stereo):
    path, samples = stereo
    for command in [f"cat {path}", f"cat {path} |"]:
        audio, rate = AudioSource("command", [0, 1], command).read()
        assert rate == 16000
        np.testing.assert_array_equal(audio, samples)


def test_command_source_span(stereo):
    path, samples = stereo
    audio = AudioSource("command", [0, 1], f"cat {path} |").load_audio(offset=0.1, duration=0.1)
    np.testing.assert_array_equal(audio, samples[:, 1600:3200])


def test_url_source_file_scheme(stereo):
    path, samples = stereo
    audio = AudioSource("url", [0, 1], path.as_uri()).load_audio(offset=0.2)
    np.testing.assert_array_equal(audio, samples[:, 3200:])


def test_url_source_local_http_server(stereo):
    path, samples = stereo
    handler = functools.partial(_QuietHandler, directory=str(path.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        np.testing.assert_array_equal(AudioSource("url", [0, 1], f"{base}/{path.name}").load_audio(), samples)
        with pytest.raises(AudioNotFoundError, match="404"):
            AudioSource("url", [0, 1], f"{base}/missing.wav").load_audio()
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_memory_source_decodes_bytes(stereo):
    path, samples = stereo
    src = AudioSource("memory", [0, 1], path.read_bytes())
    np.testing.assert_array_equal(src.load_audio(offset=0.25), samples[:, 4000:])
    assert "bytes" in repr(src) and str(path) not in repr(src)


def test_dict_round_trip_and_layout():
    for src in [
        AudioSource("file", [0], "a.wav"),
        AudioSource("command", [0, 1], "sph2pipe -f wav a.sph |"),
        AudioSource("url", [1], "https://example.com/a.flac"),
        AudioSource("memory", [0], b"RIFF...."),
    ]:
        d = src.to_dict()
        assert list(d) == ["type", "channels", "source"]
        assert AudioSource.from_dict(d) == src


@pytest.mark.parametrize(
    "data, message",
    [
        ({"type": "tape", "channels": [0], "source": "a"}, "tape"),
        ({"type": "file", "channels": [], "source": "a"}, "non-empty"),
        ({"type": "file", "channels": [-1], "source": "a"}, "channel id must be an int >= 0, got -1"),
        ({"type": "file", "channels": [0, 0], "source": "a"}, "distinct"),
        ({"type": "file", "channels": [0], "source": b"a"}, "must be str"),
        ({"type": "memory", "channels": [0], "source": "UklGRg=="}, "must be bytes"),
        ({"type": "file", "channels": [0]}, r"missing field\(s\) source"),
        ({"type": "file", "channels": [0], "source": "a", "video": {}}, r"unknown field\(s\) video"),
    ],
)
def test_from_dict_rejects_bad_fields(data, message):
    with pytest.raises(ManifestFieldError, match=message):
        AudioSource.from_dict(data)


def test_missing_file(tmp_path):
    with pytest.raises(AudioNotFoundError, match=r"nope\.wav"):
        AudioSource("file", [0], str(tmp_path / "nope.wav")).load_audio()


def test_corrupt_file(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" * 4)
    with pytest.raises(AudioLoadingError, match=r"bad\.wav"):
        AudioSource("file", [0], str(bad)).load_audio()


def test_failing_command_reports_command_and_stderr():
    command = "echo 'sph2pipe: cannot open a.sph' >&2; exit 3"
    with pytest.raises(AudioLoadingError) as info:
        AudioSource("command", [0], command).load_audio()
    assert "exit code 3" in str(info.value) and "cannot open a.sph" in str(info.value) and "exit 3" in str(info.value)


def test_command_whose_program_is_missing():
    with pytest.raises(AudioNotFoundError, match="no-such-program-lhotse-lite"):
        AudioSource("command", [0], "no-such-program-lhotse-lite a.wav |").load_audio()


def test_command_writing_no_audio():
    with pytest.raises(AudioLoadingError, match="cannot decode"):
        AudioSource("command", [0], "echo hello").load_audio()
    with pytest.raises(AudioLoadingError, match="nothing to stdout"):
        AudioSource("command", [0], "true").load_audio()


def test_missing_url(tmp_path):
    with pytest.raises(AudioNotFoundError, match=r"missing\.wav"):
        AudioSource("url", [0], (tmp_path / "missing.wav").as_uri()).load_audio()


def test_channel_count_differs_from_manifest(stereo):
    path, _ = stereo
    with pytest.raises(AudioLoadingError, match="1 channel"):
        AudioSource("file", [0], str(path)).load_audio()
