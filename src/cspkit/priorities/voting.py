"""Counting the focus group's ranked ballots: Borda count and the Schulze (Condorcet) method.

Two methods because they answer different questions. Borda rewards broad support (an issue every
partner ranks second can beat one half the room ranks first); Schulze picks the issue that beats
every other in head-to-head comparisons when one exists. Where they disagree the partnership
should talk before it agrees, so :func:`count_votes` says where they differ.

Ballots may be partial: issues a voter left unranked are tied for last place on that ballot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import polars as pl

from cspkit.errors import InputError

BallotUnit = Literal["organisation", "person"]


@dataclass(frozen=True)
class Ballot:
    """One ranked ballot: issue ids from most to least preferred."""

    organisation: str
    voter: str
    ranking: tuple[str, ...]


@dataclass(frozen=True)
class VoteResult:
    """Both counts side by side, and where they disagree."""

    candidates: tuple[str, ...]
    ballots_counted: int
    unit: BallotUnit
    borda: pl.DataFrame  # issue, borda_points, borda_rank
    pairwise: pl.DataFrame  # issue, against, preferred_by (d[issue, against])
    strongest_paths: pl.DataFrame  # issue, against, strength (p[issue, against])
    schulze: pl.DataFrame  # issue, schulze_wins, schulze_rank
    table: pl.DataFrame  # issue, borda_points, borda_rank, schulze_wins, schulze_rank
    condorcet_winner: str | None
    disagreements: tuple[str, ...]

    @property
    def borda_winners(self) -> tuple[str, ...]:
        return tuple(self.table.filter(pl.col("borda_rank") == 1)["issue"].to_list())

    @property
    def schulze_winners(self) -> tuple[str, ...]:
        return tuple(self.table.filter(pl.col("schulze_rank") == 1)["issue"].to_list())


def check_ballots(ballots: Sequence[Ballot], candidates: Sequence[str], unit: BallotUnit, source: str = "votes") -> None:
    """Reject ballots the count cannot honestly use, naming the ballot and what is wrong."""
    known = set(candidates)
    if len(known) != len(candidates):
        raise InputError("the list of candidate issues has duplicates", file=source)
    seen: dict[str, int] = {}
    for number, ballot in enumerate(ballots, start=1):
        voter = ballot.organisation if unit == "organisation" else f"{ballot.organisation}/{ballot.voter}"
        if voter in seen:
            raise InputError(
                f"a second ballot from {voter!r} (first was ballot {seen[voter]}); votes are counted one per {unit}",
                file=source,
                row=number,
            )
        seen[voter] = number
        if not ballot.ranking:
            raise InputError("the ballot ranks no issue", file=source, row=number, column="ranking")
        unknown = [c for c in ballot.ranking if c not in known]
        if unknown:
            raise InputError(
                f"unknown issue {unknown[0]!r}; candidates are {sorted(known)}", file=source, row=number, column="ranking"
            )
        if len(set(ballot.ranking)) != len(ballot.ranking):
            raise InputError("the ballot ranks an issue twice", file=source, row=number, column="ranking")


def _positions(ballot: Ballot, candidates: Sequence[str]) -> dict[str, int]:
    """Rank position per candidate; unranked candidates share the position after the last ranked."""
    last = len(ballot.ranking)
    where = {c: i for i, c in enumerate(ballot.ranking)}
    return {c: where.get(c, last) for c in candidates}


def borda_points(ballots: Sequence[Ballot], candidates: Sequence[str]) -> dict[str, Fraction]:
    """Borda points: with n issues, first place earns n-1, last 0.

    Unranked issues on a partial ballot share equally the points of the places left over, so every
    ballot hands out exactly n(n-1)/2 points and a partial ballot neither gains nor loses weight.
    """
    n = len(candidates)
    totals = {c: Fraction(0) for c in candidates}
    for ballot in ballots:
        for place, issue in enumerate(ballot.ranking):
            totals[issue] += n - 1 - place
        unranked = [c for c in candidates if c not in set(ballot.ranking)]
        if unranked:
            left = sum(range(len(unranked)))  # places n-k .. n-1 are worth k-1 .. 0 points
            for issue in unranked:
                totals[issue] += Fraction(left, len(unranked))
    return totals


def pairwise_preferences(ballots: Sequence[Ballot], candidates: Sequence[str]) -> dict[tuple[str, str], int]:
    """d[a, b]: how many ballots put a strictly above b."""
    d = {(a, b): 0 for a in candidates for b in candidates if a != b}
    for ballot in ballots:
        pos = _positions(ballot, candidates)
        for a, b in d:
            if pos[a] < pos[b]:
                d[a, b] += 1
    return d


def strongest_paths(d: dict[tuple[str, str], int], candidates: Sequence[str]) -> dict[tuple[str, str], int]:
    """Schulze's strongest path strengths p[a, b] (Floyd-Warshall widest paths over winning margins)."""
    p = {(a, b): (d[a, b] if d[a, b] > d[b, a] else 0) for (a, b) in d}
    for k in candidates:
        for a in candidates:
            if a == k:
                continue
            for b in candidates:
                if b in (a, k):
                    continue
                p[a, b] = max(p[a, b], min(p[a, k], p[k, b]))
    return p


def condorcet_winner(d: dict[tuple[str, str], int], candidates: Sequence[str]) -> str | None:
    """The issue preferred to every other by more ballots than the reverse, if there is one."""
    for a in candidates:
        if all(d[a, b] > d[b, a] for b in candidates if b != a):
            return a
    return None


def _dense_rank(scores: dict[str, Fraction | int]) -> dict[str, int]:
    """1 = best; equal scores share a rank (standard competition ranking: 1, 1, 3)."""
    return {c: 1 + sum(1 for other in scores.values() if other > s) for c, s in scores.items()}


def count_votes(
    ballots: Sequence[Ballot], candidates: Sequence[str], unit: BallotUnit = "organisation", source: str = "votes"
) -> VoteResult:
    """Count the ballots by Borda and by Schulze and list where the two disagree."""
    candidates = tuple(candidates)
    check_ballots(ballots, candidates, unit, source)
    if len(candidates) < 2:
        raise InputError("a vote needs at least two candidate issues", file=source)

    points = borda_points(ballots, candidates)
    borda_rank = _dense_rank(points)
    d = pairwise_preferences(ballots, candidates)
    p = strongest_paths(d, candidates)
    # Schulze's relation "a beats b" (p[a,b] > p[b,a]) is transitive, so counting beaten issues orders it.
    wins = {a: sum(1 for b in candidates if b != a and p[a, b] > p[b, a]) for a in candidates}
    schulze_rank = _dense_rank(wins)
    winner = condorcet_winner(d, candidates)

    borda = pl.DataFrame(
        {
            "issue": candidates,
            "borda_points": [float(points[c]) for c in candidates],
            "borda_rank": [borda_rank[c] for c in candidates],
        }
    ).sort(["borda_rank", "issue"])
    schulze = pl.DataFrame(
        {
            "issue": candidates,
            "schulze_wins": [wins[c] for c in candidates],
            "schulze_rank": [schulze_rank[c] for c in candidates],
        }
    ).sort(["schulze_rank", "issue"])
    table = borda.join(schulze, on="issue").sort(["schulze_rank", "borda_rank", "issue"])
    pairs = [(a, b) for a in candidates for b in candidates if a != b]
    pairwise = pl.DataFrame(
        {"issue": [a for a, _ in pairs], "against": [b for _, b in pairs], "preferred_by": [d[x] for x in pairs]}
    )
    paths = pl.DataFrame({"issue": [a for a, _ in pairs], "against": [b for _, b in pairs], "strength": [p[x] for x in pairs]})
    return VoteResult(
        candidates=candidates,
        ballots_counted=len(ballots),
        unit=unit,
        borda=borda,
        pairwise=pairwise,
        strongest_paths=paths,
        schulze=schulze,
        table=table,
        condorcet_winner=winner,
        disagreements=disagreements(table),
    )


def disagreements(table: pl.DataFrame) -> tuple[str, ...]:
    """Plain sentences naming every issue the two methods place differently (``table`` as in :class:`VoteResult`,
    whose ``issue`` column may hold ids or, for a document, the issues' names)."""
    notes: list[str] = []
    borda_top = sorted(table.filter(pl.col("borda_rank") == 1)["issue"].to_list())
    schulze_top = sorted(table.filter(pl.col("schulze_rank") == 1)["issue"].to_list())
    if borda_top != schulze_top:
        notes.append(f"The methods pick different winners: Borda {' and '.join(borda_top)}, Schulze {' and '.join(schulze_top)}.")
    for row in table.iter_rows(named=True):
        if row["borda_rank"] != row["schulze_rank"]:
            notes.append(f"{row['issue']}: Borda rank {row['borda_rank']}, Schulze rank {row['schulze_rank']}.")
    return tuple(notes)
