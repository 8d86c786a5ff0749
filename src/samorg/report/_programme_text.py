"""Report words of :mod:`samorg.report.programme` (aim 3: programme theory, components, checklist), bokmål and English."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "question": "Forskningsspørsmål: Hvilke valg i utformingen av et samlokalisert bibliotek og innbyggertorg "
                    "henger sammen med bedre resultater, og hva bør en kommune tenke gjennom før den samlokaliserer?",
        "question_data": "Grunnlaget er hva hvert tiltakssted endret (stedsregisteret), stedenes effekter på besøk "
                         "med tillit, og brukerundersøkelsene.",
        "synergy": "Om komponentene virker sammen (synergi) krever steder med ulike kombinasjoner av dem; med {k} "
                   "tiltakssteder i {n} {municipalities} kan dataene ikke svare på det. Intervjuer med ansatte og "
                   "brukere kan belyse hvordan komponentene virker sammen.",
        "inputs": "Innsats", "activities": "Aktiviteter", "outputs": "Resultater", "outcomes": "Effekter",
        "co_organised": "Samorganisering av bibliotek og innbyggertorg",
        "co_located": "Samlokalisering ({k} av {n} steder)",
        "of_sites": "{k} av {n} tiltakssteder",
        "measured": "primærindikator",
        "component": "Komponent", "effect": "Effekt på besøk (95 % KI)", "grade": "Tillit",
        "survey_row": "{item}: andel i de to øverste kategoriene (95 % KI; n), basisår → siste runde",
        "yes": "ja", "no": "nei", "unknown": "ikke oppgitt",
        "no_components": "Stedsregisteret oppgir ingen komponenter for tiltaksstedene, så tabellen kan ikke lages. "
                         "Legg inn «components:» per sted (se docs/config.md).",
        "no_effect": "ingen effekt anslått",
        "none_had": "Ingen tiltakssteder hadde dette ifølge registeret, så dataene har ingen erfaring med det å vise "
                    "til.",
        "all_had": "Alle tiltakssteder med opplysningen hadde dette ({with_}), så ingen steder uten kan sammenlignes: "
                   "dataene kan ikke si hva komponenten alene betyr.",
        "confounded": "Stedene med komponenten ({with_}) og stedene uten ({without}) ligger i ulike kommuner, så "
                      "komponenten kan ikke skilles fra alt annet som skiller kommunene.",
        "shared": "Alle tiltakssteder i {munis} hadde komponenten, så der er den sammenfallende med kommunens "
                  "øvrige valg.",
        "contrast": "Med komponenten ({with_}): besøk mot forventet i snitt {a}; uten ({without}): {b}. "
                    "Forskjellen er beskrivende: for få steder til å skille komponenten fra andre forskjeller.",
        "not_recorded": "Ikke oppgitt for: {names}.",
        "findings_note": "Effektene er effekter av hele endringen på hvert sted, ikke av enkeltkomponenter. "
                         "Tilliten til en komponent er den laveste blant stedene som hadde den, ett trinn lavere "
                         "når komponenten ikke kan skilles ut.",
        "trade_head": "Det dataene viser som gevinster og kostnader, lest som valg i utformingen:",
        "trade_visits": "Besøket var om lag {change} høyere enn forventet uten samlokalisering (samlet anslag, "
                        "95 % KI {low} til {high}).",
        "trade_visits_down": "Besøket var om lag {change} lavere enn forventet uten samlokalisering (samlet anslag, "
                             "95 % KI {low} til {high}).",
        "trade_visits_unclear": "Samlet anslag for besøket: {change} (95 % KI {low} til {high}); intervallet "
                                "omfatter ingen effekt, så en gevinst i besøk er ikke vist.",
        "trade_item_down": "Andelen i de to øverste kategoriene på «{item}» var om lag {pp} prosentpoeng lavere enn "
                           "ventet ut fra endringen ved steder som ikke er samlokalisert (95 % KI {low} til "
                           "{high}; {kind}).",
        "trade_item_up": "Andelen i de to øverste kategoriene på «{item}» var om lag {pp} prosentpoeng høyere enn "
                         "ventet ut fra endringen ved steder som ikke er samlokalisert (95 % KI {low} til "
                         "{high}; {kind}).",
        "trade_hours": "{k} av {n} tiltakssteder hadde færre betjente timer etter endringen (i snitt {before} → "
                       "{after} timer i uka), mens {m} hadde meråpent bibliotek: mer åpent, mindre betjent.",
        "trade_choice": "Det som ble dårligere vurdert eller redusert, er det en kommune som samlokaliserer bør "
                        "planlegge for fra starten, for eksempel soner for ro og betjening når behovet er størst; "
                        "dataene viser ikke hvilke tiltak som hjelper mot det.",
        "trade_none": "Dataene viser ingen tydelige avveininger: ingen indikator gikk tydelig ned mens besøket gikk "
                      "opp.",
        "check_intro": "Generert fra stedsregisteret og resultatene. Tillit etter samme regel som ellers i rapporten; "
                       "«ikke undersøkt» der ingen tiltakssteder hadde komponenten.",
        "not_examined": "ikke undersøkt",
        "check_line": "**{label}** – {k} av {n} tiltakssteder. Tillit: {grade}. {why}",
        "check_always": "**Mål før og etter** – tell besøk, arrangementer og henvendelser med samme metode fra "
                        "minst ett år før endringen; uten det kan ingen effekt anslås.",
        "why_sites": "Besøk mot forventet på stedene som hadde den: i snitt {a}",
        "why_not_separable": "komponenten kan ikke skilles fra resten av endringen",
        "why_none": "Ingen erfaring å bygge på i disse dataene.",
        "figure_alt": "Programteorien fra innsats via aktiviteter og resultater til effekter; tallene i "
                      "boksene er hvor mange tiltakssteder som hadde hver komponent.",
        "figure_source": "stedsregisteret og studiens indikatorer",
    },
    "en": {
        "question": "Research question: Which design choices of a co-located library and service centre go with "
                    "better results, and what should a municipality think through before co-locating?",
        "question_data": "The evidence is what each treated site changed (the site registry), the sites' effects on "
                         "visits with their certainty, and the user surveys.",
        "synergy": "Whether the components work together (synergy) needs sites with different combinations of them; "
                   "with {k} treated sites in {n} {municipalities} the data cannot answer it. Interviews with staff "
                   "and users can shed light on how the components work together.",
        "inputs": "Inputs", "activities": "Activities", "outputs": "Outputs", "outcomes": "Outcomes",
        "co_organised": "Co-organising library and service centre",
        "co_located": "Co-location ({k} of {n} sites)",
        "of_sites": "{k} of {n} treated sites",
        "measured": "primary indicator",
        "component": "Component", "effect": "Effect on visits (95 % CI)", "grade": "Certainty",
        "survey_row": "{item}: share in the two most positive categories (95 % CI; n), baseline → last wave",
        "yes": "yes", "no": "no", "unknown": "not recorded",
        "no_components": "The site registry records no components for the treated sites, so the table cannot be "
                         "made. Add «components:» per site (see docs/config.md).",
        "no_effect": "no effect estimated",
        "none_had": "No treated site had this according to the registry, so the data hold no experience of it.",
        "all_had": "Every treated site with the information had this ({with_}), so there is no site without it to "
                   "compare with: the data cannot say what the component alone does.",
        "confounded": "The sites with the component ({with_}) and those without ({without}) are in different "
                      "municipalities, so the component cannot be told apart from everything else that differs "
                      "between the municipalities.",
        "shared": "Every treated site in {munis} had the component, so there it coincides with the municipality's "
                  "other choices.",
        "contrast": "With the component ({with_}): visits against expected on average {a}; without ({without}): "
                    "{b}. The difference is descriptive: too few sites to separate the component from other "
                    "differences.",
        "not_recorded": "Not recorded for: {names}.",
        "findings_note": "The effects are effects of the whole change at each site, not of single components. A "
                         "component's certainty is the lowest among the sites that had it, one step lower when the "
                         "component cannot be separated.",
        "trade_head": "What the data show as gains and costs, read as design choices:",
        "trade_visits": "Visits were about {change} higher than expected without co-location (combined estimate, "
                        "95 % CI {low} to {high}).",
        "trade_visits_down": "Visits were about {change} lower than expected without co-location (combined "
                             "estimate, 95 % CI {low} to {high}).",
        "trade_visits_unclear": "Combined estimate for visits: {change} (95 % CI {low} to {high}); the interval "
                                "includes no effect, so a gain in visits is not shown.",
        "trade_item_down": "The share in the two most positive categories on «{item}» was about {pp} percentage "
                           "points lower than expected from the change at sites not co-located (95 % CI {low} to "
                           "{high}; {kind}).",
        "trade_item_up": "The share in the two most positive categories on «{item}» was about {pp} percentage "
                         "points higher than expected from the change at sites not co-located (95 % CI {low} to "
                         "{high}; {kind}).",
        "trade_hours": "{k} of {n} treated sites had fewer staffed hours after the change (on average {before} → "
                       "{after} hours a week), while {m} had self-service opening: open longer, staffed less.",
        "trade_choice": "What was rated worse or reduced is what a municipality that co-locates should plan for from "
                        "the start, for example zones for calm and staff when the need is greatest; the data do not "
                        "show which measures help against it.",
        "trade_none": "The data show no clear trade-offs: no indicator clearly fell while visits rose.",
        "check_intro": "Generated from the site registry and the results. Certainty by the same rule as elsewhere in "
                       "the report; «not examined» where no treated site had the component.",
        "not_examined": "not examined",
        "check_line": "**{label}** – {k} of {n} treated sites. Certainty: {grade}. {why}",
        "check_always": "**Measure before and after** – count visits, events and inquiries the same way from at "
                        "least a year before the change; without that no effect can be estimated.",
        "why_sites": "Visits against expected at the sites that had it: on average {a}",
        "why_not_separable": "the component cannot be separated from the rest of the change",
        "why_none": "No experience to build on in these data.",
        "figure_alt": "The programme theory from inputs via activities and outputs to outcomes; the numbers in "
                      "the boxes are how many treated sites had each component.",
        "figure_source": "the site registry and the study's indicators",
    },
}
