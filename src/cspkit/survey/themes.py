"""Themes in residents' free-text answers: TF-IDF and non-negative matrix factorisation.

NMF finds a few groups of words that tend to be used together; each answer belongs to the theme
it loads on most. A theme is labelled by its top terms, and shown with its share of answers and
a few example quotes. Every quote is redacted here, whatever was done on import, because this is
where text leaves the survey module for documents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from cspkit.survey.redact import redact

THEME_SCHEMA = {
    "theme": pl.Int64,
    "label": pl.String,
    "top_terms": pl.String,
    "responses": pl.Int64,
    "share": pl.Float64,
    "weighted_share": pl.Float64,
    "quote_1": pl.String,
    "quote_2": pl.String,
    "quote_3": pl.String,
}
#: Words every answer to "what would make you feel safer" uses, which say nothing about a theme.
SURVEY_STOP_WORDS = frozenset(
    {"feel", "safe", "safer", "area", "local", "would", "make", "think", "really", "just", "like", "people"}
)
MIN_ANSWERS = 20
QUOTE_LENGTH = 240


def themes_table(
    texts: Sequence[str],
    weights: Sequence[float] | None = None,
    n_themes: int = 6,
    quotes: int = 3,
    seed: int = 0,
) -> pl.DataFrame:
    """One row per theme, largest first; empty when there are too few answers to find themes."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    cleaned = [redact(t).strip() for t in texts]
    keep = [i for i, t in enumerate(cleaned) if len(t.split()) >= 2]
    if len(keep) < MIN_ANSWERS:
        return pl.DataFrame(schema=THEME_SCHEMA)
    docs = [cleaned[i] for i in keep]
    w = np.ones(len(docs)) if weights is None else np.asarray(weights, dtype=float)[keep]
    vectoriser = TfidfVectorizer(
        stop_words=list(ENGLISH_STOP_WORDS | SURVEY_STOP_WORDS),
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.8,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",  # words only: no numbers or placeholders' brackets
    )
    try:
        matrix = vectoriser.fit_transform(docs)
    except ValueError:  # every word is a stop word or appears once
        return pl.DataFrame(schema=THEME_SCHEMA)
    k = max(1, min(n_themes, len(docs) // 10, matrix.shape[1]))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    loadings = model.fit_transform(matrix)
    terms = np.array(vectoriser.get_feature_names_out())
    dominant = loadings.argmax(1)
    assigned = loadings.max(1) > 0
    rows = []
    for theme in range(k):
        members = np.flatnonzero(assigned & (dominant == theme))
        if members.size == 0:
            continue
        top = [terms[j] for j in np.argsort(model.components_[theme])[::-1][:5]]
        best = members[np.argsort(loadings[members, theme])[::-1]]
        examples = _distinct_quotes([docs[i] for i in best], quotes)
        rows.append({
            "label": ", ".join(top[:3]),
            "top_terms": ", ".join(top),
            "responses": int(members.size),
            "share": 100 * members.size / len(docs),
            "weighted_share": 100 * float(w[members].sum() / w.sum()),
            **{f"quote_{i + 1}": (examples[i] if i < len(examples) else None) for i in range(3)},
        })  # fmt: skip
    rows.sort(key=lambda r: -r["responses"])
    for number, row in enumerate(rows, start=1):
        row["theme"] = number
    return pl.DataFrame(rows, schema=THEME_SCHEMA)


def _distinct_quotes(candidates: list[str], count: int) -> list[str]:
    """The first ``count`` different quotes, shortened at a word boundary, each redacted again."""
    chosen: list[str] = []
    for text in candidates:
        quote = redact(text)
        if len(quote) > QUOTE_LENGTH:
            quote = quote[:QUOTE_LENGTH].rsplit(" ", 1)[0] + "..."
        if quote.casefold() not in {c.casefold() for c in chosen}:
            chosen.append(quote)
        if len(chosen) == count:
            break
    return chosen
