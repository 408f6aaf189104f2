"""Waves in the warehouse: stored without personal data, read back unchanged, re-import replaces."""

from __future__ import annotations

import duckdb
import polars as pl

from cspkit.survey.store import create_survey_tables, latest_wave, load_responses, save_responses, save_weights, waves


def test_round_trip_and_replace(synthetic, questionnaire) -> None:
    con = duckdb.connect()
    create_survey_tables(con)
    save_responses(con, synthetic.responses, questionnaire)
    back = load_responses(con, "synthetic")
    assert back.answers.sort("respondent_id", "question_id", "answer").equals(
        synthetic.responses.answers.sort("respondent_id", "question_id", "answer")
    )
    assert back.respondents.drop("source_row").equals(synthetic.responses.respondents)
    assert back.respondents["source_row"].null_count() == 700  # generated, not read from a file
    assert back.label == synthetic.responses.label
    save_weights(con, "synthetic", pl.DataFrame({"respondent_id": back.respondents["respondent_id"], "weight": 2.0}))
    save_responses(con, synthetic.responses, questionnaire)  # importing the wave again replaces it
    assert con.execute("SELECT count(*) FROM survey_respondents").fetchone()[0] == 700
    assert con.execute("SELECT count(*) FROM survey_weights").fetchone()[0] == 0
    assert waves(con)["wave"].to_list() == ["synthetic"] and latest_wave(con) == "synthetic"
    columns = {
        r[0]
        for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name LIKE 'survey_%'").fetchall()
    }
    assert not columns & {"email", "ip_address", "postcode", "name", "source_id"}
