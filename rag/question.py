"""What a question asks for: its language, the type of its answer, its key entities.

The answer type is read from the question word, in either language, by one
table of patterns (the one matching earliest in the question wins, the first
listed on a tie): "how many" wants a number, "कब" a date, "who wrote" the
byline. Key entities are what the question names: numbers as whole tokens,
capitalised names after the first word, Latin words inside Hindi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.language import question_language
from rag.entities import MONTHS_HI, WEEKDAYS_HI

# Hindi nouns of things a question may ask to be named ("किस स्टेशन", "स्टेशनों के नाम
# बताओ"); a noun in -ी has -ि before its plural ending ("किन अधिकारियों").
_PLACES_HI = r"शहर|जगह|स्थान|देश|राज्य|क्षेत्र|इलाक|इमारत|भवन|जिल|प्रदेश|स्टेशन|स्टेडियम"
_ORGANISATIONS_HI = r"संस्था|संगठन|कंपन[ीि]|मंत्रालय|विभाग|बैंक|परिषद|समिति|आयोग|निकाय|केंद्र"
_PEOPLE_HI = r"अधिकार[ीि]|मंत्र[ीि]|नेता|व्यक्ति|खिलाड़[ीि]|सचिव|राजदूत|कप्तान|निदेशक|अध्यक्ष|गवर्नर|प्रवक्ता"
# "...का (पूरा) नाम क्या है", "...के नाम बताओ": asks for the noun's name.
_NAMES_ASKED_HI = r"\S*\s+(का|के|की)\s+(पूरा\s+)?(नाम|नामों)\s+(क्या|बता)"

# (type, pattern): order matters, the specific before the general.
_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "authorship",
        r"\b(who|which|whose)\b.*\b(wrote|write|written|authored|penned|reported|reporter|journalist|"
        r"correspondent|writer|author|byline)\b|\bby whom\b"
        r"|(किस|किसने|कौन|किन).*(पत्रकार|संवाददाता|रिपोर्टर|लेखक|लिखी|लिखा|लिखे|लिखी\s+है)",
    ),
    (
        "published",
        r"\b(when|what date|which date|which day|what time)\b.*\b(publish\w*|posted|released|"
        r"printed|dated|updated|come out|came out|put out|run|ran|appear(ed)?)\b"
        r"|\b(which|what)\s+(\w+\s+){0,2}(outlet|newspaper|paper|agency|publication|website|"
        r"site|channel)\b"
        r"|(कब|किस\s+(तारीख|तिथि|दिन)).*(प्रकाशित|छपी|छपा|छपे|पोस्ट|अपडेट)"
        r"|(किस|कौन|किन).*(अखबार|समाचार\s*पत्र|एजेंस|वेबसाइट|(न्यूज़|न्यूज|समाचार)\s*साइट|चैनल|मीडिया|प्रकाशन)",
    ),
    # What an abbreviation stands for: "full form of KSC", "ISM का पूरा नाम" (a name's
    # "पूरा नाम" is a person's full name: only beside a Latin abbreviation).
    (
        "expansion",
        r"\b(full form|stands? for|short for|abbreviation|acronym|expansion)\b"
        r"|[a-z]{2,}[^\u0900-\u097f]*\s+(का|की|के)\s+(पूरा\s+नाम|फुल\s*फ[ॉा]र्म|पूर्ण\s+रूप)"
        r"|फुल\s*फ[ॉा]र्म",
    ),
    (
        "day",
        r"\b(what|which)\s+(week)?day\b|\bday of the week\b|\bon what day\b|किस\s+दिन|कौन\s+से\s+दिन|"
        r"कौन-से\s+दिन|किस\s+वार",
    ),
    # A date, year or month by name: a weekday is no answer to "which date".
    (
        "date",
        r"\b(what|which)\s+(date|year|month)\b"
        r"|(किस|किन)\s+(तारीख|तिथि|साल|वर्ष|महीने)|कौन\s*-?\s*(सी|से)\s+(तारीख|तिथि|साल|वर्ष|महीने)",
    ),
    # A clock time; "what time of year" is a when.
    ("time", r"\b(what|which)\s+time\b(?!\s+of\b)|कितने\s+बजे|किस\s+वक्?त"),
    # "When": a date or a day ("on Wednesday") answers it.
    (
        "when",
        r"\bwhen\b|\b(what|which)\s+time\b|\bhow long ago\b|\bsince when\b"
        r"|\bकब\b|कब\s|किस\s+समय",
    ),
    (
        "number",
        r"\bhow\s+(many|much|long|far|big|large|old|tall|high|deep|wide|fast|heavy|often)\b"
        r"|\b(what|which)\s+(\w+\s+){0,2}(percentage|percent|share|number|amount|figure|rate|count|"
        r"total|size|cost|price|value)\b"
        r"|कितन[ाेी]|कितनों|कितना|कितनी|कितने|किती",
    ),
    (
        "place",
        r"\bwhere\b|\b(which|what)\s+(\w+\s+){0,2}(city|place|country|state|region|venue|"
        r"building|town|"
        r"location|district|port|airport|station)\b|\bin which (city|country|state|place)\b"
        rf"|कहाँ|कहां|(किस|किन|कौन\s*-?\s*(सा|से|सी))\s+(\S+\s+)?({_PLACES_HI})"
        rf"|({_PLACES_HI}){_NAMES_ASKED_HI}",
    ),
    (
        "organisation",
        # As for a person: a few words may come between ("which five Japanese companies").
        r"\b(which|what)\s+(?!(did|does|do|is|was|were|are|has|have|had)\b)(\S+\s+){0,3}"
        r"(organisations?|organizations?|compan(y|ies)|firms?|bod(y|ies)|institutions?|banks?|"
        r"ministr(y|ies)|departments?|agenc(y|ies)|councils?|groups?|associations?|parties|party|"
        r"committees?|commissions?)\b"
        rf"|(किस|किन)\s+(\S+\s+)?({_ORGANISATIONS_HI})|({_ORGANISATIONS_HI})\S*\s+कौन"
        rf"|({_ORGANISATIONS_HI}){_NAMES_ASKED_HI}",
    ),
    (
        "person",
        r"^\s*(who|whom|whose)\b|\b(who|whom)\b"
        r"|\b(which|what)\s+(?!(did|does|do|is|was|were|are|has|have|had)\b)(\S+\s+){0,3}"
        r"(official|minister|person|people|leader|secretary|member|"
        r"president|ambassador|chief|head|officer|man|woman|spokesperson|governor|captain|"
        r"player|opener)\b"
        r"|\bकौन\b|किसने|किसको|किसे|किससे|किन्होंने|किसकी\s+अध्यक्षता"
        rf"|(किस|किन)\s+(\S+\s+)?({_PEOPLE_HI})|({_PEOPLE_HI}){_NAMES_ASKED_HI}",
    ),
    (
        "yes-no",
        r"^\s*(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should|shall)\b"
        # Hindi's yes/no particle opens the question, whatever its verb ("क्या RBI ने रेपो
        # रेट घटाया"); not "क्या है…" (what is…), nor beside another question word.
        r"|^\s*क्या\s+(?!(है|हैं|था|थे|थी)(\s|[?।]|$))(?!.*(कौन|कब|कहाँ|कहां|कितन|किस|क्यों|कैसे))",
    ),
)
TYPE_PATTERNS = tuple((name, re.compile(p, re.IGNORECASE)) for name, p in _TYPE_PATTERNS)

# Whole tokens, as rag/entities.py reads them: the 04 of "NVS-04" is its name's.
_NUMBER = re.compile(
    r"(?<![\w.])(?<![A-Za-z\u0900-\u097f]-)[0-9०-९]+(?:[.,][0-9०-९]+)*"
    r"(?:st|nd|rd|th|वां|वीं|वें)?(?!\w)"
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z0-9-]*")
_HINDI_CALENDAR = re.compile(
    rf"(?<![\u0900-\u097f])(?:{'|'.join(MONTHS_HI + WEEKDAYS_HI)})(?![\u0900-\u097f])"
)


# A question about two articles at once: "do both reports…", "the English and
# Hindi stories", "दोनों रिपोर्ट में", "किन दो एजेंसियों".
_SEVERAL_ARTICLES = re.compile(
    r"\b(?:both|two|each|all)\s+(?:of\s+the\s+)?(?:\w+\s+)?(?:reports?|articles?|stories|"
    r"outlets|papers|agencies|sources)\b|\b(?:English|Hindi)\s+and\s+(?:the\s+)?(?:English|Hindi)\b"
    r"|दोनों|दो\s+(?:\S+\s+)?(?:रिपोर्ट|खबर|ख़बर|लेख|एजेंसि|स्रोत|अखबार)"
    r"|(?:अंग्रेज़ी|अंग्रेजी|हिंदी|हिन्दी)\s+और\s+(?:अंग्रेज़ी|अंग्रेजी|हिंदी|हिन्दी)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    type: str  # one of TYPE_PATTERNS' names, or "description"
    entities: tuple[str, ...]  # the names and numbers it spells out, as written
    several_articles: bool = False  # asks about two articles at once (a comparison, both bylines)


def answer_type(question: str) -> str:
    """The type whose question word comes first ("which minister was there when…"
    asks for a person, not a date), the earlier-listed type on a tie."""
    found = [(m.start(), i) for i, (_, p) in enumerate(TYPE_PATTERNS) if (m := p.search(question))]
    return TYPE_PATTERNS[min(found)[1]][0] if found else "description"


# In a question about two articles the languages name which articles ("do the
# Hindi and English reports agree"): neither article holds both, so neither must.
_LANGUAGE_NAMES = frozenset({"Hindi", "English"})


def key_entities(question: str, language: str) -> tuple[str, ...]:
    """Numbers (whole tokens: the 5 of "Kavita5" is none), and names: capitalised
    words after the first in English (months and weekdays among them), every Latin
    word, month and weekday in Hindi."""
    found = [m.group() for m in _NUMBER.finditer(question)]
    if language == "hi":
        found += _LATIN_WORD.findall(question) + _HINDI_CALENDAR.findall(question)
    else:
        words = _CAPITALISED.finditer(question)
        found += [m.group() for m in words if m.start() > 0 and question[: m.start()].strip()]
    return tuple(dict.fromkeys(found))


def analyse(question: str, language: str | None = None) -> Question:
    language = language or question_language(question)
    several = bool(_SEVERAL_ARTICLES.search(question))
    entities = key_entities(question, language)
    if several:
        entities = tuple(e for e in entities if e not in _LANGUAGE_NAMES)
    return Question(question, language, answer_type(question), entities, several)
