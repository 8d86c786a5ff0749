"""Words of the data-quality appendix (:mod:`samorg.report.data_quality`), in bokmål and English.

``STEPS`` says, for every cleaning step the pipeline records in ``manifest.json``, what was done and what a
researcher can do about it; ``WORDS`` holds the appendix's column names, captions, sources and sentences.
Nothing here names a study, a place or a year.
"""

from __future__ import annotations

__all__ = ["STEPS", "WORDS"]

# What each cleaning step means and what a researcher can do about it: (bokmål, English, advice nb, advice en).
STEPS: dict[str, tuple[str, str, str, str]] = {
    "drop_duplicate_exports": (
        "Duplisert eksportfil forkastet",
        "Duplicate export file dropped",
        "Slett kopien fra rådatamappen, eller behold den: samorg bruker bare én av filene.",
        "Delete the copy from the raw folder, or keep it: samorg uses only one of the files.",
    ),
    "flag_counter_outages": (
        "Besøksteller ute av drift (måneden flagget, ikke slettet)",
        "Visitor counter out of order (month flagged, not deleted)",
        "Be biblioteket om manuelle tall eller utvalgsuker for måneden; modellene hopper over flaggede måneder.",
        "Ask the library for manual counts or sample weeks for the month; the models skip flagged months.",
    ),
    "drop_free_text": (
        "Fritekst fjernet (kan identifisere personer)",
        "Free text removed (may identify people)",
        "Ingen handling nødvendig. Trenger dere fritekst, analyser den utenfor samorg under personvernregler.",
        "No action needed. If you need the free text, analyse it outside samorg under data-protection rules.",
    ),
    "pseudonymise": (
        "Ansattkoder og informanter erstattet med pseudonymer",
        "Staff codes and informants replaced by pseudonyms",
        "Pseudonymene bygger på en hemmelig nøkkel (privacy.key_file i studiefilen, eller miljøvariabelen "
        "SAMORG_PSEUDONYM_SALT); hold den utenfor git og del den ikke.",
        "The pseudonyms rest on a secret key (privacy.key_file in the study file, or the environment variable "
        "SAMORG_PSEUDONYM_SALT); keep it out of git and do not share it.",
    ),
    "drop_outside_study_period": (
        "Rader utenfor studieperioden utelatt (nasjonal fil)",
        "Rows outside the study period left out (national file)",
        "Ingenting å gjøre: nasjonale filer dekker flere år enn studien. Utvid data_start/data_end hvis årene trengs.",
        "Nothing to do: national files cover more years than the study. Widen data_start/data_end if the years are needed.",
    ),
    "drop_duplicate_submissions": (
        "Dobbel innsending av spørreskjema forkastet",
        "Duplicate survey submission dropped",
        "Sjekk med leverandøren av undersøkelsen om dobbeltinnsendinger kan stoppes.",
        "Check with the survey provider whether double submissions can be prevented.",
    ),
    "drop_rows_without_unit": (
        "Rader uten sted eller kommune forkastet",
        "Rows without a site or municipality dropped",
        "Sjekk eksporten: hver rad skal ha stedet eller kommunen den gjelder.",
        "Check the export: every row should name the site or municipality it is about.",
    ),
    "flag_shared_row": (
        "Rad som gjelder flere steder flagget",
        "Row that covers several sites flagged",
        "Be om tall per sted hvis de finnes; ellers brukes raden ikke for ett enkelt sted.",
        "Ask for numbers per site if they exist; otherwise the row is not used for any one site.",
    ),
    "drop_areas_outside_catchments": (
        "Lånere utenfor alle nærområder utelatt",
        "Borrowers outside every catchment left out",
        "Ingenting å gjøre hvis området ligger utenfor stedenes nærområder; ellers rett nærområdene i stedsregisteret.",
        "Nothing to do if the area lies outside the sites' catchments; otherwise correct the catchments in the site registry.",
    ),
    "drop_duplicate_segments": (
        "Dobbelt kodet utsagn forkastet",
        "Segment coded twice dropped",
        "Sjekk kodeboken: samme utsagn skal kodes én gang per tema.",
        "Check the codebook: a statement should be coded once per theme.",
    ),
    "drop_quotes_without_consent": (
        "Sitater uten samtykke fjernet (utsagnet telles fortsatt)",
        "Quotes without consent removed (the statement still counts)",
        "Ingen handling nødvendig; sitater vises bare med samtykke.",
        "No action needed; quotes are shown only with consent.",
    ),
    "redact_quotes": (
        "Navn og kjennetegn fjernet fra sitater",
        "Names and identifying details removed from quotes",
        "Les gjennom sitatene før publisering; automatisk fjerning finner ikke alt.",
        "Read the quotes before publication; automatic removal does not find everything.",
    ),
}

WORDS: dict[str, dict] = {
    "nb": {
        "kind": "Kilde", "files": "Filer", "table": "Tabell", "rows": "Rader", "step": "Hva ble gjort",
        "source": "Fil", "detail": "Detalj", "advice": "Hva dere kan gjøre", "indicator": "Indikator",
        "site": "Sted", "month": "Måned", "none": "Ingen.", "ok": "med verdi",
        "built": "Dataene ble bygget {when} med samorg {version}.",
        "status": {"": "med verdi", ".": "ikke relevant (.)", "..": "ikke tilgjengelig (..)", ":": "skjermet (:)",
                   "counter_outage": "teller ute av drift", "duplicate_export": "duplikat"},
        "kinds": {"filialer": "Filialstatistikk (besøk, utlån, arrangementer, åpningstid)",
                  "nb": "Nasjonalbibliotekets bibliotekstatistikk", "henvendelser": "Henvendelser til innbyggertorget",
                  "undersokelser": "Brukerundersøkelser", "ssb": "SSB (befolkning)", "config": "Studieoppsett",
                  "kvalitativt": "Kvalitative data (kodede intervjuer og verksteder)",
                  "utlan": "Aktive lånere etter bosted", "teller": "Besøk per time med åpningsmodus"},
        "other_step": "Annen rensing (se manifest.json)",
        # data per site
        "role": "Rolle", "municipality": "Kommune", "months_visits": "Måneder med besøkstall",
        "inquiries": "Henvendelser", "respondents": "Svar i brukerundersøkelsen", "segments": "Kodede utsagn",
        "role_treated": "samlokalisert {date}", "role_comparison": "sammenligningssted",
        "role_excluded": "beskrives",
        "wave": "{wave}: {n}",
        # coverage
        "first": "Første måned", "last": "Siste måned", "with_value": "Måneder med verdi", "expected": "Av",
        "missing_months": "Måneder uten verdi",
        "reason_missing": "mangler i eksporten",
        # small cells
        "cells": "Celler i tabellen", "hidden_small": "Skjult: færre enn {k}", "hidden_secondary": "Skjult: for å beskytte et lite tall",
        # national
        "year": "År", "munis_in_file": "Kommuner i filen", "munis_visits": "Med besøkstall",
        "not_available": "Verdier «ikke tilgjengelig» (..)", "confidential": "Verdier skjermet (:)",
        "not_applicable": "Verdier «ikke relevant» (.)", "munis_population": "Kommuner med befolkningstall",
        # captions and sources
        "cap_sources": "Filer lest per kilde.",
        "cap_per_site": "Data per sted og kilde i de bearbeidede tabellene.",
        "cap_coverage": "Månedlig dekning av besøkstallene per sted, og måneder uten verdi.",
        "cap_decisions": "Rader forkastet eller flagget under rensingen, med årsak og hva dere kan gjøre.",
        "cap_missing": "Månedstall per indikator etter status: med verdi, eller hvorfor verdien mangler.",
        "cap_outages": "Måneder der besøkstelleren var ute av drift.",
        "cap_small_cells": "Småtallsskjerming i stedsrapportenes tabell over henvendelser etter kanal og år.",
        "cap_national": "Dekningen i de nasjonale tabellene per år.",
        "cap_tables": "Rader i hver bearbeidet tabell.",
        "src_manifest": "manifest.json for de bearbeidede dataene (samorg data)",
        "src_processed": "de bearbeidede tabellene (samorg data)",
        "src_branch": "stedenes månedlige filialeksport, bearbeidet med samorg",
        "src_inquiries": "innbyggertorgets henvendelseslogg, bearbeidet med samorg; regelen i studiefilen (privacy.min_cell)",
        "src_national": "Nasjonalbibliotekets bibliotekstatistikk og SSB (befolkning), bearbeidet med samorg",
        # sentences for sections with nothing to show
        "no_monthly": "Studien har ingen månedlige besøkstall, så det er ingen månedlig dekning å vise.",
        "coverage_complete": "Alle steder med besøkstall har en verdi for hver måned fra første til siste måned.",
        "no_decisions": "Ingen rader ble forkastet eller flagget under rensingen.",
        "no_outages": "Ingen måneder er flagget med besøksteller ute av drift.",
        "no_inquiries": "Studien har ingen henvendelser, så ingen tabell over henvendelser måtte skjermes.",
        "no_small_cells": "Ingen celle i tabellene over henvendelser hadde færre enn {k} henvendelser; ingenting er skjult.",
        "small_cells_rule": "Terskelen i denne studien er {k}. I alt er {n} celler skjult, ved {sites}.",
        "no_national": "Studien har ingen nasjonale tabeller.",
        "per_site_note": "Tall for færre enn {k} personer er vist som {marker}.",
    },
    "en": {
        "kind": "Source", "files": "Files", "table": "Table", "rows": "Rows", "step": "What was done",
        "source": "File", "detail": "Detail", "advice": "What you can do", "indicator": "Indicator",
        "site": "Site", "month": "Month", "none": "None.", "ok": "with a value",
        "built": "The data were built {when} with samorg {version}.",
        "status": {"": "with a value", ".": "not applicable (.)", "..": "not available (..)", ":": "confidential (:)",
                   "counter_outage": "counter out of order", "duplicate_export": "duplicate"},
        "kinds": {"filialer": "Branch statistics (visits, loans, events, opening hours)",
                  "nb": "National Library statistics", "henvendelser": "Inquiries to the service centre",
                  "undersokelser": "User surveys", "ssb": "Statistics Norway (population)", "config": "Study configuration",
                  "kvalitativt": "Qualitative data (coded interviews and workshops)",
                  "utlan": "Active borrowers by area of residence", "teller": "Hourly visits with opening mode"},
        "other_step": "Other cleaning (see manifest.json)",
        "role": "Role", "municipality": "Municipality", "months_visits": "Months with visits",
        "inquiries": "Inquiries", "respondents": "User survey answers", "segments": "Coded statements",
        "role_treated": "co-located {date}", "role_comparison": "comparison site", "role_excluded": "described",
        "wave": "{wave}: {n}",
        "first": "First month", "last": "Last month", "with_value": "Months with a value", "expected": "Of",
        "missing_months": "Months without a value",
        "reason_missing": "missing from the export",
        "cells": "Cells in the table", "hidden_small": "Hidden: fewer than {k}", "hidden_secondary": "Hidden: to protect a small number",
        "year": "Year", "munis_in_file": "Municipalities in the file", "munis_visits": "With visits",
        "not_available": "Values 'not available' (..)", "confidential": "Values confidential (:)",
        "not_applicable": "Values 'not applicable' (.)", "munis_population": "Municipalities with population",
        "cap_sources": "Files read per source.",
        "cap_per_site": "Data per site and source in the processed tables.",
        "cap_coverage": "Monthly coverage of the visit counts per site, and months without a value.",
        "cap_decisions": "Rows dropped or flagged during cleaning, with the reason and what you can do.",
        "cap_missing": "Monthly values per indicator by status: with a value, or why the value is missing.",
        "cap_outages": "Months in which the visitor counter was out of order.",
        "cap_small_cells": "Small-cell suppression in the site reports' table of inquiries by channel and year.",
        "cap_national": "Coverage of the national tables per year.",
        "cap_tables": "Rows in each processed table.",
        "src_manifest": "manifest.json of the processed data (samorg data)",
        "src_processed": "the processed tables (samorg data)",
        "src_branch": "the sites' monthly branch exports, processed with samorg",
        "src_inquiries": "the service centre's inquiry log, processed with samorg; the rule in the study file (privacy.min_cell)",
        "src_national": "National Library statistics and Statistics Norway (population), processed with samorg",
        "no_monthly": "The study has no monthly visit counts, so there is no monthly coverage to show.",
        "coverage_complete": "Every site with visit counts has a value for every month from its first to its last.",
        "no_decisions": "No rows were dropped or flagged during cleaning.",
        "no_outages": "No month is flagged with the visitor counter out of order.",
        "no_inquiries": "The study has no inquiries, so no table of inquiries needed suppression.",
        "no_small_cells": "No cell in the inquiry tables had fewer than {k} inquiries; nothing is hidden.",
        "small_cells_rule": "The threshold in this study is {k}. In all, {n} cells are hidden, at {sites}.",
        "no_national": "The study has no national tables.",
        "per_site_note": "Numbers for fewer than {k} people are shown as {marker}.",
    },
}
