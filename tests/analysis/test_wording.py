""" "Statistically significant" is written by one function, and only when p < alpha."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import cspkit.analysis
from cspkit.analysis.change import compare_counts, compare_proportions
from cspkit.analysis.wording import describe_count_change, describe_proportion_change, significance_phrase

PHRASE = "statistically significant"


@given(st.floats(0, 1), st.sampled_from([0.01, 0.05, 0.1]))
def test_phrase_only_below_alpha(p_value: float, alpha: float) -> None:
    assert (PHRASE in significance_phrase(p_value, alpha)) == (p_value < alpha)


def test_boundary_and_no_test() -> None:
    assert PHRASE not in significance_phrase(0.05, 0.05)
    assert PHRASE in significance_phrase(0.0499, 0.05)
    assert significance_phrase(None) == "no test was possible"


@given(st.integers(0, 400), st.integers(0, 400))
def test_count_statements_follow_the_test(previous: int, latest: int) -> None:
    result = compare_counts(previous, latest)
    text = describe_count_change(result, "Burglary")
    assert (PHRASE in text) == (result.p_value is not None and result.p_value < 0.05)
    assert f"{previous:,}" in text or result.p_value is None


def test_statement_reports_absolute_and_percentage_change() -> None:
    text = describe_count_change(compare_counts(120, 150), "Burglary")
    assert text.startswith("Burglary rose from 120 to 150 (+30, +25.0%)")
    assert PHRASE not in describe_proportion_change(compare_proportions(20, 100, 22, 100), "Repeat victims")


def test_no_other_analysis_module_writes_the_phrase() -> None:
    package = Path(cspkit.analysis.__file__).parent
    writers = [p.name for p in package.rglob("*.py") if PHRASE in p.read_text(encoding="utf-8").lower()]
    assert writers == ["wording.py"]


@given(st.floats(0, 1), st.floats(0, 1), st.integers(2, 30))
def test_with_several_results_the_q_value_decides(p_value: float, q_value: float, compared: int) -> None:
    text = significance_phrase(p_value, 0.05, q_value, compared)
    assert (PHRASE in text) == (q_value < 0.05)
    assert (f"q = {q_value:.3f}" if q_value >= 0.001 else "q < 0.001") in text and f"{compared} results" in text


@given(st.integers(0, 12), st.integers(0, 12))
def test_a_small_count_is_never_written_nor_anything_that_gives_it_away(previous: int, latest: int) -> None:
    result = compare_counts(previous, latest)
    text = describe_count_change(result, "Arson", threshold=5)
    small = [n for n in (previous, latest) if 0 < n < 5]
    if small and result.p_value is not None:
        assert text.startswith(f"Arson went from {'fewer than 5' if 0 < previous < 5 else previous} to ")
        rest = text.replace("fewer than 5", "").replace(f"from {previous} ", "").replace(f"to {latest};", "")
        assert not any(ch.isdigit() for ch in rest)  # no small count, difference, percentage or p-value
    assert (PHRASE in text) == (result.p_value is not None and result.p_value < 0.05)
