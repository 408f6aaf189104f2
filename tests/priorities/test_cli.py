"""`cspkit priorities count` on the demo ballots."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cspkit.cli import app

VOTES = Path(__file__).resolve().parents[2] / "demo" / "votes.toml"


def test_count_demo_votes_as_json() -> None:
    result = CliRunner().invoke(app, ["priorities", "count", str(VOTES), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["issue"] for r in rows} == {"violence", "asb", "domestic_abuse", "exploitation", "serious_youth_violence"}
    # 8 ballots x 5 issues: every ballot hands out 4+3+2+1+0 = 10 Borda points
    assert sum(r["borda_points"] for r in rows) == 80
    assert next(r for r in rows if r["schulze_rank"] == 1)["issue"] == "domestic_abuse"


def test_count_reports_disagreement_in_table_form() -> None:
    result = CliRunner().invoke(app, ["priorities", "count", str(VOTES)])
    assert result.exit_code == 0
    assert "Borda rank 3, Schulze rank 4" in result.output


def test_bad_ballot_file_exits_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "votes.toml"
    bad.write_text('candidates = ["a", "b"]\n[[ballot]]\norganisation = "Police"\nranking = ["a", "z"]\n')
    result = CliRunner().invoke(app, ["priorities", "count", str(bad)])
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # the error console wraps long lines
    assert "row 1, column 'ranking'" in output and "unknown issue 'z'" in output
