"""The vote counts against hand-worked examples and the literature, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cspkit.errors import InputError
from cspkit.priorities.voting import Ballot, borda_points, count_votes, pairwise_preferences, strongest_paths


def ballots_from(groups: list[tuple[int, str]]) -> list[Ballot]:
    out: list[Ballot] = []
    for count, order in groups:
        for _ in range(count):
            n = len(out) + 1
            out.append(Ballot(organisation=f"org{n}", voter=f"v{n}", ranking=tuple(order)))
    return out


# Schulze (2011), "A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
# single-winner election method", the 45-voter example (also on Wikipedia's "Schulze method" page).
SCHULZE_45 = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def test_schulze_classic_example_pairwise_and_paths() -> None:
    ballots = ballots_from(SCHULZE_45)
    cands = list("ABCDE")
    d = pairwise_preferences(ballots, cands)
    expected_d = {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    assert {k: v for k, v in d.items()} == {(a, b): n for a, row in expected_d.items() for b, n in row.items()}
    p = strongest_paths(d, cands)
    expected_p = {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    assert p == {(a, b): n for a, row in expected_p.items() for b, n in row.items()}


def test_schulze_classic_example_order_is_e_a_c_b_d() -> None:
    result = count_votes(ballots_from(SCHULZE_45), list("ABCDE"))
    order = result.schulze.sort("schulze_rank")["issue"].to_list()
    assert order == ["E", "A", "C", "B", "D"]
    assert result.schulze_winners == ("E",)
    assert result.condorcet_winner is None  # the example has a cycle, which is the point of it


def test_borda_hand_worked() -> None:
    # 3 issues, 2 points for first. 4 ballots X>Y>Z, 3 ballots Y>Z>X, 2 ballots Z>Y>X.
    # X: 4*2 = 8; Y: 4*1 + 3*2 + 2*1 = 12; Z: 3*1 + 2*2 = 7.  Total 9 ballots * 3 points = 27.
    ballots = ballots_from([(4, "XYZ"), (3, "YZX"), (2, "ZYX")])
    result = count_votes(ballots, list("XYZ"))
    pts = dict(zip(result.borda["issue"], result.borda["borda_points"], strict=True))
    assert pts == {"X": 8.0, "Y": 12.0, "Z": 7.0}
    assert result.borda_winners == ("Y",)


def test_borda_and_schulze_disagree_and_it_is_reported() -> None:
    # A majority (3 of 5) put A first, but 2 put A last: A is the Condorcet winner, B the Borda winner.
    # A: 3*2 + 0 = 6; B: 3*1 + 2*2 = 7; C: 2*1 = 2.
    ballots = ballots_from([(3, "ABC"), (2, "BCA")])
    result = count_votes(ballots, list("ABC"))
    assert result.condorcet_winner == "A"
    assert result.schulze_winners == ("A",)
    assert result.borda_winners == ("B",)
    assert result.disagreements[0] == "The methods pick different winners: Borda B, Schulze A."
    assert any(s.startswith("A: Borda rank 2, Schulze rank 1") for s in result.disagreements)


def test_partial_ballot_shares_leftover_points() -> None:
    # 4 issues (3,2,1,0 points). Ballot ranks only A: B, C and D share 2+1+0 = 3 points, 1 each.
    pts = borda_points([Ballot("o", "v", ("A",))], list("ABCD"))
    assert pts == {"A": 3, "B": 1, "C": 1, "D": 1}


def test_ties_share_rank() -> None:
    result = count_votes(ballots_from([(1, "AB"), (1, "BA")]), list("AB"))
    assert result.table["borda_rank"].to_list() == [1, 1]
    assert result.table["schulze_rank"].to_list() == [1, 1]
    assert result.disagreements == ()


@pytest.mark.parametrize(
    ("ballots", "message"),
    [
        ([Ballot("Police", "a", ("A",)), Ballot("Police", "b", ("B",))], "second ballot from 'Police'"),
        ([Ballot("Police", "a", ("Q",))], "unknown issue 'Q'"),
        ([Ballot("Police", "a", ("A", "A"))], "ranks an issue twice"),
        ([Ballot("Police", "a", ())], "ranks no issue"),
    ],
)
def test_bad_ballots_are_named(ballots: list[Ballot], message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        count_votes(ballots, list("ABC"), unit="organisation", source="votes.toml")
    assert info.value.file == "votes.toml"
    assert info.value.row is not None


def test_per_person_allows_two_voters_from_one_organisation() -> None:
    result = count_votes([Ballot("Police", "a", ("A",)), Ballot("Police", "b", ("B",))], list("AB"), unit="person")
    assert result.ballots_counted == 2


CANDS = list("ABCDE")
ballot_strategy = st.permutations(CANDS).flatmap(lambda perm: st.integers(1, len(CANDS)).map(lambda k: tuple(perm[:k])))


@settings(max_examples=150, deadline=None)
@given(st.lists(ballot_strategy, min_size=1, max_size=25))
def test_borda_totals_sum_to_n_choose_2_per_ballot(rankings: list[tuple[str, ...]]) -> None:
    ballots = [Ballot(f"o{i}", "v", r) for i, r in enumerate(rankings)]
    result = count_votes(ballots, CANDS)
    n = len(CANDS)
    assert sum(result.borda["borda_points"].to_list()) == pytest.approx(len(ballots) * n * (n - 1) / 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(ballot_strategy, min_size=1, max_size=25))
def test_condorcet_winner_always_wins_schulze(rankings: list[tuple[str, ...]]) -> None:
    ballots = [Ballot(f"o{i}", "v", r) for i, r in enumerate(rankings)]
    result = count_votes(ballots, CANDS)
    if result.condorcet_winner is not None:
        assert result.schulze_winners == (result.condorcet_winner,)


@settings(max_examples=100, deadline=None)
@given(st.lists(ballot_strategy, min_size=1, max_size=25))
def test_schulze_relation_is_a_complete_consistent_ranking(rankings: list[tuple[str, ...]]) -> None:
    ballots = [Ballot(f"o{i}", "v", r) for i, r in enumerate(rankings)]
    result = count_votes(ballots, CANDS)
    ranks = sorted(result.schulze["schulze_rank"].to_list())
    assert ranks[0] == 1 and len(ranks) == len(CANDS)
    # standard competition ranking: a rank r is used by k issues and the next used rank is r + k
    i = 0
    while i < len(ranks):
        k = ranks.count(ranks[i])
        assert ranks[i] == i + 1
        i += k
