"""Downloads resume and are atomic; archives unpack inside their folder (a loopback HTTP server, no network)."""

import http.server
import io
import random
import re
import tarfile
import threading
import zipfile

import pytest

from lhotse_lite.errors import DownloadError
from lhotse_lite.recipes.download import extract_archive, fetch_archive, resumable_download

PAYLOAD = bytes(range(256)) * 64  # 16 KiB


class _Server(http.server.ThreadingHTTPServer):
    """Serves PAYLOAD at /data.bin; ``cut_after`` bytes into the first response it drops the connection."""

    daemon_threads = True

    def __init__(self, honour_ranges=True, cut_after=None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.honour_ranges, self.cut_after, self.requests = honour_ranges, cut_after, []


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        server = self.server
        server.requests.append(self.headers.get("Range"))
        if self.path != "/data.bin":
            self.send_error(404, "Not Found")
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and server.honour_ranges:
            start = int(match.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.cut_after is not None:
            cut, server.cut_after = server.cut_after, None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def serve():
    servers = []

    def start(**options):
        server = _Server(**options)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_interrupted_download_resumes_from_its_partial_file(serve, tmp_path):
    server, base = serve(cut_after=5000)
    target = tmp_path / "data.bin"
    with pytest.raises(DownloadError, match=r"run again to resume from '.*data\.bin\.part'"):
        resumable_download(f"{base}/data.bin", target)
    assert not target.exists() and (tmp_path / "data.bin.part").stat().st_size == 5000
    assert resumable_download(f"{base}/data.bin", target) == target
    assert target.read_bytes() == PAYLOAD and not (tmp_path / "data.bin.part").exists()
    assert server.requests == [None, "bytes=5000-"]


def test_a_server_without_ranges_gets_the_whole_file_again(serve, tmp_path):
    server, base = serve(honour_ranges=False)
    (tmp_path / "data.bin.part").write_bytes(b"stale bytes of an older download")
    resumable_download(f"{base}/data.bin", tmp_path / "data.bin")
    assert (tmp_path / "data.bin").read_bytes() == PAYLOAD
    assert server.requests == ["bytes=32-"]  # asked to resume, got 200 and the whole file


def test_a_complete_file_is_used_as_it_is_unless_forced(serve, tmp_path):
    server, base = serve()
    target = tmp_path / "data.bin"
    target.write_bytes(b"fetched by hand")
    assert resumable_download(f"{base}/data.bin", target).read_bytes() == b"fetched by hand"
    assert server.requests == []
    resumable_download(f"{base}/data.bin", target, force_download=True)
    assert target.read_bytes() == PAYLOAD


def test_http_errors_and_bad_urls_are_download_errors(serve, tmp_path):
    _, base = serve()
    with pytest.raises(DownloadError, match=r"could not download http://.*/missing.bin: HTTP 404 Not Found\. "):
        resumable_download(f"{base}/missing.bin", tmp_path / "missing.bin")
    with pytest.raises(DownloadError, match=r"could not download no-scheme/file\.tar\.gz"):
        resumable_download("no-scheme/file.tar.gz", tmp_path / "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.mark.parametrize(
    "member",
    [
        _file("../escape.txt"),
        _file("/etc/escape.txt"),
        _link("corpus/out", "../../elsewhere"),
        _link("corpus/hard", "../outside", kind=tarfile.LNKTYPE),
    ],
    ids=["dotdot", "absolute", "symlink-out", "hardlink-out"],
)
def test_members_outside_the_target_are_refused(tmp_path, member):
    archive = _tar(tmp_path / "bad.tar.gz", [_file("corpus/ok.txt"), member])
    with pytest.raises(DownloadError, match="refusing to unpack"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists() and not list((tmp_path / "out").rglob("ok.txt"))


def test_links_inside_the_target_are_kept(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", [_file("corpus/a.txt", b"A"), _link("corpus/b.txt", "a.txt")])
    extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out/corpus/b.txt").read_bytes() == b"A"


def test_damaged_or_foreign_files_are_reported(tmp_path):
    page = tmp_path / "page.tar.gz"
    page.write_text("<html>an error page saved as the archive</html>")
    with pytest.raises(DownloadError, match="neither a tar nor a zip archive"):
        extract_archive(page, tmp_path / "out")
    noise = random.Random(0).randbytes(100_000)  # incompressible: the cut leaves the first header whole
    whole = _tar(tmp_path / "whole.tar.gz", [_file("corpus/a.bin", noise)])
    (tmp_path / "cut.tar.gz").write_bytes(whole.read_bytes()[:-20_000])
    with pytest.raises(DownloadError, match="is damaged"):
        extract_archive(tmp_path / "cut.tar.gz", tmp_path / "out")


def test_fetch_archive_redoes_a_partial_unpack_and_checks_the_folder(tmp_path):
    archive = _tar(tmp_path / "corpus.tar.gz", [_file("corpus/a.txt", b"A")])
    (tmp_path / "dl/corpus").mkdir(parents=True)
    (tmp_path / "dl/corpus/leftover.txt").write_text("from an interrupted unpack")
    unpacked = fetch_archive(archive.as_uri(), tmp_path / "dl/corpus.tar.gz", tmp_path / "dl", tmp_path / "dl/corpus")
    assert sorted(p.name for p in unpacked.iterdir()) == [".completed", "a.txt"]
    zipped = tmp_path / "other.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("something_else/a.txt", "A")
    with pytest.raises(DownloadError, match=r"did not unpack to '.*wanted'"):
        fetch_archive(zipped.as_uri(), tmp_path / "dl2/other.zip", tmp_path / "dl2", tmp_path / "dl2/wanted")
