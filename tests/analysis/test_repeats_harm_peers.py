"""Repeat victimisation, repeat locations, outcomes, harm weights and peers on hand-built data."""

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from cspkit.analysis.analyse import analyse_area, open_scope
from cspkit.analysis.area import Period
from cspkit.analysis.harm import harm_ranking, load_harm_weights
from cspkit.analysis.outcomes import latest_outcomes
from cspkit.analysis.peers import peer_group, peer_position, peer_rates
from cspkit.analysis.repeats import INCIDENTS, LOCATION_INCIDENTS, LOCATIONS, VICTIMS, count_repeats, repeat_victimisation
from cspkit.analysis.scope import ALL_CRIME, Scope
from cspkit.data import warehouse
from cspkit.errors import ConfigError
from cspkit.risk.register import POLICE_UK_CATEGORIES

from .conftest import ALPHA, ALPHA_LSOAS, independent_peers, months, street_row, write_street

PERIOD = Period.parse("2022-01", "2023-12")


def test_count_repeats_by_hand() -> None:
    d = date(2023, 1, 1)
    frame = pl.DataFrame(
        {
            "person_key": ["a", "a", "b", "c", "c", "c", None],
            "date": [d, d + timedelta(days=100), d, d, d + timedelta(days=400), d + timedelta(days=700), d],
        }
    )
    result = count_repeats(frame)
    # a: two incidents 100 days apart (repeat); b: one; c: gaps of 400 and 300 days -> repeat.
    assert (result.keys, result.repeat_keys, result.incidents, result.repeat_incidents) == (3, 2, 6, 5)
    assert count_repeats(frame, window_days=299).repeat_keys == 1  # only a (100 days) within 299


def _domestic_abuse(con) -> None:
    con.execute("""CREATE TABLE partner_domestic_abuse (source_file VARCHAR, source_row INTEGER, date DATE, month DATE,
                   lsoa21_code VARCHAR, lad_code VARCHAR, person_key VARCHAR, location_key VARCHAR)""")
    rows = []
    # 2022: 100 victims, 10 of them twice (110 incidents); 2023: 100 victims, 25 of them twice (125).
    for year, repeats in ((2022, 10), (2023, 25)):
        for v in range(100):
            key = f"{year}-{v}"
            rows.append((date(year, 2, 1), key))
            if v < repeats:
                rows.append((date(year, 8, 1), key))
    # Location keys only in 2023, all the same place: one repeat location holding all 125 incidents.
    con.executemany(
        "INSERT INTO partner_domestic_abuse VALUES ('da.csv', 1, ?, date_trunc('month', ?::DATE), ?, ?, ?, ?)",
        [(d, d, ALPHA_LSOAS[i % 6], ALPHA, key, "L1" if d.year == 2023 else None) for i, (d, key) in enumerate(rows)],
    )


@pytest.fixture
def alpha_warehouse(build_warehouse):
    rows = [street_row(m, c, ALPHA, "Burglary", 1) for m in months(date(2022, 1, 1), 24) for c in ALPHA_LSOAS]
    return build_warehouse(rows, extra=_domestic_abuse)


def test_repeat_victimisation_and_its_change(alpha_warehouse) -> None:
    with open_scope(alpha_warehouse, ALPHA, PERIOD) as scope:
        by_period, change = repeat_victimisation(scope, "domestic_abuse")
    victims = by_period.filter(pl.col("measure") == VICTIMS)
    assert victims["count"].to_list() == [10, 25] and victims["base"].to_list() == [100, 100]
    incidents = by_period.filter(pl.col("measure") == INCIDENTS)
    assert incidents["count"].to_list() == [20, 50] and incidents["base"].to_list() == [110, 125]
    victim_change = change.filter(pl.col("measure") == VICTIMS).row(0, named=True)
    assert victim_change["difference"] == pytest.approx(0.15)
    assert victim_change["test"] == "two-proportion z-test" and victim_change["significant"]
    assert "statistically significant" in victim_change["statement"]


def test_repeat_victims_in_the_full_analysis(alpha_warehouse) -> None:
    result = analyse_area(alpha_warehouse, ALPHA, PERIOD)
    assert result.repeat_victim_change["source"].unique().to_list() == ["domestic_abuse"]
    assert result.provenance["repeat_victims:domestic_abuse"].sources == ("da.csv",)
    places = result.repeat_partner_locations
    assert places["measure"].unique().sort().to_list() == [LOCATION_INCIDENTS, LOCATIONS]
    latest = places.filter(pl.col("period") == "2023-01 to 2023-12").sort("measure")
    assert latest["count"].to_list() == [125, 1] and latest["base"].to_list() == [125, 1]
    assert places.filter(pl.col("period") == "2022-01 to 2022-12")["unkeyed_incidents"].to_list() == [110, 110]
    assert result.repeat_partner_location_change["p_value"].null_count() == 2  # no keyed cases in 2022: no test


def test_repeats_command_on_partner_data(alpha_warehouse) -> None:
    import json

    from typer.testing import CliRunner

    from cspkit.cli import app

    args = [
        "analyse",
        "repeats",
        "--area",
        ALPHA,
        "--from",
        "2022-01",
        "--to",
        "2023-12",
        "-w",
        str(alpha_warehouse),
        "-f",
        "json",
    ]
    victims = CliRunner().invoke(app, [*args, "--source", "domestic_abuse"])
    assert victims.exit_code == 0, victims.output
    payload = json.loads(victims.stdout)
    assert [r["measure"] for r in payload["rows"]] == [VICTIMS, INCIDENTS]
    assert payload["provenance"]["sources"] == ["da.csv"]
    places = CliRunner().invoke(app, [*args, "--source", "domestic_abuse", "--key", "location_key", "--periods"])
    assert places.exit_code == 0, places.output
    assert {r["measure"] for r in json.loads(places.stdout)["rows"]} == {LOCATIONS, LOCATION_INCIDENTS}
    missing = CliRunner().invoke(app, [*args, "--source", "fires"])
    assert missing.exit_code == 2 and "no 'partner_fires' table" in " ".join(missing.output.split())


def test_latest_outcome_per_crime(build_warehouse) -> None:
    def outcomes(con) -> None:
        con.executemany(
            "INSERT INTO outcomes (source_file, source_row, force, crime_id, month, outcome_type) VALUES (?,?,?,?,?,?)",
            [
                ("o1.csv", 1, "t", "c0", date(2022, 2, 1), "Under investigation"),
                ("o2.csv", 1, "t", "c0", date(2022, 5, 1), "Offender given a caution"),
                ("o1.csv", 2, "t", "c1", date(2022, 2, 1), "Investigation complete; no suspect identified"),
            ],
        )

    path = build_warehouse([street_row(date(2022, 1, 1), ALPHA_LSOAS[0], ALPHA, "Robbery", 3)], extra=outcomes)
    with open_scope(path, ALPHA, Period.parse("2022-01", "2022-01")) as scope:
        table = latest_outcomes(scope)
        direct = latest_outcomes(Scope(scope.con, scope.area, scope.period))  # reading street itself
    assert direct.sort("outcome").equals(table.sort("outcome"))
    counts = dict(zip(table["outcome"], table["count"], strict=True))
    assert counts == {"Offender given a caution": 1, "Investigation complete; no suspect identified": 1, "No outcome recorded": 1}


def test_default_harm_weights_blend_and_rank() -> None:
    weights = load_harm_weights()
    assert weights.weights["Robbery"] == 746 and weights.weights["Anti-social behaviour"] == 0
    assert weights.weights["Burglary"] == pytest.approx(0.7 * 438 + 0.3 * 219)
    assert set(weights.weights) == set(POLICE_UK_CATEGORIES)  # every category police.uk publishes
    counts = pl.DataFrame({"crime_type": ["Shoplifting", "Robbery", "Anti-social behaviour"], "count": [500, 20, 900]})
    ranked = harm_ranking(counts, weights, residents=10_000)
    rows = {r["crime_type"]: r for r in ranked.iter_rows(named=True)}
    assert rows["Robbery"]["harm_rank"] == 1 and rows["Shoplifting"]["harm_rank"] == 2  # 14,920 > 6,500
    assert rows["Shoplifting"]["volume_rank"] == 2 and rows["Anti-social behaviour"]["volume_rank"] == 1
    assert rows["Robbery"]["harm_per_1000_residents"] == pytest.approx(20 * 746 / 10)


def test_user_harm_table_csv_and_errors(tmp_path) -> None:
    good = tmp_path / "chi.csv"
    good.write_text("category,weight\nRobbery,365\nShoplifting,2\n", encoding="utf-8")
    weights = load_harm_weights(good)
    ranked = harm_ranking(pl.DataFrame({"crime_type": ["Robbery", "Drugs"], "count": [2, 5]}), weights)
    drugs = ranked.filter(pl.col("crime_type") == "Drugs").row(0, named=True)
    assert drugs["harm"] is None and drugs["note"] == "no weight in chi.csv"
    bad = tmp_path / "bad.csv"
    bad.write_text("category,weight\nRobbery,lots\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"row 1, column 'weight'"):
        load_harm_weights(bad)
    shares = tmp_path / "shares.toml"
    shares.write_text('[categories."Robbery"]\ncomponents = [{offence = "x", weight = 1, share = 0.5}]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"add up to 0\.5"):
        load_harm_weights(shares)


def _peer_geography(con) -> None:
    """Nine one-LSOA districts P1..P9 whose residents and IMD scores grow with their number (their
    centroids on a line at latitude 52, spaced further apart as the number grows)."""
    for i in range(1, 10):
        code, lad = f"E0190000{i}", f"E0700000{i}"
        con.execute("INSERT INTO lsoa VALUES (?, ?, 'E05999999', 'W', ?, ?, 52, ?)", [code, code, lad, f"P{i}", 0.05 * i * i])
        con.execute("INSERT INTO population VALUES (?, '16 to 64', ?), (?, 'other', ?)", [code, 600 * i, code, 400 * i])
        con.execute("INSERT INTO imd (lsoa21_code, imd_score) VALUES (?, ?)", [code, 10.0 + 2 * i])
    rows = [
        street_row(m, f"E0190000{i}", f"E0700000{i}", "Burglary", i * i if i != 9 else 300)
        for m in months(date(2022, 1, 1), 24)
        for i in range(1, 10)
    ]
    write_street(con, rows)


def test_peers_nearest_and_position(build_warehouse) -> None:
    rows = [street_row(m, c, ALPHA, "Burglary", 1) for m in months(date(2022, 1, 1), 24) for c in ALPHA_LSOAS]
    path = build_warehouse(rows, extra=_peer_geography)
    with warehouse.read(path) as con:
        group = peer_group(con, [ALPHA], PERIOD, k=4)
        expected, distances = independent_peers(con, ALPHA, 4)
        assert group.filter(~pl.col("is_area"))["lad_code"].to_list() == expected
        np.testing.assert_allclose(group["distance"][1:].to_numpy(), distances, rtol=1e-9)
        rates = peer_rates(con, group, [ALPHA], PERIOD)
        given = peer_group(con, [ALPHA], PERIOD, peers=["E07000001", "E07000002", "E07000003", "E07000009"])
        given_position = peer_position(peer_rates(con, given, [ALPHA], PERIOD))
    burglary = rates.filter(pl.col("crime_type") == "Burglary")
    alpha = burglary.filter(pl.col("is_area")).row(0, named=True)
    assert alpha["rate_per_1000_residents"] == pytest.approx(144 / 6000 * 1000)
    p5 = burglary.filter(pl.col("lad_code") == expected[0]).row(0, named=True)
    i = int(expected[0][-1])
    monthly = i * i if i != 9 else 300  # as _peer_geography writes them
    assert p5["rate_per_1000_residents"] == pytest.approx(monthly * 24 / (1000 * i) * 1000)
    position = given_position.filter(pl.col("crime_type") == "Burglary").row(0, named=True)
    # Peer rates per 1,000: P1 24, P2 48, P3 72, P9 800; Alpha 24.
    assert position["peer_median"] == pytest.approx(60.0)
    assert position["rank"] == 4 and position["units"] == 5
    assert not position["outside_iqr_fences"]


def test_peers_command(build_warehouse) -> None:
    import json

    from typer.testing import CliRunner

    from cspkit.cli import app

    rows = [street_row(m, c, ALPHA, "Burglary", 1) for m in months(date(2022, 1, 1), 24) for c in ALPHA_LSOAS]
    path = build_warehouse(rows, extra=_peer_geography)
    args = ["analyse", "peers", "--area", ALPHA, "--from", "2022-01", "--to", "2023-12", "-w", str(path), "-f", "json"]
    result = CliRunner().invoke(app, [*args, "--k", "3"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    burglary = next(r for r in payload["rows"] if r["crime_type"] == "Burglary")
    assert burglary["units"] == 4 and burglary["area_rate"] == pytest.approx(24.0)
    assert payload["provenance"]["area_codes"][0] == ALPHA
    fixed = CliRunner().invoke(app, [*args, "--peer", "E07000001", "--peer", "E07000002", "--peer", "E07000003", "--rates"])
    assert fixed.exit_code == 0, fixed.output
    assert {r["lad_code"] for r in json.loads(fixed.stdout)["rows"]} == {ALPHA, "E07000001", "E07000002", "E07000003"}


def test_peers_in_the_full_analysis_cover_the_latest_12_months_or_the_configured_months(build_warehouse) -> None:
    from cspkit.analysis.analyse import AnalysisOptions

    rows = [street_row(m, c, ALPHA, "Burglary", 1) for m in months(date(2022, 1, 1), 24) for c in ALPHA_LSOAS]
    path = build_warehouse(rows, extra=_peer_geography)
    latest = analyse_area(path, ALPHA, PERIOD, AnalysisOptions(peer_count=4))
    assert latest.peer_period == Period.parse("2023-01", "2023-12")
    assert latest.provenance["peer_rates"].period == "2023-01 to 2023-12"
    one_month = analyse_area(path, ALPHA, PERIOD, AnalysisOptions(peer_count=4, peer_period=("2023-06", "2023-06")))
    assert one_month.peer_period.in_words() == "June 2023"

    def burglary_rate(result, code: str) -> float:
        rates = result.peer_rates.filter((pl.col("crime_type") == "Burglary") & (pl.col("lad_code") == code))
        return rates["rate_per_1000_residents"][0]

    # Alpha has one burglary a month in each of its LSOAs: 12 months hold 12 times one month's count.
    assert burglary_rate(latest, ALPHA) == pytest.approx(12 * burglary_rate(one_month, ALPHA))
    assert burglary_rate(one_month, ALPHA) == pytest.approx(len(ALPHA_LSOAS) / 6000 * 1000)


@pytest.mark.parametrize("value", ['["2023-01"]', '["2023-13", "2023-12"]', '"2023-01"', '["2023-12", "2023-01"]'])
def test_a_bad_peer_period_is_a_config_error(tmp_path, value) -> None:
    from cspkit.analysis.analyse import options_from_config
    from cspkit.config import load_config

    config = tmp_path / "assessment.toml"
    config.write_text(f'[assessment]\narea_codes = ["{ALPHA}"]\nperiod_start = "2022-01"\nperiod_end = "2023-12"\n'
                      f'warehouse = "w.duckdb"\n\n[analysis]\npeer_period = {value}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="peer_period"):
        options_from_config(load_config(config))


def test_british_transport_police_rows_count_for_every_district_or_for_none(build_warehouse) -> None:
    rows = [street_row(m, c, ALPHA, "Burglary", 1) for m in months(date(2022, 1, 1), 24) for c in ALPHA_LSOAS]
    peer = "E07000001"
    transport = {**street_row(date(2023, 6, 1), "E01900001", peer, "Theft from the person", 50), "force": "btp"}
    # BTP published every month (a crime a month in P9, which is not among the peers compared).
    published = [{**street_row(m, "E01900009", "E07000009", "Theft from the person", 1), "force": "btp"}
                 for m in months(date(2022, 1, 1), 24)]
    path = build_warehouse([*rows, transport, *published], extra=_peer_geography)
    with warehouse.read(path) as con:
        group = peer_group(con, [ALPHA], PERIOD, peers=[peer, "E07000002", "E07000003"])
        without = peer_rates(con, group, [ALPHA], PERIOD)
    assert "Theft from the person" not in without["crime_type"].to_list()  # the area has no BTP rows: none count
    in_area = {**street_row(date(2023, 6, 1), ALPHA_LSOAS[0], ALPHA, "Theft from the person", 2), "force": "btp"}
    with warehouse.write(path) as con:
        write_street(con, [in_area])
    with warehouse.read(path) as con:
        with_btp = peer_rates(con, peer_group(con, [ALPHA], PERIOD, peers=[peer, "E07000002", "E07000003"]), [ALPHA], PERIOD)
    theft = with_btp.filter(pl.col("crime_type") == "Theft from the person")
    assert dict(zip(theft["lad_code"], theft["count"], strict=True)) == {ALPHA: 2, peer: 50, "E07000002": 0, "E07000003": 0}


def test_a_force_that_published_some_months_only_counts_for_no_district(build_warehouse) -> None:
    """A neighbour loaded for one month (its crimes over the border in the area and a peer) would favour no one."""
    rows = [street_row(m, c, ALPHA, "Burglary", 1) for m in months(date(2022, 1, 1), 24) for c in ALPHA_LSOAS]
    neighbour = [{**street_row(date(2023, 6, 1), lsoa, lad, "Robbery", n), "force": "neighbour"}
                 for lsoa, lad, n in ((ALPHA_LSOAS[0], ALPHA, 30), ("E01900001", "E07000001", 3))]
    path = build_warehouse([*rows, *neighbour], extra=_peer_geography)
    with warehouse.read(path) as con:
        group = peer_group(con, [ALPHA], PERIOD, peers=["E07000001", "E07000002", "E07000003"])
        rates = peer_rates(con, group, [ALPHA], PERIOD)
    assert "Robbery" not in rates["crime_type"].to_list()
    all_crime = rates.filter(pl.col("crime_type") == ALL_CRIME)
    assert dict(zip(all_crime["lad_code"], all_crime["count"], strict=True)) == {
        ALPHA: 144, "E07000001": 24, "E07000002": 4 * 24, "E07000003": 9 * 24}
