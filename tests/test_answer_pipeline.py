"""The offline answerer's parts: question analysis, typed mentions, composition, the fit's data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from answering import flat_idf, passage

from eval.datasets import SAMPLE_CORPUS, read_items, set_path, split_items
from eval.report import failures_section
from rag.candidate import Candidate
from rag.compose import answer_text, neutralise_markers
from rag.entities import (
    asked_units,
    calendar_terms,
    counted_word,
    day_date,
    in_language,
    in_units,
    mentions,
    new_mentions,
    quantity_in_language,
)
from rag.extractive import Reader, answer_extractively
from rag.question import analyse, answer_type
from rag.scoring import FEATURES, MODEL_FEATURES, load_weights
from rag.types import Passage


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many people took part in the meeting?", "number"),
        ("बैठक में कितने प्रतिनिधि शामिल हुए?", "number"),
        ("What day of the week was the meeting held?", "day"),
        ("बैठक किस दिन हुई?", "day"),
        ("When did the satellite reach orbit?", "when"),
        ("इसरो ने उपग्रह कब छोड़ा?", "when"),
        ("On which date was the satellite launched?", "date"),
        ("उपग्रह किस तारीख को छोड़ा गया?", "date"),
        ("Who wrote the Hindi report?", "authorship"),
        ("At what time did the rocket lift off?", "time"),
        ("रॉकेट कितने बजे छोड़ा गया?", "time"),
        ("What time of year does the monsoon withdraw?", "when"),
        ("पुणे मेट्रो की खबर किस पत्रकार ने लिखी?", "authorship"),
        ("Which website published the report?", "published"),
        ("Where was the 11th session held?", "place"),
        ("असम के लिए रूस का कौन सा इलाका साझेदार बताया गया?", "place"),
        ("Which Russian deputy defence minister met the ambassador?", "person"),
        ("प्रोटोकॉल पर किसने हस्ताक्षर किए?", "person"),
        ("Was the meeting held in Moscow?", "yes-no"),
        ("क्या बैठक मॉस्को में हुई थी?", "yes-no"),
        ("Why did the RBI cut the rate?", "description"),
        # Forms a newcomer types (none of them the readers set's wording):
        ("on which weekday did the council vote", "day"),
        ("By what percent did exports grow?", "number"),
        ("what time was the page last updated", "published"),
        ("what did the bank's chief ask lenders to do", "description"),  # the chief is no answer
        ("किन शहरों में बाढ़ की चेतावनी दी गई?", "place"),
        ("किस विदेशी मंत्री ने समझौते पर दस्तखत किए?", "person"),
        ("टीम के कप्तान का नाम क्या है?", "person"),
        ("कर्ज देने वाली संस्था कौन सी है?", "organisation"),
        ("क्या दोनों रिपोर्ट में निदेशक का नाम एक ही है?", "yes-no"),
        ("which official was present when the deal was signed", "person"),  # not "when"
        ("क्या rbi ने रेपो रेट घटाया", "yes-no"),  # any verb, no question mark
        ("क्या है UPI?", "description"),  # "what is", not yes/no
        ("On what date did the agency publish it?", "published"),  # any form of the verb
        ("What date is printed on the report?", "published"),
        ("who reported the story for the hindi site", "authorship"),
        ("यह खबर किस तारीख को प्रकाशित हुई?", "published"),  # as "on what date did they publish"
        ("किन न्यूज़ साइटों ने यह खबर छापी?", "published"),
        ("किन अधिकारियों ने साइट का दौरा किया?", "person"),  # a building site: no outlet
        ("किन कंपनियों ने निवेश किया?", "organisation"),
        ("Which five Japanese companies signed it?", "organisation"),
        ("अवार्ड किसे मिला?", "person"),
        ("What does ISM stand for?", "expansion"),
        ("KSC का फुल फॉर्म क्या है", "expansion"),
        ("ISRO का पूरा नाम क्या है?", "expansion"),
        ("मिशन निदेशक का पूरा नाम क्या है?", "person"),  # a person's full name
        ("नए खंड के स्टेशनों के नाम बताओ", "place"),  # "tell the names of the stations"
        ("कंपनियों के नाम बताइए", "organisation"),
    ],
)
def test_the_answer_type_comes_from_the_question_word(question: str, expected: str) -> None:
    assert answer_type(question) == expected


def test_the_languages_of_two_reports_are_no_entities_either_must_name() -> None:
    assert analyse("Do the Hindi and English reports name the same minister?").entities == ()
    assert analyse("Who wrote the Hindi report?").entities == ("Hindi",)  # that one must be Hindi


def test_numbers_are_whole_tokens() -> None:
    assert analyse("How many wardens on day 5?").entities == ("5",)
    assert mentions("when", "They met on Wednesday, 6 August in Delhi") == ["6 August", "Wednesday"]
    assert mentions("date", "They met on Wednesday.") == []  # a weekday is no date
    assert mentions("number", "day 28, said warden Kavita5") == ["28"]
    assert mentions("number", "आखिरी टी20 मुकाबले में 5 विकेट") == ["5 विकेट"]
    # A number joined to a word by a hyphen ends a name; a range or a unit does not.
    assert mentions("number", "NVS-04 and COVID-19 on the टी-20 day") == []
    assert mentions("number", "fares of Rs 10-25 on the 5.9-km stretch") != []
    assert in_units(mentions("number", "The 51.7-metre tall rocket")[0], ["distance"])
    assert (
        asked_units("How tall was the rocket?") == asked_units("रॉकेट कितना ऊंचा था") == ["distance"]
    )
    assert not in_units("19 minutes", asked_units("How tall was the rocket?"))
    assert not in_units("5.9-km", asked_units("How long does the ride take?"))
    assert in_units("5.9-km", asked_units("How long is the stretch?"))
    assert mentions("number", "The stretch has four underground stations") != []
    # Dates, years and clock times count nothing; a decimal is not a clock time.
    assert mentions("number", "On August 7, 2025 at 10:30 the talks began") == []
    assert mentions("number", "Rs 25.31 lakh crore in July") == ["Rs 25.31 lakh crore"]


def test_a_day_named_in_a_report_is_dated_from_the_report() -> None:
    from datetime import date

    assert day_date("Tuesday", "ISRO on Tuesday launched it", "2025-08-12") == date(2025, 8, 12)
    assert day_date("Wednesday", "They met on Wednesday", "2025-08-07") == date(2025, 8, 6)
    assert day_date("Monday", "It will open on Monday", "2025-08-24") == date(2025, 8, 25)
    assert day_date("बुधवार", "बुधवार को बैठक हुई", "2025-08-07") == date(2025, 8, 6)
    assert day_date("कल", "मेट्रो कल से चलेगी", "2025-08-24") == date(2025, 8, 25)
    assert day_date("कल", "कल बैठक हुई", "2025-08-24") == date(2025, 8, 23)
    assert day_date("Tuesday", "on Tuesday", "") is None  # an undated article
    # Where no verb says past or future, another weekday is left undated.
    assert day_date("Monday", "The stretch opens to the public from Monday", "2025-08-24") is None


def test_a_weekday_leads_with_its_date() -> None:
    report = replace(passage("ISRO on Tuesday launched NVS-04."), date="2025-08-12")
    best = Candidate(report, report.text, 0, len(report.text))
    assert answer_text(analyse("When was NVS-04 launched?"), best).startswith(
        "Tuesday, 12 August 2025 — "
    )
    assert answer_text(analyse("NVS-04 कब लॉन्च हुआ?"), best).startswith("मंगलवार, 12 अगस्त 2025 — ")


def test_an_abbreviation_is_answered_by_its_long_form() -> None:
    text = "It was signed by the India Semiconductor Mission (ISM) and the Kansai Consortium (KSC)."
    p = passage(text)
    best = Candidate(p, text, 0, len(text))
    assert answer_text(analyse("What does KSC stand for?"), best).startswith(
        "Kansai Consortium (KSC) — "
    )
    hindi = passage("भारतीय अंतरिक्ष अनुसंधान संगठन (ISRO) ने उपग्रह छोड़ा।", "hi")
    assert mentions("expansion", hindi.text) == ["भारतीय अंतरिक्ष अनुसंधान संगठन (ISRO)"]


def test_an_untranslated_abbreviation_must_be_met_in_either_script() -> None:
    from rag.extractive import query_terms

    class Dictionary:
        def translations(self, term: str) -> tuple[str, ...]:
            return ("अमेरिका",) if term == "us" else ()

    asked = analyse("Did SBI and the US cut rates after the T20 match?")
    abbreviations = {t.term for t in query_terms(asked, Dictionary()) if t.abbreviation}  # type: ignore[arg-type]
    # A Hindi report writes SBI so; the US it translates, and T20 it writes टी20.
    assert abbreviations == {"sbi"}


def test_a_named_unit_must_be_met_and_a_counted_word_is_read() -> None:
    assert asked_units("How much did the stretch cost to build?") == ["money"]
    assert asked_units("पुणे मेट्रो खंड पर कितना खर्च आया?") == ["money"]
    assert asked_units("How many people took part?") == []
    assert in_units("Rs 3,120 crore", ["money"]) and not in_units("5.9 km", ["money"])
    assert counted_word("How many stations are there?") == "stations"
    assert counted_word("मैच देखने कितने दर्शक पहुंचे?") == "दर्शक"
    # "one" and "एक" are as often "a": no quantity.
    assert mentions("number", "एक आधिकारिक बयान में कहा") == []


def test_months_and_weekdays_are_the_same_in_either_script() -> None:
    assert calendar_terms("Sriharikota, Aug 12 (PTI): on Tuesday") >= {"august", "अगस्त"}
    assert {"wednesday", "बुधवार"} <= calendar_terms("बैठक बुधवार को हुई")
    assert calendar_terms("you may go") == set()
    # A month the question names is one of its key entities, in Hindi too.
    assert "अक्टूबर" in analyse("IMD ने अक्टूबर 2025 में कितनी बारिश का अनुमान लगाया?").entities


def test_new_mentions_are_what_the_question_does_not_name() -> None:
    text = "The 11th session saw around 80 delegates."
    assert new_mentions("number", text, "How many delegates came to the 11th session?") == [
        "around 80 delegates"
    ]


def test_dates_and_days_are_written_for_the_reader() -> None:
    assert in_language("Wednesday", "hi") == "बुधवार"
    assert in_language("6 अगस्त 2025", "en") == "6 August 2025"
    assert in_language("Aug 12", "hi") == "अगस्त 12"
    assert in_language("5:43 बजे", "en") == "5:43" and in_language("5:43 pm", "hi") == "5:43 pm"


@pytest.mark.parametrize(
    ("mention", "language", "expected"),
    [
        ("about Rs 3,120 crore for", "en", "₹3,120 crore"),
        ("₹ 1,200 करोड़ की", "en", "₹1,200 crore"),
        ("19.62 billion dollars", "hi", "$19.62 अरब"),
        ("12 lakh people", "hi", "12 लाख"),
        ("5.5 प्रतिशत", "en", "5.5 per cent"),
        ("2.5%", "hi", "2.5%"),
        ("करीब ८० प्रतिनिधि", "en", "80"),
        ("पांच सदस्य", "en", ""),
    ],
)
def test_a_quantity_keeps_its_size_across_languages(
    mention: str, language: str, expected: str
) -> None:
    """The counted word stays behind (it is in the other language); currency,
    per cent and scale words are translated, as "19.62" alone misreads "19.62 billion"."""
    assert quantity_in_language(mention, language) == expected


def test_a_number_leading_an_answer_across_languages_keeps_its_size() -> None:
    hindi = passage("परियोजना पर लगभग 3,120 करोड़ रुपये खर्च होंगे।", "hi")
    best = Candidate(hindi, hindi.text, 0, len(hindi.text), {"gap": 0.0})
    text = answer_text(analyse("How much will the project cost?", "en"), best)
    assert text.startswith("₹3,120 crore — "), text


def test_quoted_brackets_cannot_pass_for_citations() -> None:
    assert neutralise_markers("as shown in [1] and [2, 3]") == "as shown in (1) and (2, 3)"


def test_composition_leads_with_the_answer() -> None:
    p = passage("The capital of India is Mumbai [1], it said.")
    best = Candidate(p, p.text, 0, len(p.text), {"gap": 0.0, "unknown_words": 0.0})
    assert answer_text(analyse("Is the capital Mumbai?"), best).startswith("Yes. ")
    # A word of the question that the articles do not back leaves the verdict to the reader.
    assert answer_text(analyse("Is the capital elevated?"), best, ["elevated"]).startswith("The")
    negated = passage("नया खंड ऊंचा नहीं है।", "hi")
    said = Candidate(negated, negated.text, 0, len(negated.text), {"gap": 0.0})
    assert answer_text(analyse("क्या नया खंड ऊंचा है?", "hi"), said).startswith("नहीं। ")
    # "न" is a negation only as a word of its own, not inside ने or नई.
    plain = passage("समिति ने नई दर तय कर दी है।", "hi")
    found = Candidate(plain, plain.text, 0, len(plain.text), {"gap": 0.0, "unknown_words": 0.0})
    assert answer_text(analyse("क्या समिति ने नई दर तय कर दी है?", "hi"), found).startswith("हाँ। ")
    assert "(1)" in answer_text(analyse("What is the capital?"), best)
    clock = passage("The rocket lifted off at 5:40 pm on Wednesday.")
    lifted = Candidate(clock, clock.text, 0, len(clock.text))
    assert answer_text(analyse("At what time did it lift off?"), lifted).startswith("5:40 pm — ")
    day = Candidate(passage("They met on Wednesday."), "They met on Wednesday.", 0, 22)
    assert answer_text(analyse("बैठक किस दिन हुई?", "hi"), day).startswith("बुधवार — ")
    byline = Candidate(
        passage("x", author="Shivani Sharma"), "Shivani Sharma", 0, 0, field="author"
    )
    assert answer_text(analyse("Who wrote it?"), byline) == "Shivani Sharma wrote this article [1]."
    dated = Candidate(passage("x", date="2025-08-06"), "2025-08-06", 0, 0, field="date")
    assert "6 अगस्त 2025" in answer_text(analyse("यह खबर कब प्रकाशित हुई?", "hi"), dated)


def test_the_weights_file_names_known_features_and_its_fit() -> None:
    weights = load_weights()
    assert set(weights.weights) == set(FEATURES)
    assert weights.fitted_on["split"] == "tune" and 0 < weights.threshold < 1


def test_an_other_language_candidate_is_read_on_the_questions_scale() -> None:
    from eval.fit_answerer import Example, across_scripts, script_gap

    def candidate(language: str, cosine: float) -> Candidate:
        p = passage("x", language, scores={"dense": cosine})
        return Candidate(
            p, "x", 0, 1, {n: 0.0 for n in FEATURES} | dict.fromkeys(MODEL_FEATURES, cosine)
        )

    item = read_items(set_path("fresh"))[0]  # an English question
    found = [candidate("en", 0.90), candidate("en", 0.80), candidate("hi", 0.80)]
    rows = np.array([[c.features[n] for n in FEATURES] for c in found])
    example = Example(item, True, found, rows, np.zeros(3))
    gap = script_gap([example])
    assert gap == dict.fromkeys(MODEL_FEATURES, 0.05)  # the mean of 0.90 and 0.80, less 0.80
    raised = across_scripts([example], gap)[0]
    assert [c.features["similar"] for c in raised.candidates] == pytest.approx([0.9, 0.8, 0.85])
    assert raised.rows[2, FEATURES.index("meaning")] == pytest.approx(0.85)
    # The fitted file carries what it measured: the model's cosines run lower across scripts.
    assert all(v > 0 for v in load_weights().other_language.values())


def test_another_model_reads_the_weights_fitted_without_the_models_features() -> None:
    weights = load_weights()
    fitted = weights.fitted_on["embedding"]
    lexical = weights.lexical
    assert lexical is not None
    assert all(lexical.weights[n] == 0 and lexical.refusal[n] == 0 for n in MODEL_FEATURES)
    assert weights.for_model(fitted, has_meaning=True) is weights
    assert weights.for_model("sentence-transformers/all-MiniLM-L6-v2", True) is lexical
    assert weights.for_model(fitted, has_meaning=False) is lexical
    assert lexical.for_model("any", has_meaning=False) is lexical


def test_the_readers_set_splits_once_by_id() -> None:
    items = read_items(set_path("readers"))
    tune, test = split_items(items, "tune"), split_items(items, "test")
    assert len(tune) + len(test) == len(items) >= 150
    assert {i.id for i in tune}.isdisjoint(i.id for i in test)
    assert all(i.split == "test" for i in test)  # a property of the id alone


def test_the_fresh_set_names_only_articles_that_exist() -> None:
    items = read_items(set_path("fresh"))
    assert len({i.id for i in items}) == len(items) == 80
    sample = {p.name for p in SAMPLE_CORPUS.iterdir()}
    for item in items:
        named = {ref.split("#")[0] for ref in item.gold_refs}
        assert all(n in sample or n[:3].isdigit() for n in named), (item.id, named)
        assert item.answerable == bool(item.key_facts), item.id


def test_the_report_lists_every_failed_question() -> None:
    rows = [
        {"id": "a", "kind": "single-source", "question": "Q1", "reference": "80",
         "answer": "wrong", "metrics": {"all_key_facts": False, "refusal_accuracy": None}},
        {"id": "b", "kind": "unanswerable", "question": "Q2", "reference": "",
         "answer": "an answer", "metrics": {"all_key_facts": None, "refusal_accuracy": False}},
        {"id": "c", "kind": "single-source", "question": "Q3", "reference": "x",
         "answer": "right", "metrics": {"all_key_facts": True, "refusal_accuracy": None}},
    ]  # fmt: skip
    section = failures_section(rows)
    assert "Failed questions (2 of 3)" in section
    assert "| a |" in section and "| b |" in section and "| c |" not in section


def test_an_answer_cites_its_source_as_1_and_lists_it_first() -> None:
    from dataclasses import replace

    from rag.compose import compose

    passages = [
        replace(passage(text), n=n, chunk_id=f"c{n}")
        for n, text in enumerate(["Other news.", "More news.", "They met on Wednesday."], 1)
    ]
    best = Candidate(passages[2], "They met on Wednesday.", 0, 22)
    answer = compose(analyse("What day did they meet?"), [best], passages)
    assert answer.text.endswith("[1]") and answer.citations[0].n == 1
    assert [p.chunk_id for p in answer.passages] == ["c3", "c1", "c2"]
    assert [p.n for p in answer.passages] == [1, 2, 3]


@pytest.mark.parametrize(
    ("question", "several"),
    [
        ("Do both reports give the same number of delegates?", True),
        ("Which agencies wrote the two English stories?", True),
        ("Who wrote the English and Hindi reports?", True),
        ("क्या दोनों रिपोर्ट में निदेशक का नाम एक ही है?", True),
        ("ये खबरें किन दो एजेंसियों की हैं?", True),
        ("How many delegates attended?", False),
        ("Who wrote the Hindi report?", False),
    ],
)
def test_a_question_about_two_articles_is_recognised(question: str, several: bool) -> None:
    assert analyse(question).several_articles is several


def test_a_question_about_two_articles_is_answered_from_both_each_cited() -> None:
    first = replace(passage("About 80 delegates took part in the session."), ref="ians.txt")
    second = replace(
        passage("The session's 80 delegates came from both nations."), chunk_id="k", ref="knn.txt"
    )
    # Another chunk of the first article is no second article.
    same = replace(first, chunk_id="c2", text="Some 80 delegates came, the ministry said.")
    question = "How many delegates do both reports count?"
    answer = answer_extractively(question, "en", [first, same, second], Reader(flat_idf))
    assert {c.ref for c in answer.citations} == {"ians.txt", "knn.txt"}
    assert "[1]" in answer.text and "[2]" in answer.text
    passages = [first, same, second]
    one = answer_extractively("How many delegates took part?", "en", passages, Reader(flat_idf))
    assert len(one.citations) == 1


def test_an_unsure_choice_quotes_its_runner_up_from_the_same_article() -> None:
    from rag.compose import compose
    from rag.extractive import runner_up
    from rag.scoring import AnswerWeights

    first = replace(passage("About 80 delegates took part. The talks ran two days."), n=1)
    other = replace(passage("The session drew 90 delegates."), chunk_id="k", ref="knn.txt", n=2)

    def sentence(p: Passage, text: str, score: float) -> Candidate:
        return Candidate(p, text, p.text.find(text), p.text.find(text) + len(text), score=score)

    best = sentence(first, "About 80 delegates took part.", 1.0)
    near = [
        best,
        sentence(other, other.text, 0.95),
        sentence(first, "The talks ran two days.", 0.9),
    ]
    weights, asked = AnswerWeights(runner_up_below=0.5), analyse("What did the talks do?")
    assert weights.chance(near) < 0.5
    also = runner_up(asked, near, weights)  # the other article's sentence is passed over
    assert also is not None and also.text == "The talks ran two days."
    sure = [replace(best, score=6.0), *near[1:]]
    assert weights.chance(sure) > 0.9 and runner_up(asked, sure, weights) is None
    assert runner_up(asked, near, AnswerWeights()) is None  # fitted at 0: never
    # A number question's second quote must offer another number, not pad.
    counted = analyse("How many delegates took part?")
    assert runner_up(counted, near, weights) is None
    numbered = [*near[:2], replace(near[2], features={"typed_new": 1.0})]
    assert runner_up(counted, numbered, weights) is numbered[2]
    answer = compose(analyse("How many delegates took part?"), [best], [first, other], also=also)
    assert answer.text.endswith("took part. [1] The talks ran two days. [1]")
    assert [c.quote for c in answer.citations] == [best.text, also.text]
    assert {c.ref for c in answer.citations} == {first.ref}
    hindi = replace(passage("करीब 80 प्रतिनिधि शामिल हुए। वार्ता दो दिन चली।", "hi"), n=1)
    one, two = (
        sentence(hindi, t, 1.0) for t in ("करीब 80 प्रतिनिधि शामिल हुए।", "वार्ता दो दिन चली।")
    )
    across = compose(analyse("How many delegates took part?"), [one], [hindi], also=two)
    assert across.text.count("According to a Hindi source") == 1  # said once for both quotes


def test_the_runner_up_level_is_fitted_by_cross_validation() -> None:
    weights = load_weights()
    quoted = weights.fitted_on["facts_quoted_by_runner_up_below"]
    assert str(weights.runner_up_below) in quoted
    assert quoted[str(weights.runner_up_below)] >= quoted["0.0"]


def test_a_year_range_is_a_period_not_a_count() -> None:
    # The 26 of a fiscal year "2025-26" counts nothing, in either script.
    assert mentions("number", "वित्त वर्ष 2025-26 के लिए अनुमान 6.7 प्रतिशत") == ["6.7 प्रतिशत"]
    assert mentions("number", "in FY २०२५-२६ and 2024–25 alike") == []
    assert mentions("date", "for 2025-26") == ["2025-26"]
    # A range of counts is still a count.
    assert mentions("number", "It takes 10-12 days") != []
    forecast = passage("RBI ने वित्त वर्ष 2025-26 के लिए अनुमान 6.7 प्रतिशत पर रखा है।", "hi")
    best = Candidate(forecast, forecast.text, 0, len(forecast.text), {"gap": 0.0})
    led = answer_text(analyse("RBI ने अनुमान कितना रखा है?", "hi"), best)
    assert led.startswith("6.7 प्रतिशत — "), led


def test_a_verdict_follows_the_direction_the_evidence_gives() -> None:
    less = passage("पूर्वोत्तर भारत में सितंबर में सामान्य से कम बारिश का अनुमान है।", "hi")
    said = Candidate(less, less.text, 0, len(less.text), {"gap": 0.0})
    asked = analyse("क्या सितंबर में पूर्वोत्तर में सामान्य से ज्यादा बारिश होगी?", "hi")
    assert answer_text(asked, said).startswith("नहीं। ")
    assert answer_text(analyse("क्या सामान्य से कम बारिश होगी?", "hi"), said).startswith("हाँ। ")
    cut = passage("The RBI cut the repo rate by 25 basis points.")
    cited = Candidate(cut, cut.text, 0, len(cut.text), {"gap": 0.0})
    assert answer_text(analyse("Did the RBI raise the repo rate?"), cited).startswith("No. ")
    assert answer_text(analyse("Did the RBI cut the repo rate?"), cited).startswith("Yes. ")
    # Saying the opposite is not so is saying it is so.
    kept = passage("Rainfall will not be below normal.")
    not_below = Candidate(kept, kept.text, 0, len(kept.text), {"gap": 0.0})
    assert answer_text(analyse("Will rainfall be above normal?"), not_below).startswith("Yes. ")
    # A comparison with a number is a question of numbers, not of direction.
    some = passage("More than 80 delegates attended.")
    counted = Candidate(some, some.text, 0, len(some.text), {"gap": 0.0})
    assert not answer_text(analyse("Did fewer than 100 attend?"), counted).startswith("No. ")


def test_a_dateline_says_when_the_report_was_filed_not_when_things_happened() -> None:
    filed = "New Delhi, Aug 7 (KNN) The two sides met on Wednesday in the capital."
    assert mentions("date", filed) == []
    assert mentions("when", filed) == ["Wednesday"]
    assert mentions("date", "The talks, held on Aug 6, ended well.") == ["Aug 6"]
