"""A ``url`` source that sends an endless (or too large) body is cut off at a configurable cap.

The body was read whole into memory, so a server sending without end ran the process out of memory
(``MemoryError``); Lhotse 1.33 reads it whole too. Now at most ``url_size_limit()`` bytes are read
(default 1 GiB; ``set_url_size_limit`` or ``LHOTSE_LITE_URL_MAX_BYTES``), and more is an
``AudioLoadingError`` naming the URL, the limit and how to raise it.
"""

import http.server
import io
import threading

import numpy as np
import pytest
import soundfile as sf

from lhotse_lite.audio import AudioSource, set_url_size_limit, url_size_limit
from lhotse_lite.audio.source import DEFAULT_URL_SIZE_LIMIT, URL_SIZE_ENV_VAR
from lhotse_lite.errors import AudioLoadingError, ConfigError


def _wav_bytes() -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(1600, dtype=np.float32), 16000, format="WAV")
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        if self.path == "/declared":
            self.send_header("Content-Length", str(10 << 30))
        elif self.path == "/small.wav":
            self.send_header("Content-Length", str(len(_wav_bytes())))
        self.end_headers()
        try:
            if self.path == "/small.wav":
                self.wfile.write(_wav_bytes())
                return
            while True:  # endless: stops when the client hangs up
                self.wfile.write(b"\0" * 65536)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv(URL_SIZE_ENV_VAR, raising=False)
    set_url_size_limit(None)
    yield
    set_url_size_limit(None)


def test_an_endless_body_stops_at_the_limit(server):
    set_url_size_limit(1 << 20)
    with pytest.raises(AudioLoadingError, match="more than the limit of 1048576 bytes") as caught:
        AudioSource("url", [0], f"{server}/endless.wav").read()
    assert f"{server}/endless.wav" in str(caught.value) and URL_SIZE_ENV_VAR in str(caught.value)


def test_a_declared_length_over_the_limit_is_refused_before_reading(server):
    with pytest.raises(AudioLoadingError, match="declares 10737418240 bytes"):
        AudioSource("url", [0], f"{server}/declared").read()


def test_the_environment_sets_the_limit(server, monkeypatch):
    assert url_size_limit() == DEFAULT_URL_SIZE_LIMIT
    monkeypatch.setenv(URL_SIZE_ENV_VAR, "100")
    with pytest.raises(AudioLoadingError, match="limit of 100 bytes"):
        AudioSource("url", [0], f"{server}/small.wav").read()
    monkeypatch.setenv(URL_SIZE_ENV_VAR, "lots")
    with pytest.raises(ConfigError, match=URL_SIZE_ENV_VAR):
        url_size_limit()


def test_files_under_the_limit_still_load(server):
    samples, rate = AudioSource("url", [0], f"{server}/small.wav").read()
    assert samples.shape == (1, 1600) and rate == 16000
    with pytest.raises(ConfigError):
        set_url_size_limit(0)
