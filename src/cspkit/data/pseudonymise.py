"""Keyed pseudonyms for personal identifiers (HMAC-SHA256), so repeats can be counted without identities.

The key lives outside the warehouse: in an environment variable (default ``CSPKIT_PSEUDONYM_KEY``)
or a key file that is never committed. The same key gives the same pseudonym for the same person
across files and years; without the key a pseudonym cannot be reversed or recomputed from a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

import polars as pl

from cspkit.errors import ConfigError

MIN_KEY_BYTES = 16
_SPACES = re.compile(r"\s+")


def load_key(env_var: str = "CSPKIT_PSEUDONYM_KEY", key_file: str | Path | None = None) -> bytes:
    """The pseudonymisation key from the environment, else from the key file; a ConfigError if neither."""
    value = os.environ.get(env_var, "").strip()
    if not value and key_file is not None:
        path = Path(key_file)
        if not path.exists():
            raise ConfigError("pseudonymisation key file not found", file=path)
        value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ConfigError(
            f"no pseudonymisation key: set the environment variable {env_var} (or key_file in the config's privacy table) "
            "to a secret of at least 16 characters, kept out of the warehouse and out of version control"
        )
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"the pseudonymisation key must be at least {MIN_KEY_BYTES} characters long")
    return key


def normalise_identifier(value: str) -> str:
    """Upper case with all spaces removed, so 'ab 12' and 'AB12 ' are the same person or place."""
    return _SPACES.sub("", value).upper()


def pseudonym(key: bytes, *parts: str | None) -> str | None:
    """HMAC-SHA256 of the normalised parts (joined with '|'); None when every part is empty."""
    cleaned = [normalise_identifier(p) if p is not None else "" for p in parts]
    if not any(cleaned):
        return None
    return hmac.new(key, "|".join(cleaned).encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise_columns(frame: pl.DataFrame, key: bytes, columns: list[str], alias: str) -> pl.Series:
    """One pseudonym per row from the given identifier columns (each distinct value hashed once)."""
    joined = frame.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in columns],
                                        separator="\x1f").alias("_id"))["_id"]
    distinct = joined.unique()
    mapping = {value: pseudonym(key, *value.split("\x1f")) for value in distinct.to_list()}
    return joined.replace_strict(mapping, return_dtype=pl.String).alias(alias)
