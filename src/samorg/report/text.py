"""Every word a report shows, in bokmål (default) and English.

Report code looks words up here by key, so ``lang="en"`` switches every generated word and label.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "banner": "Syntetiske demodata – tallene er ikke ekte",
        "site_report": "Stedsrapport",
        "index_title": "Rapporter",
        "report_for": "{name} – samorganisering av bibliotek og innbyggertorg",
        "period": "Dataperiode {start}–{end}",
        "facts": "Om stedet",
        "fact_municipality": "Kommune",
        "fact_former": "Tidligere kommune",
        "fact_kind": "Type",
        "fact_co_organised": "Samorganisert",
        "fact_co_located": "Samlokalisert",
        "fact_counting": "Telling av besøk",
        "fact_catchment": "Innbyggere i nærområdet",
        "kind_library": "Bibliotek",
        "kind_service_centre": "Innbyggertorg",
        "kind_combined": "Bibliotek og innbyggertorg",
        "counting_people_counter": "Automatisk besøksteller",
        "counting_sample_weeks": "Utvalgsuker",
        "counting_manual": "Manuell telling",
        "never": "Ikke",
        "unknown": "Ukjent",
        "fact": "Opplysning",
        "value": "Verdi",
        "parameters": "Parametere for denne rapporten",
        "aim1": "Mål 1: Effekter av samorganisering og samlokalisering",
        "visits_heading": "Besøk per måned før og etter samlokalisering",
        "visits": "besøk",
        "visits_label": "Besøk per måned",
        "its_intervention_co_located": "samlokaliseringen {date}",
        "its_intervention_co_organised": "samorganiseringen {date}",
        "its_method": (
            "Metode: avbrutt tidsserie (interrupted time series) med en {family}-modell for månedlige besøk, "
            "med trend og sesongvariasjon. Modellen anslår hvor mange besøk det ville vært uten endringen "
            "(stiplet linje, kontrafaktisk) og sammenligner med det som faktisk skjedde."
        ),
        "its_control": (
            "Sammenligning: Besøkene ved steder som aldri er samlokalisert ({names}) er brukt som kontrollserie. "
            "Det som rammet alle steder likt, som den langsomme gjenåpningen etter COVID-19, faller da bort, og "
            "effekten er endringen i forhold til disse stedene."
        ),
        "its_no_control": (
            "Studien har ingen steder som aldri er samlokalisert, så modellen har ingen kontrollserie. Endringer som "
            "rammet alle steder samtidig, som ettervirkninger av COVID-19, kan derfor ligge i anslaget."
        ),
        "its_none": (
            "Stedet har ingen dato for samlokalisering eller samorganisering, så det er ingen endring å analysere her. "
            "Stedet kan brukes som sammenligning for andre steder."
        ),
        "its_nodata": "Det finnes ikke månedlige besøkstall for dette stedet i dataene.",
        "its_failed": "Modellen kunne ikke tilpasses: {error}",
        "caveats": "Metode og forbehold",
        "caveat_covid": (
            "COVID-19: Stengninger og smitteverntiltak i {start}–{end} falt sammen med kommunesammenslåingen og "
            "omorganiseringen i 2020. Disse månedene er holdt utenfor modellen (grått felt i figuren), "
            "slik at effekten anslås fra tiden før og etter."
        ),
        "caveat_few": (
            "Bare to kommuner har gjort denne omorganiseringen i dataene. Resultater for ett sted sier noe om "
            "dette stedet, ikke om samlokalisering generelt. Usikkerheten er oppgitt som et 95 % konfidensintervall."
        ),
        "caveat_observational": (
            "Dette er en observasjonsstudie: Andre endringer samtidig med samlokaliseringen (nye åpningstider, "
            "meråpent, befolkningsvekst) kan påvirke tallene."
        ),
        "provenance": "Sporbarhet",
        "prov_version": "samorg-versjon",
        "prov_commit": "Git-versjon",
        "prov_generated": "Laget",
        "prov_study": "Studiefil",
        "prov_inputs": "Inndata: {n} filer, samlet kontrollsum (SHA-256; hver fil står i manifest.json)",
        "comparison_series": "sammenligningsstedene",
        "file": "Fil",
        "hash": "Kontrollsum",
        "synthetic_note": "Alle tall i denne rapporten er syntetiske demodata laget for å vise hvordan samorg virker.",
    },
    "en": {
        "banner": "Synthetic demo data – the numbers are not real",
        "site_report": "Site report",
        "index_title": "Reports",
        "report_for": "{name} – co-organised library and citizen service centre",
        "period": "Data period {start}–{end}",
        "facts": "About the site",
        "fact_municipality": "Municipality",
        "fact_former": "Former municipality",
        "fact_kind": "Kind",
        "fact_co_organised": "Co-organised",
        "fact_co_located": "Co-located",
        "fact_counting": "Visitor counting",
        "fact_catchment": "Inhabitants in the catchment",
        "kind_library": "Library",
        "kind_service_centre": "Citizen service centre",
        "kind_combined": "Library and citizen service centre",
        "counting_people_counter": "Automatic people counter",
        "counting_sample_weeks": "Sample weeks",
        "counting_manual": "Manual count",
        "never": "No",
        "unknown": "Unknown",
        "fact": "Item",
        "value": "Value",
        "parameters": "Parameters of this report",
        "aim1": "Aim 1: Effects of co-organisation and co-location",
        "visits_heading": "Monthly visits before and after co-location",
        "visits": "visits",
        "visits_label": "Visits per month",
        "its_intervention_co_located": "co-location on {date}",
        "its_intervention_co_organised": "co-organisation on {date}",
        "its_method": (
            "Method: interrupted time series with a {family} model of monthly visits, with trend and "
            "seasonality. The model estimates how many visits there would have been without the change "
            "(dashed line, counterfactual) and compares it with what happened."
        ),
        "its_control": (
            "Comparison: visits at the sites never co-located ({names}) are used as a control series. What hit "
            "every site alike, such as the slow reopening after COVID-19, then drops out, and the effect is the "
            "change relative to these sites."
        ),
        "its_no_control": (
            "The study has no site that was never co-located, so the model has no control series. Changes that "
            "hit every site at once, such as after-effects of COVID-19, may therefore be part of the estimate."
        ),
        "its_none": (
            "This site has no co-location or co-organisation date, so there is no change to analyse here. "
            "It can serve as a comparison for other sites."
        ),
        "its_nodata": "There are no monthly visit counts for this site in the data.",
        "its_failed": "The model could not be fitted: {error}",
        "caveats": "Method and caveats",
        "caveat_covid": (
            "COVID-19: closures and restrictions in {start}–{end} coincided with the municipal merger and the "
            "reorganisation in 2020. These months are left out of the model (grey band in the figure), so the "
            "effect is estimated from the time before and after."
        ),
        "caveat_few": (
            "Only two municipalities made this reorganisation in the data. Results for one site describe this "
            "site, not co-location in general. Uncertainty is given as a 95% confidence interval."
        ),
        "caveat_observational": (
            "This is an observational study: other changes at the time of co-location (new opening hours, "
            "self-service, population growth) can affect the numbers."
        ),
        "provenance": "Provenance",
        "prov_version": "samorg version",
        "prov_commit": "Git commit",
        "prov_generated": "Generated",
        "prov_study": "Study file",
        "prov_inputs": "Inputs: {n} files, combined checksum (SHA-256; each file is listed in manifest.json)",
        "comparison_series": "the comparison sites",
        "file": "File",
        "hash": "Checksum",
        "synthetic_note": "Every number in this report is synthetic demo data made to show how samorg works.",
    },
}

LANGS = tuple(TEXTS)


def t(key: str, lang: str = "nb", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    if lang not in TEXTS:
        raise ValueError(f"Unknown report language {lang!r}; expected one of {', '.join(LANGS)}.")
    return TEXTS[lang][key].format(**values) if values else TEXTS[lang][key]
