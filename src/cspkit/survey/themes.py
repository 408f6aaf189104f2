"""Themes in residents' free-text answers: TF-IDF and non-negative matrix factorisation.

NMF finds a few groups of words that tend to be used together; each answer belongs to the theme
it loads on most. A theme is labelled by its top terms, and shown with its share of answers and
a few example quotes. Every quote is redacted here, whatever was done on import, because this is
where text leaves the survey module for documents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

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
#: Words every answer to "what would make you feel safer" uses, which say nothing about a theme, and the
#: fillers ("especially", "need") that would otherwise turn up in labels such as "streets especially".
SURVEY_STOP_WORDS = frozenset(
    {"feel", "safe", "safer", "area", "local", "would", "make", "think", "really", "just", "like", "people",
     "especially", "need", "needs", "needed", "lot", "lots", "bit", "things", "thing", "want", "wish", "maybe",
     "sure", "know", "got", "getting", "dont", "don", "im", "ive", "used", "way", "etc", "good", "better", "help",
     "seeing", "something", "done"}
)
MIN_ANSWERS = 20
QUOTE_LENGTH = 240
#: Two quotes are the same quote told twice when this share of the shorter one's words is in the other.
NEAR_DUPLICATE = 0.8
_WORD = re.compile(r"[a-zA-Z][a-zA-Z']+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def themes_table(
    texts: Sequence[str],
    weights: Sequence[float] | None = None,
    n_themes: int = 6,
    quotes: int = 3,
    seed: int = 0,
) -> pl.DataFrame:
    """One row per theme, largest weighted share first; empty when there are too few answers to find themes."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    cleaned = [redact(t).strip() for t in texts]
    keep = [i for i, t in enumerate(cleaned) if len(t.split()) >= 2]
    if len(keep) < MIN_ANSWERS:
        return pl.DataFrame(schema=THEME_SCHEMA)
    docs = [cleaned[i] for i in keep]
    w = np.ones(len(docs)) if weights is None else np.asarray(weights, dtype=float)[keep]
    stop_words = ENGLISH_STOP_WORDS | SURVEY_STOP_WORDS
    vectoriser = TfidfVectorizer(analyzer=lambda doc: _terms(doc, stop_words), min_df=2, max_df=0.8)
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
        ranked = [str(terms[j]) for j in np.argsort(model.components_[theme])[::-1][:10]]
        rows.append({
            "label": theme_label(ranked),
            "top_terms": ", ".join(ranked[:5]),
            "responses": int(members.size),
            "share": 100 * members.size / len(docs),
            "weighted_share": 100 * float(w[members].sum() / w.sum()),
            "_examples": [docs[i] for i in members[np.argsort(loadings[members, theme])[::-1]]],
        })  # fmt: skip
    rows.sort(key=lambda r: (-r["weighted_share"], -r["responses"]))
    used: list[tuple[set[str], set[str]]] = []
    for number, row in enumerate(rows, start=1):
        row["theme"] = number
        examples = distinct_quotes(row.pop("_examples"), quotes, used)
        row.update({f"quote_{i + 1}": (examples[i] if i < len(examples) else None) for i in range(3)})
    return pl.DataFrame(rows, schema=THEME_SCHEMA)


def _terms(text: str, stop_words: frozenset[str]) -> list[str]:
    """Words and two-word phrases of the answer as written: a phrase is two adjacent words, neither a stop
    word, so "street lighting" counts and "streets [especially at] night" never becomes "streets night"."""
    words = [word.lower().replace("'", "") for word in _WORD.findall(text)]
    kept = [word if word not in stop_words else None for word in words]
    unigrams = [word for word in kept if word]
    bigrams = [f"{a} {b}" for a, b in pairwise(kept) if a and b and a != b]
    return unigrams + bigrams


def theme_label(ranked_terms: Sequence[str], parts: int = 2) -> str:
    """A label that reads as a phrase: the theme's strongest terms, each word replaced by the strongest
    phrase that holds it, no word repeated ("Street lights and walking home", never "streets especially,
    streets, especially")."""
    phrases = [term for term in ranked_terms if " " in term]
    chosen: list[str] = []
    for term in ranked_terms:
        term = next((phrase for phrase in phrases if term in phrase.split()), term)
        if any(set(term.split()) & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == parts:
            break
    label = " and ".join(chosen)
    return label[:1].upper() + label[1:]


def distinct_quotes(
    candidates: Sequence[str], count: int, used: list[tuple[set[str], set[str]]] | None = None
) -> list[str]:
    """Up to ``count`` quotes, redacted again and shortened at a word boundary, none repeating a sentence
    of, or nearly copying, a quote in ``used`` (the words and sentences of the quotes already chosen for the
    table, updated here)."""
    used = [] if used is None else used
    chosen: list[str] = []
    redacted = [redact(text) for text in candidates]
    for quote in sorted(redacted, key=lambda q: "[" in q):  # quotes that needed no redaction read best
        if len(quote) > QUOTE_LENGTH:
            quote = quote[:QUOTE_LENGTH].rsplit(" ", 1)[0] + "..."
        words = {word.lower() for word in _WORD.findall(quote)}
        sentences = {" ".join(_WORD.findall(s)).lower() for s in _SENTENCE_END.split(quote)} - {""}
        if not words or any(
            len(words & other) >= NEAR_DUPLICATE * min(len(words), len(other)) or sentences & other_sentences
            for other, other_sentences in used
        ):
            continue
        used.append((words, sentences))
        chosen.append(quote)
        if len(chosen) == count:
            break
    return chosen
