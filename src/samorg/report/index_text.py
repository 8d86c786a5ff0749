"""The landing page's own words (:mod:`samorg.report.index`), in bokmål and English.

Kept apart from :mod:`samorg.report.text` so the page can be read and changed in one place. Nothing here
names a study, a place or a year: those come from the study file and the site registry.
"""

from __future__ import annotations

__all__ = ["INDEX_TEXT", "it"]

INDEX_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "about": (
            "Denne evalueringen gjelder {topic}. Den følger {sites} i {munis} gjennom årene {start}–{end}."
        ),
        "about_treated": " Av dem ble {n} samlokalisert i perioden.",
        "about_comparison": " {n} er ikke samlokalisert og brukes til sammenligning.",
        "about_method": (
            " For hvert samlokaliserte sted sammenligner rapportene bruken etter endringen med hva vi kunne ventet "
            "uten den, og sier hvor sikre tallene er."
        ),
        "about_bundle": (
            " Der samlokaliseringen skjedde samtidig med {reorganisation}, viser tallene virkningen av endringene "
            "samlet; de kan ikke skilles fra hverandre."
        ),
        "site_one": "ett sted", "site_many": "{n} steder",
        "start_heading": "Start her",
        "start_text": (
            "Den samlede rapporten sammenstiller resultatene fra alle stedene: hva som endret seg, hvor sikre "
            "vi kan være, og hva dataene ikke kan svare på."
        ),
        "start_missing": "Den samlede rapporten er ikke laget ennå.",
        "sites_heading": "Rapporter per sted",
        "sites_intro": (
            "Hver rapport viser hva som skjedde på ett sted. Stedene er ordnet etter kommune. For samlokaliserte "
            "steder står hovedresultatet: besøket etter endringen sammenlignet med hva vi kunne ventet uten den, "
            "med 95 % konfidensintervall (KI), området der den sanne verdien trolig ligger."
        ),
        "co_organised": "Samorganisert {date}",
        "other_places": "Andre steder",
        "role_treated": "Samlokalisert {date}",
        "role_comparison": "Ikke samlokalisert – sammenligningssted",
        "role_service_centre": "Innbyggertorg uten bibliotek – beskrives, uten effektanslag",
        "role_excluded": "Holdt utenfor effektanalysen – beskrives",
        "result": "Besøket var om lag {size} {direction} enn forventet uten {without} i {span} (95 % KI {low} til {high}).",
        "higher": "høyere", "lower": "lavere",
        "without_co_location": "samlokalisering",
        "without_bundle": "samorganisering og samlokalisering",
        "without_bundle_merger": "sammenslåing, samorganisering og samlokalisering",
        "includes_zero": " Ingen endring er også forenlig med dataene.",
        "failed": "Rapporten kunne ikke lages: {reason}",
        "failed_unknown": "ukjent årsak",
        "technical": "Teknisk feilmelding",
        "partial": "Delvis kjørt notatbok",
        "previous": "Forrige vellykkede versjon",
        "not_built": "Ingen rapport ennå.",
        "pdf_of": "{name} som PDF",
        "html_of": "{name} som nettside (HTML)",
        "appendix_heading": "Vedlegg",
        "dq_title": "Datakvalitet – metodevedlegg",
        "dq_text": (
            "Hvilke data som finnes per kilde og sted, hvilke måneder som mangler, hva som ble renset bort eller "
            "flagget og hvorfor, og hvilke små tall som er skjult av personvernhensyn."
        ),
        "other_heading": "Andre rapporter",
        "reports_heading": "Rapporter",
        "build": "Om byggingen",
        "built": "Siden ble laget {when}.",
        "summary": "{n} rapporter, {ok} OK, {failed} feilet.",
        "col_report": "Rapport", "col_status": "Status", "col_reused": "Gjenbrukt fra forrige kjøring",
        "col_seconds": "Sekunder",
        "ok": "OK", "failed_status": "Feilet", "yes": "ja", "no": "nei",
    },
    "en": {
        "about": "This evaluation concerns the {topic}. It follows {sites} in {munis} over the years {start}–{end}.",
        "about_treated": " Of these, {n} were co-located during the period.",
        "about_comparison": " {n} were not co-located and serve as comparisons.",
        "about_method": (
            " For each co-located site the reports compare use after the change with what could have been "
            "expected without it, and say how certain the numbers are."
        ),
        "about_bundle": (
            " Where co-location coincided with {reorganisation}, the numbers show the effect of the changes "
            "together; they cannot be told apart."
        ),
        "site_one": "one site", "site_many": "{n} sites",
        "start_heading": "Start here",
        "start_text": (
            "The synthesis brings the results of all sites together: what changed, how certain we can be, and "
            "what the data cannot answer."
        ),
        "start_missing": "The synthesis has not been produced yet.",
        "sites_heading": "Reports by site",
        "sites_intro": (
            "Each report shows what happened at one site. Sites are grouped by municipality. For co-located "
            "sites the main result is given: visits after the change compared with what could have been expected "
            "without it, with a 95% confidence interval (CI), the range the true value probably lies in."
        ),
        "co_organised": "Co-organised {date}",
        "other_places": "Other sites",
        "role_treated": "Co-located {date}",
        "role_comparison": "Not co-located – comparison site",
        "role_service_centre": "Service centre without a library – described, no effect estimated",
        "role_excluded": "Left out of the effect analysis – described",
        "result": "Visits were about {size} {direction} than expected without {without} in {span} (95% CI {low} to {high}).",
        "higher": "higher", "lower": "lower",
        "without_co_location": "co-location",
        "without_bundle": "co-organisation and co-location",
        "without_bundle_merger": "the merger, co-organisation and co-location",
        "includes_zero": " No change is also consistent with the data.",
        "failed": "The report could not be produced: {reason}",
        "failed_unknown": "unknown reason",
        "technical": "Technical error message",
        "partial": "Partly executed notebook",
        "previous": "Last successful version",
        "not_built": "No report yet.",
        "pdf_of": "{name} as PDF",
        "html_of": "{name} as a web page (HTML)",
        "appendix_heading": "Appendix",
        "dq_title": "Data quality – methods appendix",
        "dq_text": (
            "Which data exist per source and site, which months are missing, what was cleaned out or flagged "
            "and why, and which small numbers are hidden to protect privacy."
        ),
        "other_heading": "Other reports",
        "reports_heading": "Reports",
        "build": "About this build",
        "built": "Page built {when}.",
        "summary": "{n} reports, {ok} OK, {failed} failed.",
        "col_report": "Report", "col_status": "Status", "col_reused": "Reused from the previous run",
        "col_seconds": "Seconds",
        "ok": "OK", "failed_status": "Failed", "yes": "yes", "no": "no",
    },
}


def it(key: str, lang: str, **values: object) -> str:
    """The landing page's text for ``key`` in ``lang`` (English for any language but bokmål)."""
    words = INDEX_TEXT["nb" if lang == "nb" else "en"]
    return words[key].format(**values) if values else words[key]
