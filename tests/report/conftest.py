"""One small real assessment, built once for the whole test folder, and a helper for PDF pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pytest

from cspkit.config import load_config
from cspkit.report.pipeline import AssessmentRun, run_assessment

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo"


@pytest.fixture(scope="session")
def small_assessment(tmp_path_factory: pytest.TempPathFactory) -> AssessmentRun:
    """The demo assessment over 24 months with 300 synthetic survey responses: every step, every document."""
    folder = tmp_path_factory.mktemp("assessment")
    for name in ("votes.toml", "decision.toml", "previous_priorities.toml"):
        shutil.copy(DEMO / name, folder / name)
    config = (DEMO / "assessment.toml").read_text(encoding="utf-8")
    config = config.replace('period_start = "2021-05"', 'period_start = "2022-05"')
    config = config.replace("synthetic_responses = 700", "synthetic_responses = 300")
    config = config.replace('paths = ["police"]', f'paths = ["{DEMO / "police"}"]').replace('"../src/', f'"{REPO / "src"}/')
    (folder / "assessment.toml").write_text(config, encoding="utf-8")
    return run_assessment(load_config(folder / "assessment.toml"))


def blank_pages(pdf: Path, scale: float = 0.3, min_ink: float = 0.002) -> list[int]:
    """Pages (1-based) whose rendering is almost all white: an empty page left by a layout fault."""
    document = pypdfium2.PdfDocument(str(pdf))
    blank = []
    for index in range(len(document)):
        histogram = document[index].render(scale=scale).to_pil().convert("L").histogram()
        ink = sum(histogram[:200]) / sum(histogram)
        if ink < min_ink:
            blank.append(index + 1)
    document.close()
    return blank
