"""The three optional place exports (:mod:`samorg.sources.place`) as rows of the ``observations`` table.

Pure steps; none modifies its input. Every row is a site's aggregate: no borrower, visitor or respondent
appears in processed data.

=============================  ====  ===========================================================
indicator                      freq  value
=============================  ====  ===========================================================
``active_borrowers``           A     active borrowers living in the site's catchment that year
``hourly_visits_staffed``      H     visits in one staffed hour (mean of the IN and OUT beams)
``hourly_visits_self_service`` H     visits in one self-service (meråpent) hour
``hourly_visits_closed``       H     counts in one closed hour (staff, cleaning)
``errand_answered``            A     survey respondents who answered the municipal-service question
``errand_service``             A     … of them, those who came for a municipal service
``errand_library_answered``    A     … of those, those who answered whether they also used the library
``errand_library``             A     … of those, those who also used the library
=============================  ====  ===========================================================

Annual rows start on 1 January of the year (the survey wave's year for the errand rows).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg.clean.values import map_site_ids

__all__ = ["ERRAND_INDICATORS", "HOURLY_INDICATORS", "borrower_observations", "errand_observations",
           "hourly_observations"]

HOURLY_INDICATORS = {"staffed": "hourly_visits_staffed", "self_service": "hourly_visits_self_service",
                     "closed": "hourly_visits_closed"}
ERRAND_INDICATORS = ("errand_answered", "errand_service", "errand_library_answered", "errand_library")


def _rows(site: pd.Series, start: pd.Series, freq: str, indicator: pd.Series | str, value: pd.Series,
          source: pd.Series) -> pd.DataFrame:
    n = len(site)
    return pd.DataFrame({
        C.SITE_ID: site.astype("str").to_numpy(), C.MUNICIPALITY_CODE: pd.Series([None] * n, dtype="str").to_numpy(),
        C.PERIOD_START: pd.to_datetime(start).astype("datetime64[us]").to_numpy(), C.FREQ: freq,
        C.INDICATOR: indicator if isinstance(indicator, str) else indicator.astype("str").to_numpy(),
        C.VALUE: value.astype("float64").to_numpy(), C.STATUS: "", C.SOURCE: source.astype("str").to_numpy(),
    }).astype({C.SITE_ID: "str", C.MUNICIPALITY_CODE: "str", C.FREQ: "str", C.INDICATOR: "str", C.STATUS: "str",
               C.SOURCE: "str"})


def _sources(s: pd.Series) -> str:
    return " + ".join(sorted(set(s)))


def borrower_observations(borrowers: pd.DataFrame, sites: Iterable) -> pd.DataFrame:
    """Active borrowers per site and year; areas named by a site's name or alias, summed per site.

    Raises
    ------
    SourceFormatError
        An area that is no site's name or alias (the message lists the known names).
    """
    frame = map_site_ids(borrowers, sites, column="area")
    g = frame.groupby([C.SITE_ID, "year"], sort=True).agg(value=("active_borrowers", "sum"),
                                                          source=("source", _sources)).reset_index()
    start = pd.to_datetime(g["year"].astype(str) + "-01-01")
    return _rows(g[C.SITE_ID], start, "A", "active_borrowers", g["value"], g["source"])


def hourly_observations(hours: pd.DataFrame, sites: Iterable) -> pd.DataFrame:
    """Visits per site and hour (doors summed; the mean of IN and OUT where both beams count), by opening mode."""
    frame = map_site_ids(hours, sites)
    visits = np.where(frame["visits_out"].notna(), (frame["visits_in"] + frame["visits_out"]) / 2, frame["visits_in"])
    frame = frame.assign(visits=visits)
    g = (frame.groupby([C.SITE_ID, "period_start"], sort=True)
         .agg(value=("visits", "sum"), mode=("mode", "first"), source=("source", _sources)).reset_index())
    return _rows(g[C.SITE_ID], g["period_start"], "H", g["mode"].map(HOURLY_INDICATORS), g["value"], g["source"])


def errand_observations(errands: pd.DataFrame, sites: Iterable) -> pd.DataFrame:
    """Per site and wave: respondents who answered, came for a municipal service, and also used the library."""
    if errands.empty:
        return _rows(pd.Series([], dtype="str"), pd.Series([], dtype="datetime64[us]"), "A", "errand_answered",
                     pd.Series([], dtype="float64"), pd.Series([], dtype="str"))
    frame = map_site_ids(errands, sites)
    service = frame["came_for_service"].astype("boolean")
    library = frame["also_library"].astype("boolean")
    counts = pd.DataFrame({
        C.SITE_ID: frame[C.SITE_ID], "wave": frame["wave"], "source": frame["source"],
        "errand_answered": service.notna(), "errand_service": service.fillna(False),
        "errand_library_answered": service.fillna(False) & library.notna(),
        "errand_library": service.fillna(False) & library.fillna(False),
    })
    g = counts.groupby([C.SITE_ID, "wave"], sort=True)
    wide = g[list(ERRAND_INDICATORS)].sum().join(g["source"].agg(_sources)).reset_index()
    long = wide.melt(id_vars=[C.SITE_ID, "wave", "source"], value_vars=list(ERRAND_INDICATORS),
                     var_name="indicator", value_name="value")
    start = pd.to_datetime(long["wave"].astype(str) + "-01-01")
    return _rows(long[C.SITE_ID], start, "A", long["indicator"], long["value"], long["source"])
