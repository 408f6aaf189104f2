"""Benchmark: ``cspkit fetch police`` apart from the ingest (issue 11, item 5).

Run:  .venv/bin/python benchmarks/bench_fetch.py [--download-mb 256] [--rows 40]

1. Download: a file of ``--download-mb`` MB from a local HTTP server (127.0.0.1, a thread), by
   ``cspkit.data.download.download`` (sha256 computed as it arrives, written to a .part file) against
   the plain baseline ``shutil.copyfileobj(urlopen(url), file)`` (no hash). Ratio = cspkit / plain.
2. Reading members: an archive in the national layout (36 months x 44 forces x 3 kinds = 4,752
   members, each the first ``--rows`` rows of a real Bedfordshire file) and the members one
   assessment with peers needs (one force and BTP x 36 months x 3 kinds, and 44 forces' street files
   for 12 months: 720 members), read through ``discover`` (one open zip for all members) against the
   plain baseline of one ``zipfile.ZipFile`` reading the same members, and against opening the zip
   for each member (what the ingest did before).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import tempfile
import threading
import time
import urllib.request
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cspkit.data.download import download
from cspkit.data.police_files import discover

DEMO_ZIP = Path(__file__).resolve().parents[1] / "demo" / "police" / "bedfordshire-2021-05-to-2024-04.zip"
FORCES = ["bedfordshire", "btp", *[f"force-{i:02d}" for i in range(42)]]


def _months() -> list[str]:
    return [f"{2021 + (4 + i) // 12}-{(4 + i) % 12 + 1:02d}" for i in range(36)]


def build_archive(path: Path, rows: int) -> None:
    samples = {}
    with zipfile.ZipFile(DEMO_ZIP) as demo:
        for kind in ("street", "outcomes", "stop-and-search"):
            data = demo.read(f"2024-01/2024-01-bedfordshire-{kind}.csv")
            samples[kind] = b"".join(io.BytesIO(data).readlines()[: rows + 1])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for month in _months():
            for force in FORCES:
                for kind, data in samples.items():
                    out.writestr(f"{month}/{month}-{force}-{kind}.csv", data)


def needed(member: str) -> bool:
    month, name = member.split("/")
    if name.startswith(f"{month}-bedfordshire-") or name.startswith(f"{month}-btp-"):
        return True
    return name.endswith("-street.csv") and month >= _months()[-12]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench_download(folder: Path, megabytes: int) -> None:
    served = folder / "served"
    served.mkdir()
    (served / "big.zip").write_bytes(os.urandom(megabytes << 20))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/big.zip"

    def plain() -> None:
        with urllib.request.urlopen(url) as response, (folder / "plain.zip").open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)

    def cspkit() -> None:
        (folder / "cspkit.zip").unlink(missing_ok=True)
        download(url, folder / "cspkit.zip")

    runs = {"plain": [], "cspkit": []}
    for _ in range(3):  # interleaved: load changes hit both alike
        runs["plain"].append(timed(plain))
        runs["cspkit"].append(timed(cspkit))
    server.shutdown()
    base = min(runs["plain"])
    print(f"\nDownload of {megabytes} MB over loopback (best of 3)")
    print("| method | s | MB/s | ratio to plain |\n|---|---:|---:|---:|")
    for name, times in runs.items():
        print(f"| {name} | {min(times):.2f} | {megabytes / min(times):.0f} | {min(times) / base:.2f} |")


def bench_members(folder: Path, rows: int) -> None:
    archive = folder / "2024-04.zip"
    build_archive(archive, rows)
    with zipfile.ZipFile(archive) as zf:
        wanted = [m for m in zf.namelist() if needed(m)]
    print(f"\nReading {len(wanted)} of 4,752 members ({archive.stat().st_size / 1e6:.1f} MB archive)")

    def plain() -> None:
        with zipfile.ZipFile(archive) as zf:
            for member in wanted:
                zf.read(member)

    def cspkit() -> None:
        chosen = set(wanted)
        for pf in discover([archive]):
            if pf.source_file.split(":", 1)[1] in chosen:
                pf.read()

    def open_per_member() -> None:
        for member in wanted:
            with zipfile.ZipFile(archive) as zf:
                zf.read(member)

    methods = (("plain: one ZipFile", plain), ("cspkit discover + read", cspkit),
               ("a ZipFile per member (before)", open_per_member))
    results = {name: timed(work) for name, work in methods}
    base = results["plain: one ZipFile"]
    print("| method | s | ratio to plain |\n|---|---:|---:|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.2f} | {seconds / base:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--download-mb", type=int, default=256)
    parser.add_argument("--rows", type=int, default=40)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_download(Path(tmp), args.download_mb)
        bench_members(Path(tmp), args.rows)


if __name__ == "__main__":
    main()
