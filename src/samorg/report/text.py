"""Every word a report shows, in bokmål (default) and English.

Report code looks words up here by key, so ``lang="en"`` switches every generated word and label.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "banner": "Syntetiske demodata – tallene er ikke ekte",
        "site_report": "Stedsrapport",
        "index_title": "Rapporter",
        "report_for": "{name} – {topic}",
        "report_for_part": "{name} ({kind}) – ett av stedene i studien av {topic}",
        "topic_default": "samorganisering av bibliotek og innbyggertorg",
        "washout": "Utelatt periode",
        "municipality_one": "kommune",
        "municipality_many": "kommuner",
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
            "Det som rammet alle steder likt, som felles svingninger i besøket, faller da bort, og "
            "effekten er endringen i forhold til disse stedene."
        ),
        "its_no_control": (
            "Studien har ingen steder som aldri er samlokalisert, så modellen har ingen kontrollserie. Endringer som "
            "rammet alle steder samtidig, som felles svingninger i besøket, kan derfor ligge i anslaget."
        ),
        "its_none": (
            "Stedet har ingen dato for samlokalisering eller samorganisering, så det er ingen endring å analysere her. "
            "Stedet kan brukes som sammenligning for andre steder."
        ),
        "its_nodata": "Det finnes ikke månedlige besøkstall for dette stedet i dataene.",
        "its_failed": "Modellen kunne ikke tilpasses: {error}",
        "caveats": "Metode og forbehold",
        "caveat_washout": (
            "{label}: Månedene {start}–{end} er holdt utenfor modellen (grått felt i figuren), "
            "slik at effekten anslås fra tiden før og etter."
        ),
        "caveat_few": (
            "Bare {n} {municipalities} har gjort denne omorganiseringen i dataene. Resultater for ett sted sier noe om "
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
        "prov_inputs": "Rådata: {n} filer, samlet kontrollsum (SHA-256; hver fil står i manifest.json)",
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
            "Tallene er summer per år; et år med en manglende måned er skalert opp fra månedene som finnes."
        ),
        "place_note": (
            "Besøk per innbygger i nærområdet ({pop} innbyggere ifølge stedsregisteret; samme tall brukt for alle år)."
        ),
        "site": "Sted",
        "col_change": "Endring i besøk",
        "col_ci": "95 % KI",
        "col_p_holm": "p (Holm-justert)",
        "col_estimate": "Anslag",
        "no_survey": "Stedet har ingen svar i brukerundersøkelsene i dataene.",
        "col_item": "Spørsmål",
        "col_top_two": "Fornøyd eller svært fornøyd {wave}",
        "n_wave": "{n} svar i {wave}",
        "survey_note": "Andelen som svarte «Fornøyd» eller «Svært fornøyd»; «Vet ikke» er holdt utenfor. Antall som svarte: {counts}. Gjennomsnittsskårer brukes ikke som hovedmål fordi svarene er rangerte kategorier.",
        "survey_no_change": "Det finnes ikke to runder av undersøkelsen og sammenligningssteder, så endringen kan ikke anslås.",
        "survey_before_colocation": "Den siste runden av undersøkelsen ble gjort før stedet ble samlokalisert, så den kan ikke vise en endring etter samlokaliseringen.",
        "col_pp_change": "Endring (prosentpoeng)",
        "survey_change_note": "Endringen i andelen fornøyde/svært fornøyde fra {before} til {after} her, utover endringen ved steder som aldri er samlokalisert ({names}), fra en ordinal logistisk modell (utforskende). Med bare ett sted og få sammenligningssteder er intervallene modellbaserte og trolig for smale.",
        "sens_heading": "Følsomhetsanalyse: avhenger anslaget av utelatte perioder og sammenligningen?",
        "sens_variant": "Variant",
        "sens_main": "Hovedanalyse (som forhåndsspesifisert)",
        "sens_also_left_out": "Også utelatt: {windows}",
        "sens_none": "Studien har ingen alternative varianter å sammenligne med (ingen utelatte perioder og ingen sammenligningssteder).",
        "sens_no_control": "Uten sammenligningssteder",
        "sens_with_washout": "De utelatte månedene tatt med",
        "sens_stable": "Variantene gir omtrent samme anslag (under 5 prosentpoeng forskjell): resultatet avhenger lite av hvordan de utelatte periodene og sammenligningen er behandlet.",
        "sens_fragile": "Variantene gir ulike anslag: resultatet avhenger av hvordan de utelatte periodene og sammenligningen er behandlet, og bør tolkes med forsiktighet.",
        "did_heading": "Sammenligning med steder som ikke er samlokalisert",
        "did_none": "Stedet er ikke samlokalisert, så det er ingen forskjell-i-forskjeller-analyse for det.",
        "did_change": "Forskjell i forskjeller ({label}): besøket per år var etter samlokaliseringen om lag {size} {direction} enn utviklingen ved sammenligningsstedene skulle tilsi; {ci}; {p}.",
        "did_ci": "95 % KI {low} til {high}",
        "did_unbounded": "med {n} mulige tildelinger kan permutasjonstesten ikke avgrense et intervall",
        "did_unbounded_plain": "metoden kan ikke avgrense et intervall med så få steder",
        "did_no_comparison": "Studien har ingen sammenligningssteder som kan brukes for dette stedet, så det er ingen forskjell-i-forskjeller-analyse for det.",
        "did_note": "Årlige besøk (logaritme) ved stedet og stedene som aldri er samlokalisert, før og etter. De utelatte årene og året for samlokaliseringen er ikke brukt. p-verdien er fra en permutasjonstest: med så få steder kan den ikke bli liten; det er en grense ved designet, ikke et funn.",
        "log_visits": "Besøk per år",
        "caveat_plan": "Analyseplan (forhåndsspesifisert): {plan}. Resultater merket «forhåndsspesifisert» følger denne planen; alle andre er utforskende. p-verdiene for hovedutfallet justeres for flere tester på tvers av steder i synteserapporten (Holm).",
        "event_ylabel": "Forskjell i besøk",
        "event_heading": "År for år før og etter samlokaliseringen",
        "event_note": "Hvert punkt er forskjellen mot sammenligningsstedene det året, målt mot året før samlokaliseringen. Punktene før samlokaliseringen bør ligge nær null; gjør de ikke det, skilte stedet seg ut allerede før, og effekten over er usikker. De utelatte årene er ikke brukt (utforskende).",
        "washout_years_note": "Disse periodene er utelatt fra modellene og preger tallene for de årene: {windows}.",
        "not_estimated": "Ikke beregnet – {why}",
        "model_warning": "Merknad fra modellberegningen: {message}",
        "event_no_panel": "det finnes ikke hele år med besøkstall for stedet og minst ett sammenligningssted",
        "event_not_estimated": "Analysen år for år kunne ikke gjøres: {why}.",
        "est_co_location": "Hva dataene kan vise: For {site} anslår vi effekten av samlokaliseringen {date}, gitt at bibliotek og innbyggertorg allerede var samorganisert ({organised}).",
        "est_bundle": "Hva dataene kan vise: For {site} kan vi bare anslå effekten av {parts} samlet. Stedet ble samlokalisert {date}, samme dag som kommunen ble samorganisert, så delene kan ikke skilles.",
        "est_parts": "samorganisering og samlokalisering",
        "est_parts_merger": "kommunesammenslåing, samorganisering og samlokalisering",
        "est_compare_inside": "Sammenligningen er {names} i samme kommune: samorganisert samme dag, men ikke samlokalisert.",
        "est_compare_outside": "Sammenligningen er {names} utenfor kommunen, siden ingen enhet i kommunen var uberørt.",
        "est_no_comparison": "Studien har ingen sammenligningssteder som kan brukes for dette stedet, så modellen har ingen kontrollserie og anslaget er svakere.",
        "est_in_washout": "Datoen ligger i den utelatte perioden «{label}» ({start}–{end}): effekten anslås ved å sammenligne tiden før perioden med tiden etter, og forutsetter at trenden holder over gapet.",
        "est_comparison": "{site} er ikke samlokalisert. Stedet brukes som sammenligning for andre steder og får ikke noe eget effektanslag; tallene her er beskrivende.",
        "est_service_centre": "{site} er et innbyggertorg uten bibliotekstatistikk. Rapporten beskriver innbyggertorget; den anslår ingen effekt.",
        "est_excluded": "{site} er holdt utenfor analysene (rolle «excluded» i stedsregisteret); rapporten er beskrivende og anslår ingen effekt.",
        "key_headline": "Besøket var om lag {size} {direction} enn forventet uten samlokalisering i {span} (95 % KI {low} til {high}; {label}); før var det om lag {base} besøk i måneden. Robusthet: {verdict}.",
        "key_no_headline": "Gjennomsnittlig effekt etter den utelatte perioden kunne ikke beregnes for dette stedet.",
        "higher": "høyere",
        "lower": "lavere",
        "col_avg_change": "Besøk mot forventet",
        "sens_leave_out": "Uten {name} i sammenligningen",
        "sens_no_headline": "Det finnes ikke noe hovedanslag å prøve følsomheten til.",
        "sens_verdict": "Vurdering: {verdict}.",
        "sens_rule": "Regelen: anslaget er robust når alle variantene har samme fortegn og intervaller som overlapper hovedanalysens; ellers er det skjørt, og variantene det avhenger av er nevnt.",
        "sens_not_fitted": "Varianter som ikke kunne beregnes: {names}.",
        "col_estimand": "Hva som anslås",
        "estimand_bundle": "samlet (sammenslåing, samorganisering, samlokalisering)",
        "estimand_co_location": "samlokalisering gitt samorganisering",
        "key_holm": "Justert for at hovedutfallet testes ved {k} steder (Holm): {p}.",
        "its_headline": "hovedanslaget, gjennomsnittet etter den utelatte perioden",
        "visits_subject": "besøket",
        "its_level_change": "Teknisk tillegg (utforskende): nivåendringen på selve datoen. {sentence}",
        "key_heading": "Hovedfunn",
        "key_never": "Stedet er ikke samlokalisert; det brukes som sammenligning for de andre stedene.",
        "key_events": "Arrangementer: {before} i {baseline} og {after} i {year} ({label}, beskrivende tall uten modell).",
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
        "report_for": "{name} – {topic}",
        "report_for_part": "{name} ({kind}) – one of the sites in the study of {topic}",
        "topic_default": "co-organised library and citizen service centre",
        "washout": "Left-out period",
        "municipality_one": "municipality",
        "municipality_many": "municipalities",
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
            "every site alike, such as shared swings in visits, then drops out, and the effect is the "
            "change relative to these sites."
        ),
        "its_no_control": (
            "The study has no site that was never co-located, so the model has no control series. Changes that "
            "hit every site at once, such as shared swings in visits, may therefore be part of the estimate."
        ),
        "its_none": (
            "This site has no co-location or co-organisation date, so there is no change to analyse here. "
            "It can serve as a comparison for other sites."
        ),
        "its_nodata": "There are no monthly visit counts for this site in the data.",
        "its_failed": "The model could not be fitted: {error}",
        "caveats": "Method and caveats",
        "caveat_washout": (
            "{label}: the months {start}–{end} are left out of the model (grey band in the figure), so the "
            "effect is estimated from the time before and after."
        ),
        "caveat_few": (
            "Only {n} {municipalities} made this reorganisation in the data. Results for one site describe this "
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
        "prov_inputs": "Raw data: {n} files, combined checksum (SHA-256; each file is listed in manifest.json)",
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
            "Figures are yearly sums; a year with a missing month is scaled up from the months it has."
        ),
        "place_note": (
            "Visits per inhabitant of the catchment ({pop} inhabitants according to the site registry; the same figure for every year)."
        ),
        'syn_intro': "The synthesis brings the results of every site together: how much visits changed at each co-located site, the combined effect with its uncertainty, what may explain the differences, how the municipalities compare with the rest of the country, and how strong the evidence is for each of the project's six aims.",
        'syn_survey_heading': "Users' experience before and after",
        'syn_evidence_heading': "Evidence map: the project's six aims",
        "site": "Site",
        "col_change": "Change in visits",
        "col_ci": "95% CI",
        "col_p_holm": "p (Holm-adjusted)",
        "col_estimate": "Estimate",
        'aim2_short': "2 Users' experience",
        "no_survey": "The site has no answers in the user surveys in the data.",
        "col_item": "Question",
        "col_top_two": "Satisfied or very satisfied {wave}",
        "n_wave": "{n} answers in {wave}",
        "survey_note": "The share answering «Fornøyd» (satisfied) or «Svært fornøyd» (very satisfied); «Vet ikke» (don't know) is left out. Respondents: {counts}. Mean scores are not the main measure because the answers are ordered categories.",
        "survey_no_change": "There are not two survey waves and comparison sites, so the change cannot be estimated.",
        "survey_before_colocation": "The latest survey wave was carried out before the site was co-located, so it cannot show a change after co-location.",
        "col_pp_change": "Change (percentage points)",
        "survey_change_note": "The change in the share satisfied/very satisfied from {before} to {after} here, beyond the change at sites never co-located ({names}), from an ordinal logistic model (exploratory). With one site and few comparison sites the intervals are model-based and probably too narrow.",
        "sens_heading": "Sensitivity analysis: does the estimate depend on the left-out periods and the comparison?",
        "sens_variant": "Variant",
        "sens_main": "Main analysis (as pre-specified)",
        "sens_also_left_out": "Also left out: {windows}",
        "sens_none": "The study has no alternative variants to compare with (no left-out periods and no comparison sites).",
        "sens_no_control": "Without comparison sites",
        "sens_with_washout": "The left-out months included",
        "sens_stable": "The variants give about the same estimate (less than 5 percentage points apart): the result depends little on how the left-out periods and the comparison are handled.",
        "sens_fragile": "The variants give different estimates: the result depends on how the left-out periods and the comparison are handled, and should be read with caution.",
        "did_heading": "Comparison with sites that were not co-located",
        "did_none": "The site was not co-located, so there is no difference-in-differences analysis for it.",
        "did_change": "Difference in differences ({label}): after co-location, yearly visits were about {size} {direction} than the comparison sites' development implies; {ci}; {p}.",
        "did_ci": "95% CI {low} to {high}",
        "did_unbounded": "with {n} possible assignments the permutation test cannot bound an interval",
        "did_unbounded_plain": "the method cannot bound an interval with so few sites",
        "did_no_comparison": "The study has no comparison site that can serve for this site, so there is no difference-in-differences analysis for it.",
        "did_note": "Yearly visits (log) at the site and the sites never co-located, before and after. The left-out years and the year of co-location are not used. The p-value is from a permutation test: with so few sites it cannot become small; that is a limit of the design, not a finding.",
        "log_visits": "Visits per year",
        "caveat_plan": "Analysis plan (pre-specified): {plan}. Results labelled «pre-specified» follow this plan; all others are exploratory. The p-values of the primary outcome are adjusted for multiple testing across sites in the synthesis report (Holm).",
        "event_ylabel": "Difference in visits",
        "event_heading": "Year by year before and after co-location",
        "event_note": "Each point is the difference from the comparison sites that year, measured against the year before co-location. Points before co-location should lie near zero; if they do not, the site already stood out before, and the effect above is uncertain. The left-out years are not used (exploratory).",
        "washout_years_note": "These periods are left out of the models and mark the figures for those years: {windows}.",
        "not_estimated": "Not estimated – {why}",
        "model_warning": "Note from the model fit: {message}",
        "event_no_panel": "there are no whole years of visit counts for the site and at least one comparison site",
        "event_not_estimated": "The year-by-year analysis could not be made: {why}.",
        "est_co_location": "What the data can show: for {site} we estimate the effect of co-location on {date}, given that the library and the citizen service centre were already co-organised ({organised}).",
        "est_bundle": "What the data can show: for {site} we can only estimate the effect of {parts} together. The site was co-located on {date}, the day the municipality was co-organised, so the parts cannot be told apart.",
        "est_parts": "co-organisation and co-location",
        "est_parts_merger": "the municipal merger, co-organisation and co-location",
        "est_compare_inside": "The comparison is {names} in the same municipality: co-organised on the same day, but not co-located.",
        "est_compare_outside": "The comparison is {names} outside the municipality, since no unit within it was untouched.",
        "est_no_comparison": "The study has no comparison site that can serve for this site, so the model has no control series and the estimate is weaker.",
        "est_in_washout": "The date lies in the left-out period «{label}» ({start}–{end}): the effect is estimated by comparing the time before the period with the time after, and assumes the trend holds across the gap.",
        "est_comparison": "{site} was not co-located. It serves as a comparison for other sites and gets no effect estimate of its own; the figures here are descriptive.",
        "est_service_centre": "{site} is a citizen service centre without library statistics. The report describes the service centre; it estimates no effect.",
        "est_excluded": "{site} is left out of the analyses (role «excluded» in the site registry); the report is descriptive and estimates no effect.",
        "key_headline": "Visits were about {size} {direction} than expected without co-location in {span} (95% CI {low} to {high}; {label}); before, there were about {base} visits a month. Robustness: {verdict}.",
        "key_no_headline": "The average effect after the left-out period could not be computed for this site.",
        "higher": "higher",
        "lower": "lower",
        "col_avg_change": "Visits against expected",
        "sens_leave_out": "Without {name} in the comparison",
        "sens_no_headline": "There is no main estimate whose sensitivity could be tested.",
        "sens_verdict": "Verdict: {verdict}.",
        "sens_rule": "The rule: the estimate is robust when every variant has the same sign and an interval that overlaps the main analysis's; otherwise it is fragile, and the variants it depends on are named.",
        "sens_not_fitted": "Variants that could not be computed: {names}.",
        "col_estimand": "What is estimated",
        "estimand_bundle": "the bundle (merger, co-organisation, co-location)",
        "estimand_co_location": "co-location given co-organisation",
        "key_holm": "Adjusted for testing the primary outcome at {k} sites (Holm): {p}.",
        "its_headline": "the main estimate, the average after the left-out period",
        "visits_subject": "visits",
        "its_level_change": "Technical addendum (exploratory): the level change on the date itself. {sentence}",
        "key_heading": "Key results",
        "key_never": "The site was never co-located; it serves as a comparison for the other sites.",
        "key_events": "Events: {before} in {baseline} and {after} in {year} ({label}, descriptive figures without a model).",
        "key_self_service": "{share} of opening hours in {year} were self-service hours.",
        "key_inquiries": "{share} of {n} recorded inquiries in {year} were resolved at first contact.",
        "key_none": "The site has too little data for key results.",
        "prespecified": "pre-specified",
        "exploratory": "exploratory",
        "survey_missing": "Results from the user surveys will come in a later version of the report.",
        "synthetic_note": "Every number in this report is synthetic demo data made to show how samorg works.",
    },
}

def _merge() -> None:
    from samorg.report.text_anatomy import ANATOMY
    from samorg.report.text_synthesis import SYNTHESIS

    for part in (ANATOMY, SYNTHESIS):
        for lang, words in part.items():
            TEXTS[lang].update(words)


_merge()
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
    "qualitative_segments": ("Kodede kvalitative utsagn", "Coded qualitative statements"),
}


_NUMBER_WORDS = {
    "nb": ("null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv"),
    "en": ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
}


def number_word(n: int, lang: str = "nb") -> str:
    """A small count in words, as prose writes it ("tre steder"); digits from 13 on."""
    words = _NUMBER_WORDS["en" if lang == "en" else "nb"]
    return words[n] if 0 <= n < len(words) else str(n)


def join_names(names: list[str] | tuple[str, ...], lang: str = "nb") -> str:
    """"A, B og C" / "A, B and C"."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + (" og " if lang == "nb" else " and ") + names[-1]


def label(key: str, lang: str = "nb") -> str:
    """The reader-facing name of an indicator or table (the id itself when none is known)."""
    pair = LABELS.get(key)
    return key if pair is None else pair[0 if lang == "nb" else 1]


def t(key: str, lang: str = "nb", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``values`` filled in."""
    if lang not in TEXTS:
        raise ValueError(f"Unknown report language {lang!r}; expected one of {', '.join(LANGS)}.")
    return TEXTS[lang][key].format(**values) if values else TEXTS[lang][key]


def markdown(text: str):
    """``text`` as Markdown that Jupyter displays (and the renderers typeset)."""
    from IPython.display import Markdown

    return Markdown(text)


def heading(key: str, lang: str = "nb", level: int = 2):
    """The text for ``key`` as a Markdown heading of ``level`` (0: a plain paragraph)."""
    prefix = f"{'#' * level} " if level else ""
    return markdown(prefix + t(key, lang))
