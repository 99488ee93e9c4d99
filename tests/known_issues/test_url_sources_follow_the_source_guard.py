"""``url`` sources can be refused like ``command`` sources, and ``validate`` lists them.

They were fetched even with ``LHOTSE_LITE_ALLOW_COMMANDS=0`` (``ftp://`` too), and ``lite manifest
validate`` did not mention them (Lhotse 1.33 has no guard either). Now
``set_url_sources_allowed(False)`` or ``LHOTSE_LITE_ALLOW_URLS=0`` refuses them with
``UrlSourceRefusedError`` before any connection; the fetched schemes are exactly ``URL_SCHEMES``;
``validate`` lists each url source with ``file:line``; feature workers get the setting.
"""

import pytest
from click.testing import CliRunner

from lhotse_lite.audio import AudioSource, Recording, RecordingSet, set_url_sources_allowed, url_sources_allowed
from lhotse_lite.audio.command_guard import URL_ENV_VAR, URL_SCHEMES
from lhotse_lite.cli import cli
from lhotse_lite.errors import AudioLoadingError, UrlSourceRefusedError
from lhotse_lite.features.builder import _extract_batch


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv(URL_ENV_VAR, raising=False)
    set_url_sources_allowed(None)
    yield
    set_url_sources_allowed(None)


def _recording(url: str) -> Recording:
    return Recording("r1", [AudioSource("url", [0], url)], 16000, 16000, 1.0)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/a.wav", "ftp://127.0.0.1:9/a.wav", "file:///etc/passwd"])
def test_refused_by_the_switch(url):
    set_url_sources_allowed(False)
    with pytest.raises(UrlSourceRefusedError, match="refusing to fetch the url source") as caught:
        _recording(url).load_audio()
    assert "recording 'r1'" in str(caught.value) and url in str(caught.value)
    assert isinstance(caught.value, PermissionError)


def test_refused_by_the_environment(monkeypatch):
    monkeypatch.setenv(URL_ENV_VAR, "0")
    assert not url_sources_allowed()
    with pytest.raises(UrlSourceRefusedError):
        _recording("ftp://127.0.0.1:9/a.wav").load_audio()


def test_only_the_listed_schemes_are_fetched():
    assert URL_SCHEMES == ("http", "https", "ftp", "file")
    with pytest.raises(AudioLoadingError, match="is not fetched"):
        _recording("data:audio/wav;base64,UklGRg==").load_audio()


def test_workers_get_the_setting():
    set_url_sources_allowed(True)
    _extract_batch(None, None, None, [], False, (True, False))  # what the builder sends its workers
    assert not url_sources_allowed()


def test_validate_lists_url_sources(tmp_path):
    path = tmp_path / "recs.jsonl"
    RecordingSet([_recording("https://example.org/r1.flac")]).to_file(path)
    result = CliRunner().invoke(cli, ["manifest", "validate", "--no-check-files", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 url source(s)" in result.stderr and URL_ENV_VAR in result.stderr
    assert f"{path}:1: recordings[r1]: 'https://example.org/r1.flac'" in result.stderr
