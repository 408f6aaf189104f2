"""Personal data never leaves the survey module in a quote."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cspkit.survey.redact import redact
from cspkit.survey.themes import themes_table


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("email me at jane.smith+cs@example.co.uk please", "jane.smith+cs@example.co.uk"),
        ("my mobile is 07700 900123", "07700 900123"),
        ("ring 07700900123", "07700900123"),
        ("call +44 7700 900 123", "7700 900 123"),
        ("landline (01582) 123456", "123456"),
        ("London 020 7946 0018", "7946 0018"),
        ("+44 (0)1582 123456 any time", "1582 123456"),
        ("I live at LU5 4QL", "LU5 4QL"),
        ("postcode lu54ql", "lu54ql"),
        ("the car AB12 CDE parks on the pavement", "AB12 CDE"),
        ("old van A123 BCD", "A123 BCD"),
        ("suffix plate ABC 123D", "ABC 123D"),
        ("it happens outside 14 Church Street every night", "14 Church Street"),
        ("My name is Jane Smith", "Jane Smith"),
        ("my neighbour John Smith keeps dogs", "John Smith"),
        ("crime reference 4412345678", "4412345678"),
    ],
)
def test_redaction_removes_personal_data(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "[" in cleaned


def test_redaction_keeps_ordinary_text() -> None:
    text = "More police patrols on foot in the evenings, and better street lighting near the park."
    assert redact(text) == text
    assert redact("my neighbour is noisy") == "my neighbour is noisy"


def test_theme_quotes_are_redacted_and_labelled() -> None:
    lighting = [f"Better street lighting in the park, it is too dark at night, call 07700 900{i:03d}" for i in range(15)]
    police = [f"More police patrols on foot in the evening please, email me{i}@example.com" for i in range(15)]
    speeding = [f"Speed cameras because cars are speeding on the main road AB{i:02d} CDE" for i in range(15)]
    table = themes_table(lighting + police + speeding, n_themes=3)
    assert table.height == 3
    assert table["responses"].sum() == 45
    assert abs(table["share"].sum() - 100) < 1e-9
    labels = " ".join(table["top_terms"].to_list())
    for word in ("lighting", "police", "speeding"):
        assert word in labels
    quotes = " ".join(q for col in ("quote_1", "quote_2", "quote_3") for q in table[col].drop_nulls().to_list())
    assert not re.search(r"07700|@example|AB\d\d CDE", quotes)
    assert "[phone]" in quotes and "[email]" in quotes


def test_too_few_answers_give_no_themes() -> None:
    assert themes_table(["More police", "Lighting please"]).height == 0


_words = st.lists(st.sampled_from(["the", "park", "is", "dark", "more", "police", "please", "near", "shops"]), max_size=6).map(
    " ".join
)
_mobile = st.tuples(st.text("0123456789", min_size=9, max_size=9), st.sampled_from(["", " ", "-"])).map(
    lambda t: f"07{t[0][:3]}{t[1]}{t[0][3:]}"
)
_postcode = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True)
_email = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?@[a-z]{2,8}\.(co\.uk|com|org)", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(before=_words, secret=st.one_of(_mobile, _postcode, _email), after=_words)
def test_generated_personal_data_is_always_removed(before: str, secret: str, after: str) -> None:
    cleaned = redact(f"{before} {secret} {after}")
    assert secret not in cleaned
    assert redact(cleaned) == cleaned  # redacting twice changes nothing


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("I live near LU5 484QL... well near there", "484QL"),
        ("postcode LU5 4 QL", "LU5 4 QL"),
        ("text me on 07700 90012", "90012"),
        ("ring 0770090012345", "0770090012345"),
        ("my number is 7700 900 123", "7700 900 123"),
        ("email jo.bloggs@gmail and I'll reply", "jo.bloggs@gmail"),
        ("write to jo at example dot co dot uk", "example dot co dot uk"),
    ],
)
def test_redaction_catches_malformed_contact_details(text: str, secret: str) -> None:
    """Residents mistype: a postcode with a digit too many or a number a digit short is still theirs."""
    assert secret not in redact(text)


def test_theme_labels_read_as_phrases_and_quotes_are_distinct() -> None:
    """A label never repeats a word ("streets especially, streets, especially"); no quote repeats a
    sentence of another anywhere in the table; themes come largest weighted share first."""
    dark = "The street lights are switched off too early, it is very dark walking home."
    texts = (
        [dark] * 12
        + [f"{dark} Better street lighting on the path to the station, especially number {i}." for i in range(6)]
        + ["Speed cameras on the main road, cars race through the village."] * 10
        + ["Traffic calming because drivers speed through the village every night."] * 8
    )
    weights = [1.0] * 18 + [3.0] * 18
    table = themes_table(texts, weights, n_themes=2)
    assert table.height == 2
    assert table["weighted_share"].to_list() == sorted(table["weighted_share"].to_list(), reverse=True)
    for label in table["label"].to_list():
        words = label.lower().replace(" and ", " ").split()
        assert len(words) == len(set(words)), label
        assert "especially" not in words
    quotes = [q for col in ("quote_1", "quote_2", "quote_3") for q in table[col].drop_nulls().to_list()]
    sentences = [s.strip() for q in quotes for s in re.split(r"(?<=[.!?])\s+", q) if s.strip()]
    assert len(sentences) == len(set(sentences)), quotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/x—the park is dark at night", "see [web address]—the park is dark at night"),
        ("www.example.org/page,then the shops close", "[web address],then the shops close"),
        ("(see https://police.uk/report) lights are broken", "(see [web address]) lights are broken"),
        ("report it at www.police.uk. Lights out near the park", "report it at [web address]. Lights out near the park"),
        ("“https://fb.com/groups/our-village” says it all", "“[web address]” says it all"),
        ("https://example.com/form?from=jane@example.com please", "[web address] please"),
    ],
)
def test_a_web_address_is_replaced_and_the_words_after_it_are_kept(text: str, expected: str) -> None:
    assert redact(text) == expected
