"""The area profile: who lives in the area, how deprived its neighbourhoods are, and where crime falls
by deprivation.

Real assessments open with this picture (and the Serious Violence Duty guidance asks for it): the same
count means something different in a young, deprived district than in an old, affluent one. Every
figure here comes from the bundled Census 2021 and deprivation tables and the police.uk rows in scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.scope import ASB, Scope
from cspkit.provenance import Provenance

#: The deprivation index of each nation's LSOAs: the two are ranked separately and never compared.
INDEX_NAMES = {
    "England": "English Indices of Deprivation 2025 (IMD, deciles within England)",
    "Wales": "Welsh Index of Multiple Deprivation 2019 (WIMD, deciles within Wales)",
}


@dataclass(frozen=True)
class AreaProfile:
    """Population, households and deprivation of one area, and its crime by deprivation decile.

    ``ages``: age_band, residents, share_pct, england_wales_pct.
    ``deprivation``: nation, decile, lsoas, residents, residents_pct, crimes, crimes_pct, rate_per_1000
    (decile 1 = most deprived tenth of the nation's neighbourhoods; ``nation`` is England or Wales).
    ``uncovered_lsoas``: the area's LSOAs that no bundled deprivation index covers.
    """

    residents: int
    households: int
    lsoas: int
    ages: pl.DataFrame
    deprivation: pl.DataFrame
    uncovered_lsoas: int
    crime_period: Period
    provenance: Provenance

    @property
    def indices(self) -> list[str]:
        """The deprivation indices the profile uses, one per nation present."""
        return [INDEX_NAMES[n] for n in self.deprivation["nation"].unique(maintain_order=True).to_list() if n in INDEX_NAMES]

    def most_deprived_share(self) -> tuple[float, float] | None:
        """The share of residents, and of crime, in the most deprived fifth (deciles 1 and 2) of neighbourhoods;
        None without deprivation data or across two nations, whose fifths are not the same measure."""
        if not self.deprivation.height or self.deprivation["nation"].n_unique() > 1:
            return None
        low = self.deprivation.filter(pl.col("decile") <= 2)
        return float(low["residents_pct"].sum()), float(low["crimes_pct"].sum())


def area_profile(scope: Scope) -> AreaProfile:
    """The profile of the scope's area; crime by deprivation over the latest 12 months (or the whole
    period, when shorter), all police.uk crime excluding anti-social behaviour."""
    con = scope.con
    lsoas = list(scope.area.lsoas)
    ages = con.sql(
        """
        WITH area AS (SELECT age_band, sum(residents) AS residents FROM population
                      WHERE lsoa21_code IN (SELECT unnest($lsoas)) GROUP BY 1),
             nation AS (SELECT age_band, sum(residents) AS residents FROM population GROUP BY 1)
        SELECT a.age_band, a.residents::BIGINT AS residents,
               100.0 * a.residents / sum(a.residents) OVER () AS share_pct,
               100.0 * n.residents / sum(n.residents) OVER () AS england_wales_pct
        FROM area a JOIN nation n USING (age_band) ORDER BY a.age_band
        """,
        params={"lsoas": lsoas},
    ).pl()
    households = con.execute(
        "SELECT coalesce(sum(households), 0) FROM households WHERE lsoa21_code IN (SELECT unnest(?))", [lsoas]
    ).fetchall()[0][0]
    period = scope.period.latest_year()
    condition, params = scope.where(period)
    deprivation = con.sql(
        f"""
        WITH residents AS (SELECT lsoa21_code, sum(residents) AS residents FROM population
                           WHERE lsoa21_code IN (SELECT unnest(?)) GROUP BY 1),
             crimes AS (SELECT lsoa21_code, count(*) AS crimes FROM {scope.street}
                        WHERE {condition} AND crime_type <> ? GROUP BY 1),
             deciles AS (SELECT i.nation, i.imd_decile AS decile, r.residents, coalesce(c.crimes, 0) AS crimes
                         FROM residents r JOIN deprivation i USING (lsoa21_code) LEFT JOIN crimes c USING (lsoa21_code)
                         WHERE i.imd_decile IS NOT NULL)
        SELECT nation, decile::INTEGER AS decile, count(*)::BIGINT AS lsoas, sum(residents)::BIGINT AS residents,
               100.0 * sum(residents) / sum(sum(residents)) OVER (PARTITION BY nation) AS residents_pct,
               sum(crimes)::BIGINT AS crimes,
               100.0 * sum(crimes) / nullif(sum(sum(crimes)) OVER (PARTITION BY nation), 0) AS crimes_pct,
               1000.0 * sum(crimes) / sum(residents) AS rate_per_1000
        FROM deciles GROUP BY nation, decile ORDER BY nation, decile
        """,
        params=[lsoas, *params, ASB],
    ).pl()
    return AreaProfile(
        residents=int(ages["residents"].sum()),
        households=int(households),
        lsoas=len(lsoas),
        ages=ages,
        deprivation=deprivation,
        uncovered_lsoas=len(lsoas) - int(deprivation["lsoas"].sum()),
        crime_period=period,
        provenance=Provenance(
            method="Census 2021 usual residents and households by LSOA; deprivation deciles of each nation's own index; "
            "police.uk crime excluding anti-social behaviour by the LSOA's decile",
            sources=scope.sources("street", period),
            area_codes=scope.area.codes,
            period=period.label(),
        ),
    )
