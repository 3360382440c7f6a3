"""The interface's words in Hindi and English; the reader's choice picks the table."""

from __future__ import annotations

INTERFACE_LANGUAGES = ("en", "hi")

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Ask the news", "hi": "समाचारों से पूछें"},
    "intro": {
        "en": "Answers come only from the indexed articles, each claim with a numbered source.",
        "hi": "उत्तर केवल इंडेक्स किए गए लेखों से आते हैं, हर बात क्रमांकित स्रोत के साथ।",
    },
    "tab_chat": {"en": "Ask", "hi": "पूछें"},
    "tab_library": {"en": "Library", "hi": "लेख-संग्रह"},
    "conversation": {"en": "Conversation", "hi": "बातचीत"},
    "question": {"en": "Your question", "hi": "आपका प्रश्न"},
    "placeholder": {"en": "Ask in Hindi or English…", "hi": "हिन्दी या अंग्रेज़ी में पूछें…"},
    "ask": {"en": "Ask", "hi": "पूछें"},
    "new_conversation": {"en": "New conversation", "hi": "नई बातचीत"},
    "examples": {"en": "Example questions", "hi": "उदाहरण प्रश्न"},
    "answer_language": {"en": "Answer language", "hi": "उत्तर की भाषा"},
    "answer_auto": {"en": "The question's language", "hi": "प्रश्न की भाषा"},
    "settings": {"en": "Settings", "hi": "सेटिंग्स"},
    "k": {"en": "Passages to use", "hi": "कितने अंश देखें"},
    "mode": {"en": "Retrieval", "hi": "खोज का तरीका"},
    "backend": {"en": "Answer backend", "hi": "उत्तर इंजन"},
    "filter_languages": {"en": "Only passages in", "hi": "केवल इन भाषाओं के अंश"},
    "filter_outlets": {"en": "Only these outlets", "hi": "केवल ये प्रकाशन"},
    "date_from": {"en": "From date (YYYY-MM-DD)", "hi": "इस तारीख से (YYYY-MM-DD)"},
    "date_to": {"en": "To date (YYYY-MM-DD)", "hi": "इस तारीख तक (YYYY-MM-DD)"},
    "sources": {"en": "Sources", "hi": "स्रोत"},
    "sources_empty": {
        "en": "Ask a question; the passages it cites appear here.",
        "hi": "प्रश्न पूछें; उत्तर जिन अंशों से लिया गया, वे यहाँ दिखेंगे।",
    },
    "no_support": {
        "en": "No retrieved passage supports an answer.",
        "hi": "खोजे गए किसी अंश में उत्तर नहीं मिला।",
    },
    "uncited": {"en": "Also retrieved, not cited ({n})", "hi": "खोजे गए पर उद्धृत नहीं ({n})"},
    "source_n": {"en": "Source {n}", "hi": "स्रोत {n}"},
    "undated": {"en": "undated", "hi": "तारीख़ अज्ञात"},
    "open_article": {"en": "open article", "hi": "लेख खोलें"},
    "searching": {"en": "Searching the articles…", "hi": "लेखों में खोज रहे हैं…"},
    "failed": {
        "en": "Sorry, the answer could not be produced ({reason}).",
        "hi": "क्षमा करें, उत्तर नहीं बन सका ({reason})।",
    },
    "bad_date": {
        "en": "Write dates as YYYY-MM-DD, e.g. 2025-08-31.",
        "hi": "तारीख़ YYYY-MM-DD रूप में लिखें, जैसे 2025-08-31।",
    },
    "lang_hi": {"en": "Hindi", "hi": "हिन्दी"},
    "lang_en": {"en": "English", "hi": "अंग्रेज़ी"},
    "lang_mixed": {"en": "Mixed", "hi": "मिश्रित"},
    "upload": {"en": "Article files", "hi": "लेख की फ़ाइलें"},
    "upload_button": {"en": "Add files to the index", "hi": "फ़ाइलें इंडेक्स में जोड़ें"},
    "folder": {"en": "Or a folder on this computer", "hi": "या इस कंप्यूटर का कोई फ़ोल्डर"},
    "folder_button": {"en": "Index the folder", "hi": "फ़ोल्डर इंडेक्स करें"},
    "folder_refused": {
        "en": "No such folder among the folders this app may index: {path}",
        "hi": "यह फ़ोल्डर उन फ़ोल्डरों में नहीं मिला जिन्हें यह ऐप इंडेक्स कर सकता है: {path}",
    },
    "folder_disabled": {
        "en": "Indexing server folders is off (start the app with --allow-folders to allow some).",
        "hi": "सर्वर के फ़ोल्डर इंडेक्स करना बंद है (कुछ फ़ोल्डरों के लिए ऐप --allow-folders के साथ चलाएँ)।",
    },
    "report": {"en": "Ingest summary", "hi": "इंडेक्सिंग का सारांश"},
    "nothing_chosen": {"en": "Choose files first.", "hi": "पहले फ़ाइलें चुनें।"},
    "report_lines": {
        "en": "articles indexed: {articles}\nchunks written: {chunks}\n"
        "files unchanged: {unchanged}\nfiles skipped: {skipped}\nseconds: {seconds}",
        "hi": "इंडेक्स हुए लेख: {articles}\nलिखे गए अंश: {chunks}\n"
        "बिना बदलाव की फ़ाइलें: {unchanged}\nछोड़ी गई फ़ाइलें: {skipped}\nसमय (सेकंड): {seconds}",
    },
    "rejected_type": {
        "en": "file type not allowed (allowed: {allowed})",
        "hi": "इस प्रकार की फ़ाइल स्वीकार्य नहीं (स्वीकार्य: {allowed})",
    },
    "rejected_size": {"en": "larger than {mb} MB", "hi": "{mb} MB से बड़ी"},
    "articles": {"en": "Indexed articles", "hi": "इंडेक्स किए गए लेख"},
    "col_title": {"en": "Title", "hi": "शीर्षक"},
    "col_language": {"en": "Language", "hi": "भाषा"},
    "col_date": {"en": "Date", "hi": "तारीख़"},
    "col_chunks": {"en": "Chunks", "hi": "अंश"},
    "col_outlet": {"en": "Outlet", "hi": "प्रकाशन"},
    "col_file": {"en": "File", "hi": "फ़ाइल"},
    "remove_choice": {"en": "File to remove", "hi": "हटाने के लिए फ़ाइल"},
    "remove_button": {"en": "Remove from the index", "hi": "इंडेक्स से हटाएँ"},
    "not_indexed": {
        "en": "That file is not in the index (any more).",
        "hi": "यह फ़ाइल इंडेक्स में नहीं है (अब नहीं)।",
    },
    "too_long": {
        "en": "Please ask in at most {most} characters.",
        "hi": "कृपया अधिकतम {most} अक्षरों में पूछें।",
    },
    "not_a_number": {
        "en": "This setting must be a number.",
        "hi": "यह सेटिंग एक संख्या होनी चाहिए।",
    },
    "too_many_changes": {
        "en": "Too many library changes from you just now; try again in {seconds} s.",
        "hi": "अभी आपकी ओर से संग्रह में बहुत अधिक बदलाव माँगे गए हैं; {seconds} सेकंड बाद फिर करें।",
    },
    "library_key": {"en": "Library key", "hi": "संग्रह की कुंजी"},
    "wrong_key": {
        "en": "Adding or removing articles needs the library key.",
        "hi": "लेख जोड़ने या हटाने के लिए संग्रह की सही कुंजी चाहिए।",
    },
    "library_read_only": {
        "en": "This library is read-only here: articles are added and removed by whoever "
        "runs the app.",
        "hi": "यह संग्रह यहाँ केवल पढ़ने के लिए है: लेख वही जोड़ या हटा सकते हैं जो यह ऐप चलाते हैं।",
    },
    "too_many": {
        "en": "Too many questions from you just now; try again in {seconds} s.",
        "hi": "अभी आपकी ओर से बहुत अधिक प्रश्न आए हैं; {seconds} सेकंड बाद फिर पूछें।",
    },
    "removed": {"en": "Removed {n} file(s) from the index.", "hi": "इंडेक्स से {n} फ़ाइल हटाई गई।"},
}


def label(key: str, language: str, **values: object) -> str:
    """The label in `language` (English for any other)."""
    table = LABELS[key]
    text = table.get(language, table["en"])
    return text.format(**values) if values else text


def interface_language(choice: str | None) -> str:
    """The interface's language: the reader's choice, English when there is none."""
    return choice if choice in INTERFACE_LANGUAGES else "en"


def language_name(code: str, language: str) -> str:
    return label(f"lang_{code}", language) if f"lang_{code}" in LABELS else code
