"""England or Wales: the nation whose law and data apply to a partnership's area.

A Community Safety Partnership never spans the border. Its nation decides which strategy
regulations the documents cite, and which national datasets (e.g. the deprivation index) cover it.
"""

from __future__ import annotations

from collections.abc import Sequence

from cspkit.errors import ConfigError

COUNTRIES = {"E": "England", "W": "Wales"}

#: The Crime and Disorder (Formulation and Implementation of Strategy) Regulations each nation made in 2007.
REGULATIONS = {
    "England": "The Crime and Disorder (Formulation and Implementation of Strategy) Regulations 2007 (SI 2007/1830)",
    "Wales": "The Crime and Disorder (Formulation and Implementation of Strategy) (Wales) Regulations 2007 (SI 2007/3076)",
}


def country_of(codes: Sequence[str]) -> str:
    """England or Wales from ONS codes (E... or W...); an error when they mix or are neither."""
    countries = {COUNTRIES.get(code.strip()[:1].upper(), "") for code in codes}
    if len(countries) != 1 or "" in countries:
        raise ConfigError(
            "a partnership's districts must all be in England (codes E...) or all in Wales (W...), not " + ", ".join(codes)
        )
    return countries.pop()
