"""``cspkit fetch police`` against a local HTTP server (never the network) serving a small archive in the
real data.police.uk layout, built from real rows of the bundled police.uk downloads."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from cspkit.cli import app
from cspkit.config import load_config
from cspkit.data import warehouse
from cspkit.data.download import download
from cspkit.data.police_archive import FetchSettings, archive_months, fetch_police, get_archive
from cspkit.errors import InputError

DEMO_POLICE = Path(__file__).resolve().parents[2] / "demo" / "police"
BEDFORDSHIRE_ZIP = DEMO_POLICE / "bedfordshire-2021-05-to-2024-04.zip"
NATIONAL_ZIP = DEMO_POLICE / "england-wales-2024-01-street-except-bedfordshire.zip"
MONTHS = ("2023-11", "2023-12", "2024-01")
#: Forces of the national month kept in the small archive: two neighbours that report a few crimes in Central
#: Bedfordshire, British Transport Police, and one far away.
OTHER_FORCES = ("hertfordshire", "thames-valley", "btp", "cumbria")
CENTRAL_BEDFORDSHIRE = "E06000056"


def _first_rows(data: bytes, rows: int) -> bytes:
    """The header and the first ``rows`` data rows of a police.uk CSV (real rows, none changed)."""
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False).head(rows)
    out = io.BytesIO()
    frame.write_csv(out)
    return out.getvalue()


def build_archive() -> bytes:
    """Bedfordshire's three kinds of file for three months, and four other forces' street files for the last."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out, zipfile.ZipFile(BEDFORDSHIRE_ZIP) as beds, \
            zipfile.ZipFile(NATIONAL_ZIP) as national:
        for month in MONTHS:
            for kind in ("street", "outcomes", "stop-and-search"):
                name = f"{month}/{month}-bedfordshire-{kind}.csv"
                out.writestr(name, beds.read(name))
        for force in OTHER_FORCES:
            name = f"2024-01/2024-01-{force}-street.csv"
            out.writestr(name, _first_rows(national.read(name), 400))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def archive_bytes() -> bytes:
    return build_archive()


class Server:
    """A local HTTP server: an index page and archives, with Range support, a cut connection or Range ignored."""

    def __init__(self, files: dict[str, bytes], index: str = "") -> None:
        self.files = files
        self.index = index
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        self.cut_after: int | None = None  # the next whole-file answer stops after this many bytes
        self.honour_range = True
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                wanted = self.headers.get("Range")
                server.requests.append((self.path, wanted))
                if self.path == "/data/archive/":
                    return self._send(200, server.index.encode(), "text/html; charset=utf-8")
                body = server.files.get(self.path.rsplit("/", 1)[-1])
                if body is None:
                    return self._send(404, b"not found", "text/plain")
                match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
                if match and server.honour_range:
                    start = int(match.group(1))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return None
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    self.send_header("Content-Length", str(len(body) - start))
                    self.end_headers()
                    self.wfile.write(body[start:])
                    return None
                if server.cut_after is not None:
                    cut, server.cut_after = server.cut_after, None
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                return self._send(200, body, "application/zip")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/data/archive/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def zip_requests(self) -> list[tuple[str, str | None]]:
        return [r for r in self.requests if r[0].endswith(".zip")]


@pytest.fixture
def serve() -> Iterator:
    started: list[Server] = []

    def start(files: dict[str, bytes], index: str = "") -> Server:
        server = Server(files, index)
        server.thread.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


def index_page(*months: str) -> str:
    links = "".join(f'<li><a href="/data/archive/{m}.zip">{m}</a></li>' for m in months)
    return f'<html><body><a href="/about">about</a><a href="/data/archive/notes.zip">notes</a><ul>{links}</ul></body></html>'


def write_config(folder: Path, base_url: str, warehouse_file: Path, peers: bool = True) -> Path:
    analysis = '[analysis]\npeer_period = ["2024-01", "2024-01"]\n' if peers else "[analysis]\npeer_count = 0\n"
    path = folder / "assessment.toml"
    path.write_text(
        f"""[assessment]
area_codes = ["{CENTRAL_BEDFORDSHIRE}"]
period_start = "{MONTHS[0]}"
period_end = "{MONTHS[-1]}"
warehouse = "{warehouse_file.as_posix()}"

[sources.police]
archive_url = "{base_url}"
cache = "cache"

{analysis}""",
        encoding="utf-8",
    )
    return path


def _loaded(warehouse_file: Path) -> set[tuple[str, str, str]]:
    with warehouse.read(warehouse_file) as con:
        rows = con.execute("SELECT kind, force, strftime(month, '%Y-%m') FROM ingest_log").fetchall()
    return {tuple(r) for r in rows}


def test_the_index_page_gives_the_latest_archive(serve) -> None:
    server = serve({}, index_page("2023-12", "2024-02", "2024-01"))
    assert archive_months(server.base) == ["2023-12", "2024-01", "2024-02"]


def test_an_index_without_archives_is_a_clear_error(serve) -> None:
    server = serve({}, "<html><body>maintenance</body></html>")
    with pytest.raises(InputError, match=r"links no YYYY-MM.zip archive"):
        archive_months(server.base)


def test_fetch_loads_the_area_forces_and_btp_for_the_period_and_every_force_for_the_peer_month(
        serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes}, index_page("2023-12", "2024-01"))
    config = load_config(write_config(tmp_path, server.base, warehouse_file))
    report = fetch_police(config)

    assert report.archive.month == "2024-01" and report.archive.downloaded
    assert report.selection.area_forces == ("bedfordshire",)
    expected = {(kind, "bedfordshire", month) for month in MONTHS for kind in ("street", "outcomes", "stop_search")}
    expected |= {("street", force, "2024-01") for force in OTHER_FORCES}
    assert _loaded(warehouse_file) == expected
    manifest = json.loads((tmp_path / "cache" / "manifest.json").read_text())
    assert manifest["2024-01.zip"]["size"] == len(archive_bytes)
    assert manifest["2024-01.zip"]["sha256"] == hashlib.sha256(archive_bytes).hexdigest()
    assert (tmp_path / "cache" / "2024-01.zip").read_bytes() == archive_bytes
    with warehouse.read(warehouse_file) as con:
        in_cb = con.execute("SELECT count(*) FROM street WHERE force = 'bedfordshire' AND lad_code = ? "
                            "AND month = DATE '2024-01-01'", [CENTRAL_BEDFORDSHIRE]).fetchall()[0][0]
    assert in_cb == 1472  # every Central Bedfordshire row of the real January 2024 file


def test_without_peers_only_the_area_forces_and_btp_are_loaded(serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes}, index_page("2024-01"))
    config = load_config(write_config(tmp_path, server.base, warehouse_file, peers=False))
    fetch_police(config)
    assert {force for _, force, _ in _loaded(warehouse_file)} == {"bedfordshire", "btp"}


def test_a_later_run_reuses_the_cached_archive(serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes}, index_page("2024-01"))
    config = load_config(write_config(tmp_path, server.base, warehouse_file, peers=False))
    fetch_police(config, ingest=False)
    again = fetch_police(config, month="2024-01", ingest=False)
    assert not again.archive.downloaded
    assert len(server.zip_requests()) == 1


def test_months_of_the_period_the_archive_lacks_are_listed(serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes}, index_page("2024-01"))
    config = load_config(write_config(tmp_path, server.base, warehouse_file, peers=False))
    earlier = replace(config, period_start="2023-09")
    selection = fetch_police(earlier, ingest=False).selection
    assert selection.months_missing == (date(2023, 9, 1), date(2023, 10, 1))
    assert {pf.month for pf in selection.files} == {date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1)}


def test_a_cut_connection_is_resumed_with_a_range_request(serve, archive_bytes, tmp_path) -> None:
    server = serve({"2024-01.zip": archive_bytes})
    server.cut_after = len(archive_bytes) // 3
    got = download(server.base + "2024-01.zip", tmp_path / "2024-01.zip")
    assert server.zip_requests() == [("/data/archive/2024-01.zip", None),
                                      ("/data/archive/2024-01.zip", f"bytes={len(archive_bytes) // 3}-")]
    assert got.sha256 == hashlib.sha256(archive_bytes).hexdigest()
    assert (tmp_path / "2024-01.zip").read_bytes() == archive_bytes
    assert not (tmp_path / "2024-01.zip.part").exists()


def test_a_run_that_gives_up_leaves_the_part_file_and_the_next_run_resumes_it(serve, archive_bytes, tmp_path) -> None:
    server = serve({"2024-01.zip": archive_bytes})
    server.cut_after = 1000
    with pytest.raises(InputError, match=r"cut off after 1,000 bytes.*run the command again to resume"):
        download(server.base + "2024-01.zip", tmp_path / "2024-01.zip", attempts=1)
    assert (tmp_path / "2024-01.zip.part").stat().st_size == 1000
    got = download(server.base + "2024-01.zip", tmp_path / "2024-01.zip")
    assert server.zip_requests()[-1] == ("/data/archive/2024-01.zip", "bytes=1000-")
    assert got.sha256 == hashlib.sha256(archive_bytes).hexdigest()


def test_a_server_that_ignores_range_sends_the_whole_file_again(serve, archive_bytes, tmp_path) -> None:
    server = serve({"2024-01.zip": archive_bytes})
    server.honour_range = False
    (tmp_path / "2024-01.zip.part").write_bytes(b"bytes of some other download")
    got = download(server.base + "2024-01.zip", tmp_path / "2024-01.zip")
    assert server.zip_requests()[0][1] == "bytes=28-"
    assert got.size == len(archive_bytes) and got.sha256 == hashlib.sha256(archive_bytes).hexdigest()


def test_a_part_file_already_whole_is_finished_without_bytes(serve, archive_bytes, tmp_path) -> None:
    server = serve({"2024-01.zip": archive_bytes})
    (tmp_path / "2024-01.zip.part").write_bytes(archive_bytes)
    got = download(server.base + "2024-01.zip", tmp_path / "2024-01.zip")
    assert got.sha256 == hashlib.sha256(archive_bytes).hexdigest()


def test_a_missing_archive_is_a_clear_error(serve, tmp_path) -> None:
    server = serve({})
    with pytest.raises(InputError, match="HTTP 404"):
        get_archive(FetchSettings(server.base, tmp_path), "2020-01")


def test_a_corrupt_zip_is_refused_and_removed_from_the_cache(serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes[: len(archive_bytes) // 2]}, index_page("2024-01"))
    config = load_config(write_config(tmp_path, server.base, warehouse_file))
    before = warehouse_file.read_bytes()
    with pytest.raises(InputError, match=r"not a police.uk zip.*removed from the cache"):
        fetch_police(config)
    assert not (tmp_path / "cache" / "2024-01.zip").exists()
    assert not (tmp_path / "cache" / "manifest.json").exists()
    assert warehouse_file.read_bytes() == before


def _damaged(archive: bytes, member: str) -> bytes:
    """The archive with bytes in the middle of one member's compressed data overwritten."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(member)
    data = bytearray(archive)
    name_length = int.from_bytes(data[info.header_offset + 26: info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28: info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    data[start: start + 64] = bytes(64)
    return bytes(data)


def test_a_failed_run_leaves_the_warehouse_as_it_was(serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes,
                    "2024-02.zip": _damaged(archive_bytes, "2023-12/2023-12-bedfordshire-street.csv")},
                   index_page("2024-01"))
    config = load_config(write_config(tmp_path, server.base, warehouse_file))
    fetch_police(config)
    loaded = _loaded(warehouse_file)
    parquet = warehouse.partitions_dir(warehouse_file)
    files_before = sorted(p.relative_to(parquet) for p in parquet.rglob("*"))
    with warehouse.read(warehouse_file) as con:
        rows_before = con.execute("SELECT count(*), sum(hash(source_file, source_row)) FROM street").fetchall()
    with pytest.raises(InputError, match=r"2023-12-bedfordshire-street.csv: the archive is damaged"):
        fetch_police(config, month="2024-02")
    assert _loaded(warehouse_file) == loaded
    assert sorted(p.relative_to(parquet) for p in parquet.rglob("*")) == files_before
    with warehouse.read(warehouse_file) as con:
        assert con.execute("SELECT count(*), sum(hash(source_file, source_row)) FROM street").fetchall() == rows_before


def test_the_command_prints_the_archive_and_the_ingest(serve, archive_bytes, tmp_path, warehouse_file) -> None:
    server = serve({"2024-01.zip": archive_bytes}, index_page("2024-01"))
    config = write_config(tmp_path, server.base, warehouse_file, peers=False)
    result = CliRunner().invoke(app, ["fetch", "police", "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["archive"]["sha256"] == hashlib.sha256(archive_bytes).hexdigest()
    assert payload["area_forces"] == ["bedfordshire"]
    assert payload["ingest"]["total"]["files"] == 10  # 3 months x 3 kinds of Bedfordshire's, and BTP's January
    shutil.rmtree(tmp_path / "cache")
    server.files["2024-01.zip"] = b"PK not really a zip"
    failed = CliRunner().invoke(app, ["fetch", "police", "--config", str(config)])
    assert failed.exit_code == 2
    assert "not a police.uk zip" in failed.output
