"""Typed things inside a sentence: quantities, dates, days, people, places, organisations.

Each recogniser is a pattern over the sentence in its own script (English by
case and cue words, Hindi by cue words alone: it has no capitals). They feed
the answerer two facts per sentence: does it hold a thing of the type the
question asks for, and is one of them new to the question. Numbers are whole
tokens: the 5 of "Kavita5" is no number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from index.text import dateline_end
from index.tokenize import tokenize

_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
MONTHS_HI = "जनवरी फरवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर".split()
WEEKDAYS_EN = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
WEEKDAYS_HI = "सोमवार मंगलवार बुधवार गुरुवार शुक्रवार शनिवार रविवार".split()
_MONTH_EN = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_MONTH = rf"(?:{_MONTH_EN}|{'|'.join(MONTHS_HI)}|फ़रवरी|सितम्बर|अक्तूबर|नवम्बर|दिसम्बर)"
_NUM = r"[0-9०-९]"
# Not inside a word of either script: the 20 of "टी20" or the 5 of "Kavita5" counts
# nothing, nor does the end of a name joined by a hyphen ("NVS-04", "COVID-19").
_WHOLE_NUMBER = (
    rf"(?<![\w.,\u0900-\u097f])(?<![A-Za-z\u0900-\u097f]-){_NUM}+(?:[.,]{_NUM}+)*"
    rf"(?![\w\u0900-\u097f])"
)
DATE = re.compile(
    rf"(?<!\w){_NUM}{{1,2}}\s+{_MONTH}(?:,?\s+{_NUM}{{4}})?"
    rf"|{_MONTH}\s+{_NUM}{{1,2}}(?:,?\s+{_NUM}{{4}})?(?!\w)"
    rf"|(?<!\w){_MONTH}\s+{_NUM}{{4}}(?!\w)"
    rf"|(?<![\w.]){_NUM}{{1,2}}[./-]{_NUM}{{1,2}}[./-]{_NUM}{{2,4}}(?!\w)"
    # A year, or a span of years written as one ("2025-26", a fiscal year):
    # its second part counts nothing.
    rf"|(?<![\w.,])(?:1[0-9]|20|१[०-९]|२०){_NUM}{{2}}(?:[-–/](?:{_NUM}{{2}}){{1,2}})?(?![\w.,])",
    re.IGNORECASE,
)
DAY = re.compile(
    rf"\b(?:{'|'.join(WEEKDAYS_EN)})\b|{'|'.join(WEEKDAYS_HI)}|\b(?:yesterday|today|tomorrow)\b"
    r"|कल|आज|परसों",
    re.IGNORECASE,
)
_HOUR_WORD = r"(?:am|pm|a\.m\.|p\.m\.|बजे)"
CLOCK = re.compile(
    rf"{_NUM}{{1,2}}:{_NUM}{{2}}(?:\s*{_HOUR_WORD})?|{_NUM}{{1,2}}(?:[.]{_NUM}{{2}})?\s*{_HOUR_WORD}",
    re.IGNORECASE,
)
_ORDINAL = re.compile(rf"{_NUM}+(?:st|nd|rd|th|वां|वीं|वें|वा|वी|वे)(?!\w)", re.IGNORECASE)
NUMBER = re.compile(_WHOLE_NUMBER)
# Numbers written as words count too: "four underground stations", "पांच सदस्य".
# Not "one" or "एक": they are as often "a" ("एक आधिकारिक बयान", "one of the") as a count.
_NUMBER_WORDS = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|twenty|thirty|"
    r"forty|fifty|hundred|दो|तीन|चार|पांच|पाँच|छह|सात|आठ|नौ|दस|बीस|सौ)"
)
# A quantity: a whole number with the word it counts ("80 delegates", "674 बैंक",
# "5.9-km": joined by a hyphen, English news writes its units so).
QUANTITY = re.compile(
    rf"(?:(?:about|around|nearly|over|some|almost|more than|less than|करीब|लगभग|क़रीब|"
    rf"तकरीबन)\s+)?(?:Rs\.?\s*|₹\s*|\$\s*|US\$\s*)?(?:{_WHOLE_NUMBER}|(?<![\w\u0900-\u097f])"
    rf"{_NUMBER_WORDS}(?![\w\u0900-\u097f]))(?:\s*(?:%|per\s*cent|percent|"
    r"प्रतिशत|फीसदी))?(?:\s+(?:lakh|crore|million|billion|thousand|hundred|लाख|करोड़|हज़ार|हजार|"
    r"अरब))?(?:(?:\s+|-)[\w\u0900-\u097f]+)?",
    re.IGNORECASE,
)
_PERSON_CUES = (
    r"\b(?:Mr|Ms|Mrs|Dr|Shri|Smt|Minister|Secretary|President|Prime Minister|Ambassador|"
    r"Director|Chairman|Chief|Governor|Commissioner|spokesperson|Deputy|CEO|officer|official)\b"
    r"|श्री|श्रीमती|मंत्री|सचिव|राष्ट्रपति|प्रधानमंत्री|राजदूत|निदेशक|अध्यक्ष|प्रवक्ता|अधिकारी|"
    r"गवर्नर|आयुक्त|उप\s?मंत्री|डॉ\."
)
PERSON = re.compile(
    rf"(?:{_PERSON_CUES})\s+[A-Z][a-z]+|(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z]\.?)*\s+[A-Z][a-z]+"
    rf"|{_PERSON_CUES}"
)
PLACE = re.compile(
    # Not "to": "according to the Ministry" names no place.
    r"\b(?:in|at|from|near|city of)\s+(?:the\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*"
    r"|[\u0900-\u097f]+\s+(?:स्थित|शहर|राजधानी)"
    r"|\b(?:Bhawan|Bhavan|Hall|Centre|Center|Street|Road|Nagar|Marg)\b|भवन|नगर|मार्ग",
)
ORGANISATION = re.compile(
    r"\b(?:[A-Z][a-z]+\s+)*(?:Ministry|Council|Bank|Corporation|Organisation|Organization|"
    r"Association|Department|Commission|Committee|Limited|Ltd|Company|Agency|Institute|Authority|"
    r"Board|Group|Federation|Chamber|University|Party)\b(?:\s+of(?:\s+[A-Z][a-z]+)+)?"
    r"|\b[A-Z]{2,}[A-Z0-9-]*\b"
    r"|मंत्रालय|परिषद|बैंक|संगठन|आयोग|विभाग|कंपनी|निगम|समिति|संस्थान|प्राधिकरण|बोर्ड|महासंघ",
)
_TIME_UNITS = (
    r"\bminutes?\b|\bhours?\b|\bdays?\b|\bweeks?\b|\bmonths?\b|\byears?\b|\bseconds?\b"
    r"|मिनट|घंटे|दिन|सप्ताह|महीने|साल|वर्ष|सेकंड"
)
_DISTANCE_UNITS = r"\bkm\b|kilomet|\bmiles?\b|\bmetres?\b|\bmeters?\b|किलोमीटर|मील|मीटर"
# The unit a number question names, in either language, and how a quantity in
# it is written: "how much did it cost" is not answered by "5.9 km". Only named
# units: "how much rain" or "how many people" leave the unit open.
UNITS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    name: (re.compile(asked, re.I), re.compile(written, re.I))
    for name, asked, written in (
        (
            "money",
            r"\b(?:cost|costs|price|priced|worth|spend|spent|budget|invest\w*|rupees?|dollars?|"
            r"fares?|fees?)\b|लागत|कीमत|खर्च|रुपये|रुपए|डॉलर|निवेश|बजट|किराय|किराए|शुल्क|फीस",
            r"\bRs\b|₹|\$|\brupees?\b|\bdollars?\b|रुपये|रुपए|डॉलर",
        ),
        (
            "percentage",
            r"\bper\s?cent|percentage|प्रतिशत|फीसदी",
            r"%|per\s?cent|प्रतिशत|फीसदी",
        ),
        (
            "duration",  # "how long does it take" asks for a time, not a distance
            r"\bhow long\b.*\b(?:take|takes|took|taking|last|lasts|lasted)\b"
            r"|\bhow many (?:seconds|minutes|hours|days|weeks|months|years)\b"
            r"|कितने समय|कितना समय|कितनी देर|कितने (?:सेकंड|मिनट|घंटे|दिन|सप्ताह|महीने|साल|वर्ष)",
            _TIME_UNITS,
        ),
        (
            "length of time or distance",  # a bare "how long" is either
            r"\bhow long\b(?!.*\b(?:take|takes|took|taking|last|lasts|lasted)\b)",
            rf"{_TIME_UNITS}|{_DISTANCE_UNITS}",
        ),
        (
            "distance",  # height, depth and width are distances too
            r"\bhow (?:far|tall|high|deep|wide)\b|\bhow many (?:km|kilomet\w+|metres|meters)\b"
            r"|कितनी दूर|कितन[ाी] (?:लंब|ऊंच|ऊँच|गहर|चौड़)|ऊंचाई|ऊँचाई|कितने (?:किलोमीटर|मीटर)",
            _DISTANCE_UNITS,
        ),
        (
            "weight",
            r"\bhow heavy\b|\bweigh\w*|वजन|वज़न",
            r"\bkg\b|kilogram|tonnes?\b|\btons?\b|किलो|टन",
        ),
    )
}
# An abbreviation spelled out beside it: "Kansai Semiconductor Consortium (KSC)",
# "भारतीय अंतरिक्ष अनुसंधान संगठन (ISRO)".
EXPANSION = re.compile(
    r"(?:[A-Z][\w&'-]*\s+(?:(?:of|and|for|the|&)\s+)*){1,8}\(\s*[A-Z][A-Za-z0-9&-]*[A-Z]\s*\)"
    r"|(?:[\u0900-\u097f]+\s+){1,6}\(\s*[A-Z][A-Za-z0-9&-]*[A-Z]\s*\)"
)
_ABBREVIATION = re.compile(r"\(\s*([A-Za-z0-9&-]+)\s*\)$")


def expands(mention: str, question: str) -> bool:
    """Whether an EXPANSION mention spells out an abbreviation the question names."""
    found = _ABBREVIATION.search(mention)
    return found is not None and found.group(1).lower() in tokenize(question)


RECOGNISERS: dict[str, re.Pattern[str]] = {
    "number": QUANTITY,
    "date": DATE,
    "day": DAY,
    "time": CLOCK,
    "person": PERSON,
    "place": PLACE,
    "organisation": ORGANISATION,
    "expansion": EXPANSION,
}


def _quantities(text: str) -> Iterator[re.Match[str]]:
    """Quantities that count something: not dates, years, clock times or ordinals."""
    blocked = [m.span() for p in (DATE, CLOCK, _ORDINAL) for m in p.finditer(text)]
    for match in QUANTITY.finditer(text):
        number = NUMBER.search(match.group())
        at = match.start() + (number.start() if number else 0)
        if not any(start <= at < end for start, end in blocked):
            yield match


def mentions(kind: str, text: str) -> list[str]:
    """The things of `kind` the text holds, as written."""
    if kind == "number":
        return [m.group().strip() for m in _quantities(text)]
    if kind == "when":  # a date or a day ("on Wednesday")
        return _event_dates(text) + [m.group() for m in DAY.finditer(text)]
    if kind == "date":
        return _event_dates(text)
    pattern = RECOGNISERS.get(kind)
    return [m.group().strip() for m in pattern.finditer(text)] if pattern else []


def _event_dates(text: str) -> list[str]:
    """The dates a text tells of: not its dateline's, which says when the report
    was filed ("New Delhi, Aug 7 (KNN): ... met on Wednesday" met on the 6th)."""
    filed = dateline_end(text)
    return [m.group() for m in DATE.finditer(text) if m.start() >= filed]


def asked_units(question: str) -> list[str]:
    """The units a number question names (UNITS' keys), none when it leaves it open."""
    return [name for name, (asked, _) in UNITS.items() if asked.search(question)]


_COUNTED = re.compile(
    r"\bhow\s+(?:many|much)\s+([A-Za-z]+)|(?:कितने|कितनी|कितना|कितनों)\s+([\u0900-\u097f]+)", re.I
)


def counted_word(question: str) -> str:
    """What a "how many" question counts: the word after it ("how many stations",
    "कितने दर्शक"), "" when it names none."""
    found = _COUNTED.search(question)
    return next((g for g in found.groups() if g), "") if found else ""


def in_units(mention: str, units: list[str]) -> bool:
    return any(UNITS[name][1].search(mention) for name in units)


def new_mentions(kind: str, text: str, question: str) -> list[str]:
    """Mentions whose words the question does not already hold: the new information."""
    asked = set(tokenize(question)) | {n.translate(_DIGITS) for n in NUMBER.findall(question)}
    found = []
    for mention in mentions(kind, text):
        terms = set(tokenize(mention)) - asked
        numbers = {n.translate(_DIGITS) for n in NUMBER.findall(mention)}
        if terms or (numbers - asked):
            found.append(mention)
    return found


_CALENDAR_EN = MONTHS_EN + WEEKDAYS_EN
_CALENDAR_HI = MONTHS_HI + WEEKDAYS_HI
_CALENDAR_WORD = re.compile(
    r"\b(?:" + "|".join(w[:3] + f"(?:{w[3:]}|\\.)?" for w in _CALENDAR_EN) + r")\b"
    r"|(?<![\u0900-\u097f])(?:" + "|".join(_CALENDAR_HI) + r")(?![\u0900-\u097f])",
)
# Every month and weekday name, as the tokenizer writes it, in both languages.
CALENDAR_TERMS = frozenset(tokenize(" ".join(_CALENDAR_EN + _CALENDAR_HI)))


def calendar_terms(text: str) -> set[str]:
    """The month and weekday names in `text` ("Aug", "बुधवार"), each as the terms of
    its name in both languages: a date is the same date in either script."""
    found: set[str] = set()
    for match in _CALENDAR_WORD.finditer(text):
        word = match.group()
        at = next(
            (i for i, name in enumerate(_CALENDAR_EN) if word[:3].lower() == name[:3].lower()),
            None,
        )
        if at is None:
            at = _CALENDAR_HI.index(word)
        found.update(tokenize(f"{_CALENDAR_EN[at]} {_CALENDAR_HI[at]}"))
    return found


# The words that give a quantity its size, each with its other-language form: a
# closed class, like the month names, so a number that leads an answer across
# languages keeps its size ("19.62 billion" is not "19.62").
_SCALES = (
    ("per cent", "प्रतिशत", r"per\s*cent|percent|प्रतिशत|फ़ीसदी|फीसदी"),
    ("hundred", "सौ", r"hundred|सौ"),
    ("thousand", "हज़ार", r"thousand|हज़ार|हजार"),
    ("lakh", "लाख", r"lakhs?|लाख"),
    ("million", "मिलियन", r"million|मिलियन"),
    ("crore", "करोड़", r"crores?|करोड़|करोड़"),
    ("billion", "अरब", r"billion|बिलियन|अरब"),
)
_SCALE = re.compile(
    "|".join(f"(?P<s{n}>{pattern})" for n, (*_, pattern) in enumerate(_SCALES)), re.IGNORECASE
)
# A currency before the number (its sign) or after it (its name).
_RUPEES = re.compile(r"(?<![A-Za-z])Rs\b|₹|\brupees?\b|रुपये|रुपए|रुपया", re.IGNORECASE)
_DOLLARS = re.compile(r"\$|\bdollars?\b|डॉलर", re.IGNORECASE)


def quantity_in_language(mention: str, language: str) -> str:
    """A quantity's size for a reader of `language`: its currency, number, per
    cent and scale words, without the word it counts (which is in the other
    language). "about Rs 3,120 crore for" → "₹3,120 crore"; "" without a number."""
    plain = mention.translate(_DIGITS)
    number = NUMBER.search(plain)
    if number is None:
        return ""
    sign = "$" if _DOLLARS.search(plain) else "₹" if _RUPEES.search(plain) else ""
    after = plain[number.end() :]
    percent = "%" if after.lstrip().startswith("%") else ""
    scales = [
        _SCALES[int(str(match.lastgroup)[1:])][language == "hi"] for match in _SCALE.finditer(after)
    ]
    return f"{sign}{number.group()}{percent}" + "".join(f" {word}" for word in scales)


# A verb in the future tense: "will open on Monday" is the next Monday, "कल खुलेगा" tomorrow.
_FUTURE = re.compile(
    r"\b(?:will|shall|is to|are to|set to|scheduled)\b"
    r"|(?:ेगा|ेगी|ेंगे|ेंगी|ोगा|ोगी|ोंगे|एगा|एगी|एंगे)(?![\u0900-\u097f])",
    re.IGNORECASE,
)
# A verb in the past: "met on Wednesday" is the last Wednesday, "कल बैठक हुई" yesterday.
_PAST = re.compile(
    r"\b(?:was|were|had|did|met|said|held|began|saw|took|made|won|lost|\w+ed)\b"
    r"|(?:था|थी|थे|किया|किए|किये|हुआ|हुई|हुए|गया|गई|गए|दिया|दी|दिए|लिया|ली|लिए|कहा|रहा|रही|रहे)"
    r"(?![\u0900-\u097f])",
    re.IGNORECASE,
)
_RELATIVE_DAYS = {"today": 0, "आज": 0, "yesterday": -1, "tomorrow": 1}


def day_date(day: str, sentence: str, reported: str) -> date | None:
    """The date a day named in a report means, counted from the report's date (ISO):
    its own weekday (or "today") is that day; another, with a verb in the future,
    the next one, else with one in the past the last one before it ("कल" likewise:
    tomorrow, yesterday); None where the tense does not say ("opens from Monday"),
    or without a report date or a day's name."""
    try:
        on = date.fromisoformat(reported[:10])
    except ValueError:
        return None
    name = day.strip().lower()
    if name in _RELATIVE_DAYS:
        return on + timedelta(days=_RELATIVE_DAYS[name])
    future, past = bool(_FUTURE.search(sentence)), bool(_PAST.search(sentence))
    if name == "कल":  # tomorrow or yesterday: the verb says which
        return on + timedelta(days=1) if future else on - timedelta(days=1) if past else None
    named = weekday(name)
    if named is None:
        return None
    if named == on.weekday():
        return on
    ahead = (named - on.weekday()) % 7
    if future:
        return on + timedelta(days=ahead)
    return on - timedelta(days=7 - ahead) if past else None


def weekday(name: str) -> int | None:
    """Monday's 0 to Sunday's 6 for a weekday's name in either language, else None."""
    english = [d.lower() for d in WEEKDAYS_EN]
    if name.lower() in english:
        return english.index(name.lower())
    return WEEKDAYS_HI.index(name) if name in WEEKDAYS_HI else None


def in_language(mention: str, language: str) -> str:
    """A date, day or clock time written for a reader of `language`: month and
    weekday names translated, digits as they are. Other text is returned unchanged."""
    source, target = (
        (MONTHS_HI + WEEKDAYS_HI, MONTHS_EN + WEEKDAYS_EN)
        if language == "en"
        else (MONTHS_EN + WEEKDAYS_EN, MONTHS_HI + WEEKDAYS_HI)
    )
    table = dict(zip(source, target, strict=True))
    if language == "hi":
        table |= {name[:3]: hi for name, hi in zip(MONTHS_EN, MONTHS_HI, strict=True)}

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        return table.get(word.rstrip(".").capitalize(), table.get(word, word))

    written = re.sub(r"[A-Za-z]+\.?|[\u0900-\u097f]+", swap, mention.translate(_DIGITS))
    # "5:43 बजे" is "5:43" to an English reader ("5:43 pm" reads in Hindi news as it is).
    return re.sub(r"\s*बजे$", "", written) if language == "en" else written
