"""Take personal data out of residents' free text before it is stored or quoted.

Residents write names, phone numbers and addresses into "anything else?" boxes. Every free-text
answer is redacted on import and again before any quote leaves this package, so a quote in a
published document can never identify anyone. Patterns are deliberately greedy: a redacted
word that was not personal costs little; a phone number in a council report costs a lot.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # A web address ends at the first character a URL cannot hold (a space, a dash or quote from a
    # word processor, a comma or bracket) and never on sentence punctuation, so the words after it stay.
    ("[web address]", re.compile(r"\b(?:https?://|www\.)[A-Za-z0-9._~/?#@$&+=%:-]*[A-Za-z0-9_~/#@$&+=%-]",
                                 re.IGNORECASE)),
    # Emails, including ones without a domain ending ("jo@gmail") and spelled out ("jo at gmail dot com").
    ("[email]", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*", re.IGNORECASE)),
    ("[email]", re.compile(r"\b[\w.+'-]+\s+(?:at|\(at\)|\[at\])\s+[\w-]+\s+(?:dot|\(dot\)|\[dot\])\s+\w+"
                           r"(?:\s+(?:dot|\(dot\)|\[dot\])\s+\w+)*", re.IGNORECASE)),
    # UK phone numbers: +44 / 0044 / 0 then 9-10 digits, with spaces, dots, dashes or brackets; mistyped
    # ones (a digit short or over) too.
    ("[phone]", re.compile(r"(?:\+\s?44\s?(?:\(0\))?|\b0044|\(?\b0)(?:[\s.\-()]*\d){8,11}\b")),
    # Any other run of nine or more digits split by single spaces, dots or dashes.
    ("[phone]", re.compile(r"\b\d(?:[\s.\-]?\d){8,}\b")),
    # Postcodes (LU5 4QL, lu54ql) and mistyped ones with extra digits or spaces in the inward code (LU5 484QL,
    # LU5 4 QL): a resident's slip must not publish their address.
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d{1,3}\s?[A-Z]{2}\b", re.IGNORECASE)),
    # Vehicle registrations: current (AB12 CDE), prefix (A123 BCD) and suffix (ABC 123D).
    ("[vehicle registration]", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", re.IGNORECASE)),
    ("[vehicle registration]", re.compile(r"\b[A-Z]\d{1,3}\s?[A-Z]{3}\b")),
    ("[vehicle registration]", re.compile(r"\b[A-Z]{3}\s?\d{1,3}[A-Z]\b")),
    # House number and street name.
    (
        "[address]",
        re.compile(
            r"\b\d{1,4}[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
            r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Court|Place|Gardens|Grove|Terrace|Hill|Walk|Mews|Rise)\b",
            re.IGNORECASE,
        ),
    ),
    # Any other long run of digits (account, crime reference or house numbers).
    ("[number]", re.compile(r"\b\d{6,}\b")),
)


#: Names a resident gives: "my name is Jane Smith", "I'm called Jo", "my neighbour John Smith".
_NAME = re.compile(
    r"((?i:\bmy name is|\bi am called|\bi'm called|\bcalled|\bneighbour|\bneighbor)\s+)"
    r"[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?"
)


def redact(text: str) -> str:
    """The text with emails, phone numbers, postcodes, vehicle registrations, addresses and
    stated names replaced by a bracketed placeholder."""
    for placeholder, pattern in _RULES:
        text = pattern.sub(placeholder, text)
    return _NAME.sub(r"\1[name]", text)
