"""One large file over HTTP(S), resumable: the police.uk archive is about 2 GB and connections drop.

Bytes go to ``<target>.part`` as they arrive. A later attempt (in the same run, or the next run)
asks for the rest with an HTTP ``Range`` header; a server that ignores it answers 200 with the whole
file, which then replaces the part file. The sha256 is computed as the bytes are written (the bytes
already on disk are hashed first when resuming), and the part file becomes ``target`` only when the
size the server announced has arrived. Standard library only: nothing to pin.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cspkit import __version__
from cspkit.errors import InputError

#: Bytes read and written at a time.
CHUNK = 1 << 20
#: Tries per run: a cut connection is resumed this many times before the run gives up (the next run resumes again).
ATTEMPTS = 4
#: Seconds without a byte before a connection counts as cut.
TIMEOUT = 60.0

#: ``progress(bytes so far, total bytes or None)``
ByteProgress = Callable[[int, int | None], None]
_CONTENT_RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")


@dataclass(frozen=True)
class Downloaded:
    """A completed download: where it is, its size in bytes and its sha256 (hex)."""

    path: Path
    url: str
    size: int
    sha256: str


class _Restart(Exception):
    """The part file cannot be continued: start again from the first byte."""


def read_text(url: str, timeout: float = TIMEOUT) -> str:
    """A small text resource (an index page), or an InputError naming the URL."""
    try:
        with urllib.request.urlopen(_request(url), timeout=timeout) as response:
            return response.read().decode(response.headers.get_content_charset() or "utf-8", errors="replace")
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise InputError(f"cannot read {url}: {_reason(exc)}") from exc


def download(url: str, target: Path, progress: ByteProgress | None = None, attempts: int = ATTEMPTS,
             timeout: float = TIMEOUT) -> Downloaded:
    """Download ``url`` to ``target``, continuing ``target.part`` if an earlier attempt left one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    failure: Exception | None = None
    for _ in range(attempts):
        try:
            size, digest = _attempt(url, part, progress, timeout)
        except _Restart:
            part.unlink(missing_ok=True)
            continue
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if isinstance(exc, urllib.error.HTTPError) and exc.code != 416:
                raise InputError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from exc
            failure = exc
            continue
        part.replace(target)
        return Downloaded(target, url, size, digest)
    have = part.stat().st_size if part.exists() else 0
    raise InputError(
        f"the download of {url} was cut off after {have:,} bytes ({_reason(failure) if failure else 'no answer'}); "
        f"{attempts} tries made; run the command again to resume from {part.name}"
    )


def _attempt(url: str, part: Path, progress: ByteProgress | None, timeout: float) -> tuple[int, str]:
    """One request: continue (206), start over (200) or finish (416 with every byte held); (size, sha256)."""
    have = part.stat().st_size if part.exists() else 0
    request = _request(url)
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            total = _range_total(exc.headers.get("Content-Range"))
            if total == have:
                return have, _hash_file(part, hashlib.sha256()).hexdigest()
            raise _Restart from exc
        raise
    with response:
        digest = hashlib.sha256()
        if response.status == 206:
            start, total = _content_range(response.headers.get("Content-Range"))
            if start != have:
                raise _Restart
            _hash_file(part, digest)
            mode = "ab"
        else:  # 200: the server sent the whole file (it ignores Range, or nothing was held)
            have, mode = 0, "wb"
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        done = have
        with part.open(mode) as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    if total is not None and done > total:
        raise _Restart
    if total is not None and done < total:
        raise http.client.IncompleteRead(b"", total - done)
    return done, digest.hexdigest()


def _request(url: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"User-Agent": f"cspkit/{__version__}"})


def _content_range(header: str | None) -> tuple[int, int | None]:
    """(first byte, total size or None) of a 206 answer; an answer without a usable range starts over."""
    match = _CONTENT_RANGE.match((header or "").strip())
    if not match or match.group(1) is None:
        raise _Restart
    total = match.group(3)
    return int(match.group(1)), int(total) if total.isdigit() else None


def _range_total(header: str | None) -> int | None:
    match = _CONTENT_RANGE.match((header or "").strip())
    return int(match.group(3)) if match and match.group(3).isdigit() else None


def _hash_file(path: Path, digest):
    with path.open("rb") as held:
        while chunk := held.read(CHUNK):
            digest.update(chunk)
    return digest


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed before the end of the file"
    return str(exc) or type(exc).__name__


def hash_file(path: Path) -> str:
    """The sha256 (hex) of a file already on disk."""
    return _hash_file(path, hashlib.sha256()).hexdigest()
