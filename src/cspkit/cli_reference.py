"""Generate docs/cli.md from the commands' own ``--help``, so the reference cannot drift.

Run ``python -m cspkit.cli_reference > docs/cli.md``; a test fails when the file is stale.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import typer.main
from typer.testing import CliRunner

from cspkit.cli import app


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name in sorted(getattr(command, "commands", {}) or {}):
        yield from _walk(command.commands[name], [*path, name])


def command_paths() -> list[tuple[list[str], Any]]:
    """Every command and group, as (words after 'cspkit', command object)."""
    return list(_walk(typer.main.get_command(app), []))


def help_text(words: list[str]) -> str:
    """The plain-text ``--help`` of one command, at a fixed width."""
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    result = CliRunner().invoke(app, [*words, "--help"], env=env, terminal_width=100)
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def reference() -> str:
    """The markdown reference of every command."""
    lines = ["# Command reference", "", "Generated from `--help` by `python -m cspkit.cli_reference`.", ""]
    for words, _command in command_paths():
        lines += [f"## `{' '.join(['cspkit', *words])}`", "", "```", help_text(words), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def commands_without_help() -> list[str]:
    """Commands a user would find undocumented."""
    return [" ".join(words) for words, command in command_paths() if not (command.help or "").strip()]


if __name__ == "__main__":
    print(reference(), end="")
