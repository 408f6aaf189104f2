import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from cspkit.cli import app

runner = CliRunner()


def _warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s)")
    con.close()
    return path


def test_sql_json(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = runner.invoke(app, ["sql", "SELECT n, s FROM t ORDER BY n", "-w", str(path),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 1, "s": "a"}, {"n": 2, "s": "b"}]


def test_sql_csv(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = runner.invoke(app, ["sql", "SELECT s FROM t ORDER BY n", "-w", str(path),
                                 "-f", "csv"])
    assert result.stdout == "s\na\nb\n"


def test_sql_refuses_writes(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    result = runner.invoke(app, ["sql", "DROP TABLE t", "-w", str(path)])
    assert result.exit_code == 2
    assert "read-only" in result.stderr
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 2


def test_sql_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT 1", "-w", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "warehouse not found" in result.stderr


def test_errors_are_one_unwrapped_line_with_brackets_kept(tmp_path: Path) -> None:
    long_name = tmp_path / ("a-very-long-folder-name-" * 4) / "[draft] none.duckdb"
    result = runner.invoke(app, ["sql", "SELECT 1", "-w", str(long_name)], terminal_width=40)
    assert result.exit_code == 2
    assert str(long_name) in result.stderr  # not wrapped mid-path, square brackets not eaten as markup
