"""Turn the bytes of a text file into UTF-8, whatever the exporting tool did to them.

police.uk and partner exports arrive as UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8"),
or Windows-1252 (Excel's plain "CSV"). Everything downstream reads UTF-8, so we normalise once here.
"""

from __future__ import annotations

from cspkit.errors import InputError

BOM = b"\xef\xbb\xbf"


def to_utf8(data: bytes, file: str) -> bytes:
    """UTF-8 bytes without a BOM; Windows-1252 text is re-encoded. Binary content is an InputError."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    if b"\x00" in data[:65536]:
        raise InputError("not a CSV text file (it contains binary data)", file=file)
    if data.isascii():  # the usual case, and valid UTF-8: no need to decode
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 leaves 5 bytes undefined; 'replace' keeps the row and marks the odd byte.
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return data
