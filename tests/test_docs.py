"""Documentation is tested: every command has help, and docs/cli.md is what --help says."""

from pathlib import Path

from cspkit.cli_reference import commands_without_help, reference

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_every_command_has_help() -> None:
    assert commands_without_help() == []


def test_cli_reference_is_current() -> None:
    assert CLI_DOC.read_text(encoding="utf-8") == reference(), (
        "docs/cli.md is stale: run 'python -m cspkit.cli_reference > docs/cli.md'"
    )
