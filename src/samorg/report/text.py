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
        "aim2": "Mål 2: Brukernes opplevelse av tjenestene",
        "aim4": "Mål 4: Biblioteket som selvstendig møteplass",
        "aim5": "Mål 5: Stedsutvikling",
        "service_centre_heading": "Innbyggertorget: henvendelser",
        "data_heading": "Hvilke data finnes for stedet",
        "data_kind": "Data",
        "data_period": "Periode",
        "missing_data": "Mangler",
        "flagged_months": "{n} måneder flagget (f.eks. teller ute av drift)",
        "rows_years": "{n} henvendelser, {start}–{end}",
        "ind_visits": "Besøk",
        "ind_loans": "Utlån",
        "ind_events": "Arrangementer",
        "ind_staffed_hours": "Betjent åpningstid",
        "ind_self_service_hours": "Meråpen tid",
        "ind_inquiries": "Henvendelser til innbyggertorget",
        "year": "År",
        "col_events": "Arrangementer",
        "col_attendance": "Deltakere",
        "col_staffed_hours": "Betjente timer",
        "col_self_service_hours": "Meråpne timer",
        "col_self_service_share_hours": "Andel meråpen tid",
        "col_self_service_share_visits": "Andel besøk i meråpen tid",
        "col_visits": "Besøk",
        "col_visits_per_inhabitant": "Besøk per innbygger",
        "col_inquiries": "Henvendelser",
        "col_resolved_first": "Løst ved første kontakt",
        "col_wait_median": "Ventetid, median (min)",
        "inquiries_by_channel": "Henvendelser per kanal og år",
        "inquiries_quality": "Løst ved første kontakt og ventetid",
        "inquiries_note": "Henvendelsesloggen er et registrert utvalg av henvendelsene.",
        "cells_hidden": "{n} celler er skjult i denne tabellen.",
        "no_inquiries": "Stedet har ingen registrerte henvendelser til innbyggertorget i dataene.",
        "no_library_data": "Stedet har ingen bibliotekstatistikk (besøk, arrangementer, åpningstid) i dataene.",
        "no_catchment": "Registeret oppgir ikke hvor mange innbyggere stedet betjener, så besøk per innbygger kan ikke beregnes.",
        "meeting_place_note": (
            "Tallene er summer per år; et år med en manglende måned er skalert opp fra månedene som finnes. "
            "2020 og 2021 er preget av COVID-19-stengninger."
        ),
        "place_note": (
            "Besøk per innbygger i nærområdet ({pop} innbyggere ifølge stedsregisteret; samme tall brukt for alle år)."
        ),
        "dq_report": "Datakvalitet",
        "dq_intro": (
            "Denne rapporten viser hva samorg leste, hva som ble forkastet eller flagget og hvorfor, og hva dere "
            "kan gjøre med det. Rådata endres aldri; alle beslutninger står i manifest.json."
        ),
        "dq_sources": "Kilder som ble lest",
        "dq_tables": "Tabeller som ble skrevet",
        "dq_decisions": "Rader forkastet eller flagget, og hvorfor",
        "dq_missing": "Manglende verdier etter årsak (månedstall)",
        "dq_outages": "Måneder med besøksteller ute av drift",
        "key_heading": "Hovedfunn",
        "key_visits": (
            "Besøkene endret seg med {change} ved {intervention}, sammenlignet med det modellen venter uten "
            "endringen (95 % KI {low} til {high}; {label})."
        ),
        "key_never": "Stedet er ikke samlokalisert; det brukes som sammenligning for de andre stedene.",
        "key_events": "Arrangementer: {before} i 2019 og {after} i {year} ({label}, beskrivende tall uten modell).",
        "key_self_service": "{share} av åpningstiden i {year} var meråpen (selvbetjent) tid.",
        "key_inquiries": "{share} av {n} registrerte henvendelser i {year} ble løst ved første kontakt.",
        "key_none": "Stedet har for lite data til å gi hovedfunn.",
        "prespecified": "forhåndsspesifisert",
        "exploratory": "utforskende",
        "survey_missing": "Resultater fra brukerundersøkelsene kommer i en senere versjon av rapporten.",
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
        "aim2": "Aim 2: Users' experience of the services",
        "aim4": "Aim 4: The library as an independent meeting place",
        "aim5": "Aim 5: Place development",
        "service_centre_heading": "The citizen service centre: inquiries",
        "data_heading": "What data the site has",
        "data_kind": "Data",
        "data_period": "Period",
        "missing_data": "Missing",
        "flagged_months": "{n} months flagged (e.g. counter out of order)",
        "rows_years": "{n} inquiries, {start}–{end}",
        "ind_visits": "Visits",
        "ind_loans": "Loans",
        "ind_events": "Events",
        "ind_staffed_hours": "Staffed opening hours",
        "ind_self_service_hours": "Self-service hours",
        "ind_inquiries": "Inquiries to the service centre",
        "year": "Year",
        "col_events": "Events",
        "col_attendance": "Attendance",
        "col_staffed_hours": "Staffed hours",
        "col_self_service_hours": "Self-service hours",
        "col_self_service_share_hours": "Self-service share of hours",
        "col_self_service_share_visits": "Share of visits in self-service time",
        "col_visits": "Visits",
        "col_visits_per_inhabitant": "Visits per inhabitant",
        "col_inquiries": "Inquiries",
        "col_resolved_first": "Resolved at first contact",
        "col_wait_median": "Waiting time, median (min)",
        "inquiries_by_channel": "Inquiries by channel and year",
        "inquiries_quality": "First-contact resolution and waiting time",
        "inquiries_note": "The inquiry log is a recorded sample of the inquiries.",
        "cells_hidden": "{n} cells are hidden in this table.",
        "no_inquiries": "The site has no recorded inquiries to a citizen service centre in the data.",
        "no_library_data": "The site has no library statistics (visits, events, opening hours) in the data.",
        "no_catchment": "The registry does not say how many inhabitants the site serves, so visits per inhabitant cannot be computed.",
        "meeting_place_note": (
            "Figures are yearly sums; a year with a missing month is scaled up from the months it has. "
            "2020 and 2021 are marked by COVID-19 closures."
        ),
        "place_note": (
            "Visits per inhabitant of the catchment ({pop} inhabitants according to the site registry; the same figure for every year)."
        ),
        "dq_report": "Data quality",
        "dq_intro": (
            "This report shows what samorg read, what was dropped or flagged and why, and what you can do about "
            "it. Raw data are never changed; every decision is recorded in manifest.json."
        ),
        "dq_sources": "Sources read",
        "dq_tables": "Tables written",
        "dq_decisions": "Rows dropped or flagged, and why",
        "dq_missing": "Missing values by reason (monthly figures)",
        "dq_outages": "Months with the visitor counter out of order",
        "key_heading": "Key results",
        "key_visits": (
            "Visits changed by {change} at {intervention}, compared with what the model expects without the "
            "change (95% CI {low} to {high}; {label})."
        ),
        "key_never": "The site was never co-located; it serves as a comparison for the other sites.",
        "key_events": "Events: {before} in 2019 and {after} in {year} ({label}, descriptive figures without a model).",
        "key_self_service": "{share} of opening hours in {year} were self-service hours.",
        "key_inquiries": "{share} of {n} recorded inquiries in {year} were resolved at first contact.",
        "key_none": "The site has too little data for key results.",
        "prespecified": "pre-specified",
        "exploratory": "exploratory",
        "survey_missing": "Results from the user surveys will come in a later version of the report.",
        "synthetic_note": "Every number in this report is synthetic demo data made to show how samorg works.",
    },
}

LANGS = tuple(TEXTS)

#: Reader-facing names of indicators and processed tables: (bokmål, English).
LABELS: dict[str, tuple[str, str]] = {
    "visits": ("Besøk", "Visits"),
    "visits_staffed": ("Besøk i betjent tid", "Visits in staffed hours"),
    "visits_self_service": ("Besøk i meråpen tid", "Visits in self-service hours"),
    "loans": ("Utlån", "Loans"),
    "events": ("Arrangementer", "Events"),
    "event_attendance": ("Deltakere på arrangementer", "Event attendance"),
    "staffed_hours": ("Betjente timer", "Staffed hours"),
    "self_service_hours": ("Meråpne timer", "Self-service hours"),
    "sites": ("Steder", "Sites"),
    "observations": ("Tjenestestatistikk", "Service statistics"),
    "inquiries": ("Henvendelser", "Inquiries"),
    "survey_responses": ("Svar på brukerundersøkelser", "Survey answers"),
    "population": ("Befolkning", "Population"),
}


def label(key: str, lang: str = "nb") -> str:
    """The reader-facing name of an indicator or table (the id itself when none is known)."""
    pair = LABELS.get(key)
    return key if pair is None else pair[0 if lang == "nb" else 1]


def t(key: str, lang: str = "nb", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    if lang not in TEXTS:
        raise ValueError(f"Unknown report language {lang!r}; expected one of {', '.join(LANGS)}.")
    return TEXTS[lang][key].format(**values) if values else TEXTS[lang][key]
