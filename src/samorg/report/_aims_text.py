"""Report words of :mod:`samorg.report.aims` (aims 4–6, loans, the service centre), bokmål and English."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "nb": {
        # aim 4
        "q4": "Forskningsspørsmål: Er biblioteket fortsatt en selvstendig møteplass, et sted å være uten ærend, "
              "etter samlokaliseringen?",
        "col_indicator": "Indikator", "col_before": "Før (basisår)", "col_after": "Etter (siste år)",
        "col_status": "Status",
        "primary": "forhåndsspesifisert", "exploratory": "utforskende",
        "ind_survey": "Andel i de to øverste kategoriene: {item} (95 % KI; n svar)",
        "ind_events": "Arrangementer per 1 000 innbyggere",
        "ind_attendance": "Deltakere på arrangementer per 1 000 innbyggere",
        "ind_self_service": "Andel av besøkene i meråpen tid",
        "of_visits": "av {n} talte besøk",
        "none4": "Stedet har verken svar på møteplass-spørsmålet eller tall for arrangementer og meråpen tid fra "
                 "både basisåret og senere, så målet kan ikke besvares her.",
        "note4": "Andeler fra undersøkelsen vises med 95 % konfidensintervall (Wilson) og antall svar; runder med "
                 "færre svar enn terskelen for små tall vises ikke. Arrangementer og besøk er tellinger, ikke "
                 "utvalg, og har derfor ikke utvalgsusikkerhet; per 1 000 innbyggere regnes mot nedslagsfeltets "
                 "befolkning det året.",
        "no_primary_here": "Den forhåndsspesifiserte indikatoren («{item}») har for få svar på dette stedet til "
                           "å "
                           "vises.",
        "interp_one_wave": "Undersøkelsen har bare én runde her, så endringen kan ikke vurderes.",
        "interp_up": "Tolkning: Andelen som svarte positivt på «{item}» var høyere i siste runde enn i første; "
                     "intervallene overlapper ikke.",
        "interp_down": "Tolkning: Andelen som svarte positivt på «{item}» var lavere i siste runde enn i første; "
                       "intervallene overlapper ikke. Flere besøkende kan gjøre rommet mindre egnet som et sted å "
                       "være.",
        "interp_flat": "Tolkning: Andelen som svarte positivt på «{item}» endret seg ikke tydelig; intervallene "
                       "overlapper. Før/etter på ett sted skiller ikke samlokaliseringen fra andre endringer.",
        "cannot4": "Dette kan ikke tallene svare på: hvem som kommer uten ærend, hvor lenge de blir og hva de gjør. "
                   "Observasjon og intervjuer kan.",
        # aim 5
        "q5": "Forskningsspørsmål: Bidrar stedet til stedsutvikling, målt som bruk i forhold til "
              "befolkningen rundt?",
        "col_catchment": "Befolkning i nedslagsfeltet",
        "col_vpi_site": "Besøk per innbygger, {name}",
        "col_vpi_muni": "Besøk per innbygger, {name} kommune",
        "col_vpi_nation": "Besøk per innbygger, alle kommuner",
        "pop_scaled": "Nedslagsfeltets befolkning er registerets tall for basisåret {base}, framskrevet hvert år med "
                      "kommunens befolkningsvekst (SSBs befolkningstall).",
        "pop_constant": "Befolkningstallene mangler, så registerets tall for nedslagsfeltet er brukt for alle år; "
                        "besøk per innbygger følger da bare besøket.",
        "trend5": "Fra {a} til {b} endret besøk per innbygger seg med {site} i {name}, {m} i {muni} kommune og "
                  "{n} i alle kommuner samlet. Dette er beskrivende tall, ikke en effekt.",
        "cannot5": "Dette kan ikke tallene vise: om stedet rundt har fått mer liv, om handel og andre tjenester har "
                   "fulgt med, eller hvordan stedet oppleves. Intervjuer og lokale plandokumenter kan.",
        "no_catchment": "Registeret oppgir ikke nedslagsfeltets befolkning for stedet, så besøk per innbygger kan "
                        "ikke regnes.",
        "no_visits": "Stedet har ikke hele år med besøkstall, så besøk per innbygger kan ikke regnes.",
        "no_figure5": "Figuren krever besøk per innbygger i basisåret; det mangler for dette stedet.",
        "legend_muni": "Kommunen", "legend_nation": "Alle kommuner",
        "cap5": "Besøk per innbygger i {site}, i kommunen og i alle kommuner, som indeks med {base} = 100; årene "
                "som er holdt utenfor modellene vises som åpne punkter uten linje.",
        "src5": "stedets besøkstall, Nasjonalbibliotekets bibliotekstatistikk og SSBs befolkningstall",
        "cap6": "Fordelingen over alle kommuner av {indicators} i siste år med tall; tiltakskommunene er markert "
                "med loddrette linjer.",
        "src6": "Nasjonalbibliotekets bibliotekstatistikk og SSBs befolkningstall",
        "index_label": "Besøk per innbygger ({base} = 100)",
        "col_site": "Sted", "col_change": "Endring {a}–{b}",
        "ov5_note": "Besøk per innbygger i nedslagsfeltet (befolkningen framskrevet med kommunens vekst), endring "
                    "fra basisåret til siste år, ved siden av kommunen og alle kommuner. Beskrivende tall, ikke "
                    "effekter; stedsrapportene viser hvert år.",
        "ov5_none": "Ingen tiltakssteder har både besøk og nedslagsfeltets befolkning i basisåret og senere.",
        "ov4_note": "Andel i de to øverste kategoriene på det forhåndsspesifiserte møteplass-spørsmålet ved "
                    "hvert tiltakssted, med 95 % KI (Wilson) og antall svar. Sammenligningen med steder som ikke er "
                    "samlokalisert står i avsnittet om brukerundersøkelsen.",
        "ov4_none": "Studien har ikke et forhåndsspesifisert møteplass-spørsmål med svar fra tiltaksstedene.",
        # loans and the service centre
        "no_loans": "Stedet har ingen utlånstall.",
        "loans_change": "Utlån i snitt per år: {a} i {pre} og {b} i {post} ({change}). Beskrivende: ingen "
                        "sammenligning med steder uten endring.",
        "loans_note": "År med en manglende måned er regnet opp fra månedene som finnes.",
        "no_inquiries": "Stedet har ingen henvendelseslogg.",
        "inq_no_change": "Stedet har ingen endringsdato i registeret, så det er ikke noe før og etter å "
                         "sammenligne.",
        "inq_no_before": "Henvendelsesloggen starter {start}, etter endringen ({date}). Derfor kan henvendelsene "
                         "ikke sammenlignes før og etter; tallene beskriver bare tiden etter.",
        "inq_short": "Loggen har ikke hele år både før og etter endringen ({date}), så før og etter kan ikke "
                     "sammenlignes.",
        "inq_change": "Henvendelser i snitt per år: {a} i {ya} og {b} i {yb} ({change}). Beskrivende: kanaler og "
                      "registreringspraksis kan ha endret seg samtidig.",
        "col_fcr": "Løst ved første kontakt (95 % KI; n henvendelser)",
        "fcr_note": "Intervallene er Wilson-intervaller; loggen er et utvalg av henvendelsene.",
        "fcr_hidden": "{n} år med færre enn {k} henvendelser vises ikke.",
        "fcr_small": "Ingen år har minst {k} henvendelser, så andelen vises ikke.",
        # aim 6
        "q6": "Forskningsspørsmål: Hvor ligger tiltakskommunene blant alle kommuner på de nasjonale "
              "bibliotekindikatorene, og hva kan den nasjonale debatten lære av dem?",
        "nat_none": "Den nasjonale bibliotekstatistikken mangler i de bearbeidede dataene, så kommunene kan ikke "
                    "plasseres.",
        "col_muni": "Kommune", "col_value": "Verdi {year}", "col_rank_in": "Plass {year}",
        "col_similar": "Mest like før endringen",
        "rank": "{r} av {n}",
        "nat_note": "Plass 1 er høyest. «Mest like» er de fem kommunene nærmest i årene før endringen ({years}) "
                    "på indikatorene i tabellen og folketallet (standardiserte verdier, euklidsk avstand).",
        "vpi": "Besøk per innbygger", "epk": "Arrangementer per 1 000 innbyggere",
        "lpi": "Førstegangslån per innbygger",
        "nat_figure_title": "{indicator}, {year}",
        "debate_allows": "Dette tillater dataene å si:",
        "debate_not": "Dette tillater de ikke:",
        "allow_visits": "Der biblioteket og innbyggertorget ble samlokalisert, var besøket om lag {change} "
                        "høyere enn forventet (95 % KI {low} til {high}; tillit: {grade}).",
        "allow_visits_down": "Der biblioteket og innbyggertorget ble samlokalisert, var besøket om lag {change} "
                             "lavere enn forventet (95 % KI {low} til {high}; tillit: {grade}).",
        "not_visits": "Å si at samlokaliseringen endret besøket: det samlede anslaget ({change}, 95 % KI {low} til "
                      "{high}; tillit: {grade}) omfatter ingen effekt.",
        "allow_survey_up": "Andelen i de to øverste kategoriene på «{item}» var om lag {pp} prosentpoeng høyere ved "
                           "samlokaliserte steder enn ventet ut fra endringen ved steder som ikke ble samlokalisert "
                           "(95 % KI {low} til {high}; tillit: {grade}).",
        "allow_survey_down": "Andelen i de to øverste kategoriene på «{item}» var om lag {pp} prosentpoeng lavere ved "
                             "samlokaliserte steder enn ventet ut fra endringen ved steder som ikke ble samlokalisert "
                             "(95 % KI {low} til {high}; tillit: {grade}).",
        "allow_survey_flat": "På «{item}» viser dataene ingen tydelig forskjell mellom samlokaliserte steder og steder "
                             "som ikke ble samlokalisert (95 % KI {low} til {high} prosentpoeng; tillit: {grade}).",
        "allow_synth_up": "I {name} var besøket om lag {est} besøk per innbygger høyere i årene etter {year} enn i en "
                          "syntetisk kontroll av andre kommuner (95 % KI {low} til {high}; nivå før: {level}; tillit: "
                          "{grade}); anslaget gjelder {what} samlet, og pandemien overlapper.",
        "allow_synth_down": "I {name} var besøket om lag {est} besøk per innbygger lavere i årene etter {year} enn i en "
                            "syntetisk kontroll av andre kommuner (95 % KI {low} til {high}; nivå før: {level}; "
                            "tillit: {grade}); anslaget gjelder {what} samlet, og pandemien overlapper.",
        "the_change": "endringen",
        "not_generalise": "Å generalisere til andre kommuner: bare {n} {municipalities} gjorde endringen i dataene, "
                          "og ingen tillit er høyere enn «{best}».",
        "not_bundle": "Å skille samlokaliseringen fra sammenslåingen og samorganiseringen der de skjedde samtidig "
                      "({names}).",
        "not_components": "Å si hvilke enkeltkomponenter som virker: {names} kan ikke skilles fra resten av "
                          "endringen.",
        "not_national": "Å anslå en nasjonal effekt: sammenligningen med alle kommuner gir ingen effekt med "
                        "avgrenset usikkerhet.",
        "debate_close": "Debatten bør derfor lese tallene som erfaringer fra konkrete steder, med tillit på høyst "
                        "«{best}», ikke som bevis for at samlokalisering virker overalt.",
        "transfer_sites": "Besøket var høyere enn forventet på {k} av {n} tiltakssteder; på {j} av dem utelukker "
                          "95 %-intervallet at besøket var uendret. Anslagene spenner fra {low} til {high}.",
        "transfer_costs": "Samtidig ble {items} dårligere vurdert ved samlokaliserte steder enn ved steder som ikke "
                          "ble samlokalisert (utforskende).",
        "transfer_conclusion": "Konklusjon: Det som kan overføres, er retningen og erfaringene, ikke størrelsen. Med "
                               "{n} {municipalities} gir dataene ikke noe anslag for en ny kommune; et "
                               "prediksjonsintervall for et nytt sted ville hvile på {n} {municipalities} og vises "
                               "derfor ikke. En kommune som vurderer samlokalisering, kan bruke sjekklisten under som "
                               "spørsmål å ta stilling til, og bør selv måle bruk og brukeropplevelse før og etter.",
        # aims 4 and 5: the optional place exports (_aims_place.py)
        "pp": "{x} prosentpoeng",
        "no_borrowers": "Det finnes ikke noe uttrekk av aktive lånere etter bosted for dette stedet, så andelen "
                        "av nedslagsfeltet som nås, kan ikke vises.",
        "no_reach": "Aktive lånere kan ikke settes i forhold til nedslagsfeltet: registeret oppgir ikke "
                    "nedslagsfeltets befolkning, eller tallene er for små til å vises.",
        "col_borrowers": "Aktive lånere i nedslagsfeltet", "col_reach": "Andel av nedslagsfeltet",
        "reach_change": "Andelen av nedslagsfeltet som hadde minst ett lån i året, var {sa} i {a} og {sb} i {b} "
                        "({d}).",
        "reach_comparison": "Ved sammenligningsstedene endret andelen seg med {d} i gjennomsnitt i samme tidsrom, "
                            "en forskjell på {diff}; det er en beskrivende sammenligning, ikke et effektanslag.",
        "reach_note": "Aktive lånere er en telling av alle med minst ett lån i året som bor i nedslagsfeltet, "
                      "ikke et utvalg, og har derfor ikke utvalgsusikkerhet. Usikkerheten ligger i definisjonen "
                      "(lånekort til folk som har flyttet, familiekort) og i nedslagsfeltets befolkning, som er "
                      "framskrevet. År med færre aktive lånere enn terskelen for små tall vises ikke.",
        "reach_cannot": "Dette kan ikke tallene vise: om de nye låntakerne kom på grunn av innbyggertorget, eller "
                        "hvem som bruker stedet uten å låne. Intervjuer og lokale plandokumenter kan belyse det.",
        "no_hours": "Det finnes ingen timetall fra besøkstelleren for dette stedet, så besøket gjennom døgnet og "
                    "i betjent og meråpen tid kan ikke vises.",
        "col_sample": "Utvalgsdager", "sample_days": "{year} ({n} dager)",
        "col_staffed_day": "Besøk per dag i betjent tid (95 % KI)",
        "col_self_day": "Besøk per dag i meråpen tid (95 % KI)",
        "col_self_share": "Andel i meråpen tid (95 % KI)",
        "hours_note": "Tallene er fra besøkstellerens timetall i utvalgsukene, som gjennomsnitt per dag; "
                      "intervallene bygger på variasjonen mellom dagene og sier ikke noe om uker som ikke ble talt. "
                      "Endrede åpningstider flytter besøk mellom betjent og meråpen tid uten at det nødvendigvis "
                      "kommer flere.",
        "up": "høyere", "down": "lavere", "flat": "uten tydelig endring",
        "hours_interp": "Tolkning: Fra {a} til {b} var besøket per dag i betjent tid {staffed} og i meråpen tid "
                        "{self}.",
        "hours_overlap": "«Høyere» og «lavere» betyr at intervallene ikke overlapper.",
        "hours_caveat": "Før/etter på ett sted skiller ikke samlokaliseringen fra endrede åpningstider og andre "
                        "endringer.",
        "what_ind_service": "Andelen som kom for en kommunal tjeneste",
        "what_ind_also_library": "Andelen av dem som også brukte biblioteket",
        "errand_before_change": "Siste runde ({wave}) var før samlokaliseringen ({date}), så tabellen viser ingen "
                                "verdi etter samlokaliseringen.",
        "hours_cannot": "Dette kan ikke tallene vise: hvem som kommer for biblioteket og hvem for innbyggertorget, "
                        "hvor lenge de blir, eller hvordan stedet oppleves i meråpen tid. Observasjon og intervjuer "
                        "kan.",
        "hour_label": "Time på døgnet", "visits_hour_label": "Besøk per time",
        "cap_hours": "Gjennomsnittlig antall besøk per time gjennom døgnet i utvalgsdagene i {site}, {a} og {b}.",
        "src_hours": "besøkstellerens timetall for utvalgsukene",
        "no_errands": "Brukerundersøkelsen spurte ikke om kommunale ærend ved dette stedet, så andelen som kom for "
                      "en kommunal tjeneste og også brukte biblioteket, kan ikke vises.",
        "errand_head": "Kom for en kommunal tjeneste og brukte også biblioteket",
        "col_site_short": "Sted", "col_reach_change": "Andel av nedslagsfeltet som er aktive lånere",
        "col_service_last": "Kom for en kommunal tjeneste, siste runde (95 % KI; n)",
        "col_library_last": "Av dem: brukte også biblioteket (95 % KI; n)",
        "ov_place_none": "Ingen tiltakssteder har uttrekk av aktive lånere eller svar på spørsmålene om kommunale "
                         "ærend, så disse indikatorene kan ikke vises samlet.",
        "ov_place_note": "Aktive lånere er tellinger, ikke utvalg; andelene fra brukerundersøkelsen har 95 % KI "
                         "(Wilson) og antall svar, og andeler med for få svar vises ikke. Tallene er beskrivende, "
                         "ikke effekter; stedsrapportene viser årene og sammenligningen med andre steder.",
        "ind_service": "Andel av de spurte som kom for en kommunal tjeneste (95 % KI; n svar)",
        "ind_also_library": "Av dem: andel som også brukte biblioteket (95 % KI; n svar)",
        "too_few": "{wave}: færre enn {k} svar",
        "errand_interp": "Tolkning: {what} var {change} i siste runde enn i første (intervallene overlapper "
                         "ikke); det er en utforskende sammenligning på ett sted.",
        "errand_interp_flat": "Tolkning: {what} endret seg ikke tydelig fra første til siste runde; intervallene "
                              "overlapper.",
        "errand_note": "Andelene er fra brukerundersøkelsen, med 95 % konfidensintervall (Wilson) og antall svar; "
                       "andeler med færre enn {k} svar vises ikke. Før samlokaliseringen var det få som kom til "
                       "biblioteket for en kommunal tjeneste, så andelen som også brukte biblioteket har ofte ingen "
                       "førverdi.",
        "errand_cannot": "Dette kan ikke tallene vise: om de som kom for en tjeneste kommer tilbake for biblioteket "
                         "senere, eller hva de brukte biblioteket til. Intervjuer og observasjon kan.",
    },
    "en": {
        "q4": "Research question: Is the library still an independent meeting place, somewhere to be without an "
              "errand, after co-location?",
        "col_indicator": "Indicator", "col_before": "Before (baseline year)", "col_after": "After (last year)",
        "col_status": "Status",
        "primary": "pre-specified", "exploratory": "exploratory",
        "ind_survey": "Share in the two most positive categories: {item} (95 % CI; n answers)",
        "ind_events": "Events per 1,000 inhabitants",
        "ind_attendance": "Event attendance per 1,000 inhabitants",
        "ind_self_service": "Share of visits in self-service hours",
        "of_visits": "of {n} counted visits",
        "none4": "The site has neither answers to the meeting-place question nor counts of events and self-service "
                 "visits from both the baseline year and later, so the aim cannot be answered here.",
        "note4": "Survey shares are shown with their 95 % confidence interval (Wilson) and number of answers; waves "
                 "with fewer answers than the small-number threshold are not shown. Events and visits are counts, "
                 "not samples, and carry no sampling uncertainty; per 1,000 inhabitants uses the catchment's "
                 "population that year.",
        "no_primary_here": "The pre-specified indicator («{item}») has too few answers at this site to be shown.",
        "interp_one_wave": "The survey has only one wave here, so the change cannot be judged.",
        "interp_up": "Interpretation: The share answering positively on «{item}» was higher in the last wave than "
                     "in the first; the intervals do not overlap.",
        "interp_down": "Interpretation: The share answering positively on «{item}» was lower in the last wave than "
                       "in the first; the intervals do not overlap. More visitors can make the room less suited "
                       "as a place to be.",
        "interp_flat": "Interpretation: The share answering positively on «{item}» did not change clearly; the "
                       "intervals overlap. Before/after at one site does not separate co-location from other "
                       "changes.",
        "cannot4": "What these numbers cannot answer: who comes without an errand, how long they stay and what "
                   "they do. Observation and interviews can.",
        "q5": "Research question: Does the site contribute to place development, measured as use "
              "relative to the population around it?",
        "col_catchment": "Catchment population",
        "col_vpi_site": "Visits per inhabitant, {name}",
        "col_vpi_muni": "Visits per inhabitant, {name} municipality",
        "col_vpi_nation": "Visits per inhabitant, all municipalities",
        "pop_scaled": "The catchment population is the registry's number for the baseline year {base}, carried "
                      "forward each year with the municipality's population growth (Statistics Norway).",
        "pop_constant": "The population figures are missing, so the registry's catchment number is used for every "
                        "year; visits per inhabitant then only follow visits.",
        "trend5": "From {a} to {b}, visits per inhabitant changed by {site} in {name}, {m} in {muni} municipality "
                  "and {n} in all municipalities together. These are descriptive numbers, not an effect.",
        "cannot5": "What these numbers cannot show: whether the place around has become livelier, whether shops "
                   "and other services followed, or how the place is experienced. Interviews and local planning "
                   "documents can.",
        "no_catchment": "The registry gives no catchment population for the site, so visits per inhabitant cannot "
                        "be computed.",
        "no_visits": "The site has no complete years of visits, so visits per inhabitant cannot be computed.",
        "no_figure5": "The figure needs visits per inhabitant in the baseline year; it is missing for this site.",
        "legend_muni": "The municipality", "legend_nation": "All municipalities",
        "cap5": "Visits per inhabitant in {site}, in the municipality and in all municipalities, as an index with "
                "{base} = 100; the years left out of the models are shown as open points without a line.",
        "src5": "the site's visit counts, the National Library's library statistics and Statistics Norway's "
                "population figures",
        "cap6": "The distribution over all municipalities of {indicators} in the last year with data; the treated "
                "municipalities are marked with vertical lines.",
        "src6": "the National Library's library statistics and Statistics Norway's population figures",
        "index_label": "Visits per inhabitant ({base} = 100)",
        "col_site": "Site", "col_change": "Change {a}–{b}",
        "ov5_note": "Visits per inhabitant of the catchment (population carried forward with the municipality's "
                    "growth), change from the baseline year to the last year, beside the municipality and all "
                    "municipalities. Descriptive numbers, not effects; the site reports show every year.",
        "ov5_none": "No treated site has both visits and the catchment population in the baseline year and later.",
        "ov4_note": "Share in the two most positive categories on the pre-specified meeting-place question at each "
                    "treated site, with 95 % CI (Wilson) and the number of answers. The comparison with sites not "
                    "co-located is in the survey section.",
        "ov4_none": "The study has no pre-specified meeting-place question with answers from the treated sites.",
        "no_loans": "The site has no loan counts.",
        "loans_change": "Loans per year on average: {a} in {pre} and {b} in {post} ({change}). Descriptive: no "
                        "comparison with sites without the change.",
        "loans_note": "Years with a missing month are scaled up from the months they have.",
        "no_inquiries": "The site has no inquiry log.",
        "inq_no_change": "The site has no date of change in the registry, so there is no before and after to "
                         "compare.",
        "inq_no_before": "The inquiry log starts {start}, after the change ({date}). So inquiries cannot be "
                         "compared before and after; the numbers describe the time after only.",
        "inq_short": "The log has no complete years both before and after the change ({date}), so before and after "
                     "cannot be compared.",
        "inq_change": "Inquiries per year on average: {a} in {ya} and {b} in {yb} ({change}). Descriptive: channels "
                      "and recording practice may have changed at the same time.",
        "col_fcr": "Resolved at first contact (95 % CI; n inquiries)",
        "fcr_note": "The intervals are Wilson intervals; the log is a sample of the inquiries.",
        "fcr_hidden": "{n} years with fewer than {k} inquiries are not shown.",
        "fcr_small": "No year has at least {k} inquiries, so the share is not shown.",
        "q6": "Research question: Where do the treated municipalities sit among all municipalities on the national "
              "library indicators, and what can the national debate learn from them?",
        "nat_none": "The national library statistics are missing from the processed data, so the municipalities "
                    "cannot be placed.",
        "col_muni": "Municipality", "col_value": "Value {year}", "col_rank_in": "Rank {year}",
        "col_similar": "Most alike before the change",
        "rank": "{r} of {n}",
        "nat_note": "Rank 1 is the highest. «Most alike» are the five municipalities closest in the years before "
                    "the change ({years}) on the indicators of the table and population size (standardised values, "
                    "Euclidean distance).",
        "vpi": "Visits per inhabitant", "epk": "Events per 1,000 inhabitants", "lpi": "First-time loans per inhabitant",
        "nat_figure_title": "{indicator}, {year}",
        "debate_allows": "What the data allow us to say:",
        "debate_not": "What they do not allow:",
        "allow_visits": "Where the library and service centre were co-located, visits were about {change} higher "
                        "than expected (95 % CI {low} to {high}; certainty: {grade}).",
        "allow_visits_down": "Where the library and service centre were co-located, visits were about {change} "
                             "lower than expected (95 % CI {low} to {high}; certainty: {grade}).",
        "not_visits": "To say that co-location changed visits: the combined estimate ({change}, 95 % CI {low} to "
                      "{high}; certainty: {grade}) includes no effect.",
        "allow_survey_up": "The share in the two most positive categories on «{item}» was about {pp} percentage points "
                           "higher at co-located sites than expected from the change at sites not co-located (95 % CI "
                           "{low} to {high}; certainty: {grade}).",
        "allow_survey_down": "The share in the two most positive categories on «{item}» was about {pp} percentage "
                             "points lower at co-located sites than expected from the change at sites not co-located "
                             "(95 % CI {low} to {high}; certainty: {grade}).",
        "allow_survey_flat": "On «{item}» the data show no clear difference between co-located sites and sites not "
                             "co-located (95 % CI {low} to {high} percentage points; certainty: {grade}).",
        "allow_synth_up": "In {name}, visits were about {est} visits per inhabitant higher in the years after {year} "
                          "than in a synthetic control of other municipalities (95 % CI {low} to {high}; level before: "
                          "{level}; certainty: {grade}); the estimate is for {what} together, and the pandemic "
                          "overlaps.",
        "allow_synth_down": "In {name}, visits were about {est} visits per inhabitant lower in the years after {year} "
                            "than in a synthetic control of other municipalities (95 % CI {low} to {high}; level "
                            "before: {level}; certainty: {grade}); the estimate is for {what} together, and the "
                            "pandemic overlaps.",
        "the_change": "the change",
        "not_generalise": "To generalise to other municipalities: only {n} {municipalities} made the change in the "
                          "data, and no certainty is higher than «{best}».",
        "not_bundle": "To separate co-location from the merger and co-organisation where they happened together "
                      "({names}).",
        "not_components": "To say which single components work: {names} cannot be separated from the rest of the "
                          "change.",
        "not_national": "To estimate a national effect: the comparison with all municipalities gives no effect with "
                        "bounded uncertainty.",
        "debate_close": "The debate should therefore read the numbers as experience from particular places, with "
                        "certainty at most «{best}», not as proof that co-location works everywhere.",
        "transfer_sites": "Visits were higher than expected at {k} of {n} treated sites; at {j} of them the 95 % "
                          "interval rules out unchanged visits. The estimates range from {low} to {high}.",
        "transfer_costs": "At the same time {items} were rated worse at co-located sites than at sites not "
                          "co-located (exploratory).",
        "transfer_conclusion": "Conclusion: what carries over is the direction and the experience, not the size. "
                               "With {n} {municipalities} the data give no estimate for a new municipality; a "
                               "prediction interval for a new site would rest on {n} {municipalities} and is therefore "
                               "not shown. A municipality considering co-location can use the checklist below as "
                               "questions to settle, and should measure use and user experience before and after "
                               "itself.",
        # aims 4 and 5: the optional place exports (_aims_place.py)
        "pp": "{x} percentage points",
        "no_borrowers": "There is no export of active borrowers by area of residence for this site, so the share "
                        "of the catchment reached cannot be shown.",
        "no_reach": "Active borrowers cannot be set against the catchment: the registry gives no catchment "
                    "population, or the numbers are too small to show.",
        "col_borrowers": "Active borrowers in the catchment", "col_reach": "Share of the catchment",
        "reach_change": "The share of the catchment with at least one loan in the year was {sa} in {a} and {sb} "
                        "in {b} ({d}).",
        "reach_comparison": "At the comparison sites the share changed by {d} on average over the same years, a "
                            "difference of {diff}; this is a descriptive comparison, not an effect estimate.",
        "reach_note": "Active borrowers are a count of everyone with at least one loan in the year living in the "
                      "catchment, not a sample, so there is no sampling uncertainty. The uncertainty lies in the "
                      "definition (cards of people who moved, family cards) and in the catchment population, which "
                      "is projected. Years with fewer active borrowers than the small-cell threshold are not shown.",
        "reach_cannot": "What these numbers cannot show: whether new borrowers came because of the service centre, "
                        "or who uses the site without borrowing. Interviews and local planning documents can.",
        "no_hours": "There are no hourly people-counter data for this site, so visits through the day and in "
                    "staffed and self-service hours cannot be shown.",
        "col_sample": "Sample days", "sample_days": "{year} ({n} days)",
        "col_staffed_day": "Visits per day in staffed hours (95% CI)",
        "col_self_day": "Visits per day in self-service hours (95% CI)",
        "col_self_share": "Share in self-service hours (95% CI)",
        "hours_note": "From the people counter's hourly counts in the sample weeks, as means per day; the intervals "
                      "rest on the variation between days and say nothing about weeks not counted. Changed opening "
                      "hours move visits between staffed and self-service time without necessarily adding any.",
        "up": "higher", "down": "lower", "flat": "without a clear change",
        "hours_interp": "Interpretation: from {a} to {b}, visits per day were {staffed} in staffed hours and {self} "
                        "in self-service hours.",
        "hours_overlap": "'Higher' and 'lower' mean that the intervals do not overlap.",
        "hours_caveat": "A before/after at one site does not separate co-location from changed opening hours and "
                        "other changes.",
        "what_ind_service": "The share who came for a municipal service",
        "what_ind_also_library": "The share of them who also used the library",
        "errand_before_change": "The last wave ({wave}) was before co-location ({date}), so the table shows no value "
                                "after co-location.",
        "hours_cannot": "What these numbers cannot show: who comes for the library and who for the service centre, "
                        "how long they stay, or how the site feels in self-service hours. Observation and "
                        "interviews can.",
        "hour_label": "Hour of day", "visits_hour_label": "Visits per hour",
        "cap_hours": "Mean visits per hour through the day on the sample days at {site}, {a} and {b}.",
        "src_hours": "the people counter's hourly counts for the sample weeks",
        "no_errands": "The user survey did not ask about municipal errands at this site, so the share who came for a "
                      "municipal service and also used the library cannot be shown.",
        "errand_head": "Came for a municipal service and also used the library",
        "col_site_short": "Site", "col_reach_change": "Share of the catchment who are active borrowers",
        "col_service_last": "Came for a municipal service, last wave (95% CI; n)",
        "col_library_last": "Of them: also used the library (95% CI; n)",
        "ov_place_none": "No treated site has an export of active borrowers or answers to the questions on municipal "
                         "errands, so these indicators cannot be shown together.",
        "ov_place_note": "Active borrowers are counts, not samples; the survey shares have 95% CIs (Wilson) and the "
                         "number of answers, and shares with too few answers are not shown. The numbers describe; "
                         "they are not effects. The site reports show the years and the comparison with other "
                         "sites.",
        "ind_service": "Share of respondents who came for a municipal service (95% CI; n answers)",
        "ind_also_library": "Of them: share who also used the library (95% CI; n answers)",
        "too_few": "{wave}: fewer than {k} answers",
        "errand_interp": "Interpretation: {what} was {change} in the last wave than in the first (the intervals "
                         "do not overlap); an exploratory comparison at one site.",
        "errand_interp_flat": "Interpretation: {what} did not change clearly from the first to the last wave; the "
                              "intervals overlap.",
        "errand_note": "Shares from the user survey, with 95% confidence interval (Wilson) and the number of "
                       "answers; shares with fewer than {k} answers are not shown. Before co-location few came to the "
                       "library for a municipal service, so the share who also used the library often has no "
                       "before value.",
        "errand_cannot": "What these numbers cannot show: whether those who came for a service come back for the "
                         "library later, or what they used the library for. Interviews and observation can.",
    },
}
