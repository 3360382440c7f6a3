"""The few sentences the assistant says itself, in the reader's language."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "no_answer": {
        "en": "The articles do not contain an answer to this question.",
        "hi": "इन लेखों में इस प्रश्न का उत्तर नहीं मिला।",
    },
    "empty_index": {
        "en": "No articles are indexed yet. Add some with `rag ingest PATH`.",
        "hi": "अभी कोई लेख इंडेक्स नहीं है। `rag ingest PATH` से लेख जोड़ें।",
    },
    "other_language": {
        "en": "According to a Hindi source",
        "hi": "अंग्रेज़ी स्रोत के अनुसार",
    },
    "fallback": {
        "en": "The language model did not answer ({reason}); this is the extractive answer.",
        "hi": "भाषा मॉडल से उत्तर नहीं मिला ({reason}); यह स्रोतों से निकाला गया उत्तर है।",
    },
    # A cited source's line, where its article gives no byline or no date.
    "no_byline": {"en": "no byline", "hi": "लेखक अज्ञात"},
    "undated": {"en": "undated", "hi": "तारीख़ अज्ञात"},
    "yes": {"en": "Yes.", "hi": "हाँ।"},
    "no": {"en": "No.", "hi": "नहीं।"},
    "wrote": {
        "en": "{author} wrote this article",
        "hi": "{author} ने यह लेख लिखा है",
    },
    "published_on": {"en": "It was published on {date}", "hi": "यह {date} को प्रकाशित हुआ"},
    "published_by": {"en": "It was published by {outlet}", "hi": "इसे {outlet} ने प्रकाशित किया"},
    "no_match": {
        "en": "No indexed article matches the filters ({filters}), so there is nothing to answer from.",
        "hi": "इंडेक्स का कोई भी लेख इन फ़िल्टरों ({filters}) से मेल नहीं खाता, इसलिए उत्तर देने के लिए कुछ नहीं है।",
    },
    "bad_question": {
        "en": "Please ask a question in words (Hindi or English).",
        "hi": "कृपया शब्दों में प्रश्न पूछें (हिन्दी या अंग्रेज़ी में)।",
    },
}


def say(key: str, language: str, **values: str) -> str:
    table = MESSAGES[key]
    return table.get(language, table["en"]).format(**values)
