"""The ``cspkit`` command starts fast: heavy libraries load only in the commands that use them.

Each check runs in a fresh interpreter, since this test process has imported everything already.
Speed itself is measured in benchmarks/bench_cli_startup.py; this guards the cause.
"""

import subprocess
import sys

import pytest

#: Libraries that take a large share of a second to import, and that no command needs to start.
HEAVY = ("statsmodels", "scipy", "matplotlib", "sklearn", "django", "pandas", "polars", "numpy", "duckdb",
         "weasyprint", "docx", "openpyxl", "esda", "libpysal", "shapely", "jinja2")



def _heavy_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has loaded after running CODE."""
    report = f"import sys; print('LOADED:', *sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], capture_output=True, text=True, check=True)
    return done.stdout.rsplit("LOADED:", 1)[1].split()


def _running(words: list[str]) -> str:
    """Code that runs ``cspkit WORDS`` in-process, quietly."""
    return (
        "import contextlib, io\n"
        "from cspkit.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    app({words!r})"
    )


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _heavy_after("import cspkit.cli") == []


@pytest.mark.parametrize("words", [["--help"], ["survey", "--help"], ["analyse", "change", "--help"]])
def test_help_loads_no_heavy_library(words: list[str]) -> None:
    assert _heavy_after(_running(words)) == []


def test_init_loads_no_heavy_library(tmp_path) -> None:
    assert _heavy_after(_running(["init", str(tmp_path / "a"), "--area", "Oxford"])) == []
    assert (tmp_path / "a" / "assessment.toml").exists()


def test_sql_loads_only_duckdb(tmp_path) -> None:
    import duckdb

    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    assert _heavy_after(_running(["sql", "select 1", "--warehouse", str(warehouse)])) == ["duckdb"]
