"""Turning test results into the sentences a strategic assessment quotes.

:func:`significance_phrase` is the only code in cspkit that writes the words "statistically
significant", and it writes them only when the test's p-value is below alpha, or, where several
results are tested together, when the Benjamini-Hochberg q-value is. Every other module asks it, so
a document can never call chance variation a real change.
"""

from __future__ import annotations

from cspkit.analysis.change import CountChange, ProportionChange, Trend

DEFAULT_ALPHA = 0.05


def format_p(p_value: float, name: str = "p") -> str:
    """A p-value (or, with ``name="q"``, a q-value) to three decimals, or "< 0.001"."""
    return f"{name} < 0.001" if p_value < 0.001 else f"{name} = {p_value:.3f}"


def significance_phrase(
    p_value: float | None,
    alpha: float = DEFAULT_ALPHA,
    q_value: float | None = None,
    compared: int = 1,
    with_figures: bool = True,
) -> str:
    """The verdict of a test, in words (the one source of "statistically significant").

    With ``compared`` > 1 results tested together, the verdict follows the q-value and says so.
    ``with_figures=False`` leaves the p- and q-values out (beside a hidden small count they would
    let a reader work the count out).
    """
    if p_value is None:
        return "no test was possible"
    verdict = q_value if compared > 1 and q_value is not None else p_value
    figures = format_p(p_value)
    if compared > 1 and q_value is not None:
        figures += f", {format_p(q_value, 'q')} allowing for the {compared} results tested together"
    shown = f" ({figures})" if with_figures else ""
    if verdict < alpha:
        return f"statistically significant{shown}"
    return f"within the range expected from chance variation{shown}, so not evidence of a real change"


def is_significant(p_value: float | None, alpha: float = DEFAULT_ALPHA) -> bool:
    return p_value is not None and p_value < alpha


def _count(n: int, threshold: int) -> str:
    return f"fewer than {threshold}" if 0 < n < threshold else f"{n:,}"


def _direction(change: float) -> str:
    return "rose" if change > 0 else "fell" if change < 0 else "did not change"


def describe_count_change(
    result: CountChange,
    subject: str,
    alpha: float = DEFAULT_ALPHA,
    previous_label: str = "",
    latest_label: str = "",
    q_value: float | None = None,
    compared: int = 1,
    threshold: int = 0,
) -> str:
    """E.g. "Burglary rose from 120 in January 2022 to December 2022 to 150 in January 2023 to December 2023 (+30, ...".

    A count from 1 to ``threshold - 1`` is written "fewer than <threshold>", and the difference,
    percentage, rate ratio and p-values, any of which would give it away, are left out.
    """
    if result.p_value is None:
        return f"{subject}: no incidents in either period, so no change to test."
    before = _count(result.previous, threshold) + (f" in {previous_label}" if previous_label else "")
    after = _count(result.latest, threshold) + (f" in {latest_label}" if latest_label else "")
    if any(0 < n < threshold for n in (result.previous, result.latest)):
        verdict = significance_phrase(result.p_value, alpha, q_value, compared, with_figures=False)
        return f"{subject} went from {before} to {after}; the change is {verdict}."
    pct = f", {result.pct_change:+.1f}%" if result.pct_change is not None else ""
    if result.change:
        head = f"{subject} {_direction(result.change)} from {before} to {after} ({result.change:+,}{pct})"
    else:
        head = f"{subject} was unchanged: {before} and {after}"
    if result.rate_ratio is not None and result.ci_low is not None and result.ci_high is not None:
        head += (
            f"; rate ratio {result.rate_ratio:.2f}, {result.confidence:.0%} interval {result.ci_low:.2f} to {result.ci_high:.2f}"
        )
    return f"{head}; the change is {significance_phrase(result.p_value, alpha, q_value, compared)}."


def describe_trend(
    result: Trend, subject: str, alpha: float = DEFAULT_ALPHA, q_value: float | None = None, compared: int = 1
) -> str:
    """E.g. "Over 36 months, Robbery shows a trend of +8.1% a year (95% interval ...); the trend is ..."."""
    return (
        f"Over {result.months} months, {subject} shows a trend of {result.annual_pct:+.1f}% a year "
        f"({result.confidence:.0%} interval {result.ci_low:+.1f}% to {result.ci_high:+.1f}%, allowing for seasonality "
        f"and overdispersion); the trend is {significance_phrase(result.p_value, alpha, q_value, compared)}."
    )


def describe_proportion_change(result: ProportionChange, subject: str, alpha: float = DEFAULT_ALPHA) -> str:
    """E.g. "The share of victims who are repeat victims rose from 20.0% to 25.0% (+5.0 points); ..."."""
    if result.p_value is None or result.difference is None:
        return f"{subject}: {result.test}."
    points = result.difference * 100
    return (
        f"{subject} {_direction(points)} from {result.previous_share:.1%} to {result.latest_share:.1%} "
        f"({points:+.1f} points, {result.confidence:.0%} interval {result.ci_low * 100:+.1f} to {result.ci_high * 100:+.1f}); "
        f"the change is {significance_phrase(result.p_value, alpha)} ({result.test})."
    )


def method_in_plain_words(alpha: float = DEFAULT_ALPHA) -> tuple[str, ...]:
    """How cspkit tells a real change from chance, for the methodology section of a document (lay reader)."""
    return (
        "Recorded crime goes up and down from month to month even when nothing has really changed. To tell a real "
        "change from chance, each type of crime is compared on its monthly counts: the latest 12 months against the "
        "12 before, and against three years earlier. The test allows for the usual seasonal pattern and measures how "
        "much the counts actually vary from month to month, which for police data is often several times more than "
        "pure chance would give; a test that ignored this would see changes that are not there. Where a period has "
        "fewer than six months or fewer than five incidents, a simpler exact test of the two totals is used instead "
        "(the analysis tables name the test behind each result).",
        "Many types of crime are tested at once, and some would pass a test by luck alone. So each result is adjusted "
        "for the number of results tested together (the Benjamini-Hochberg false discovery rate, giving a q-value). "
        f"A change is called statistically significant only when its q-value is below {alpha:.0%}: among the changes "
        f"called significant, no more than about {alpha:.0%} are expected to be chance. Trends over the whole period are "
        "tested the same way, and also allow for neighbouring months being alike. Significant does not mean large: "
        "read the size of the change beside it.",
    )


def method_summary(alpha: float = DEFAULT_ALPHA) -> str:
    """:func:`method_in_plain_words` in one sentence, for a committee report."""
    return (
        "A rise or fall is called statistically significant only when it passes a test that allows for the usual "
        "month-to-month and seasonal variation in recorded crime and for the number of results tested together "
        f"(a false discovery rate of {alpha:.0%}); the strategic assessment explains the test under 'How change is tested'."
    )
