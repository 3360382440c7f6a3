"""The bilingual word list: FreeDict and TSV files read into stemmed term maps,
and what it lets the offline answerer and the cross-language bridge do."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from answering import flat_idf, passage

from index.lexicon import FREEDICT_ENG_HIN, Lexicon, load_lexicon, read_lexicon
from rag.extractive import Reader, features, gather, rank
from rag.question import analyse

# The shape of FreeDict's dictd text: a header, then headword lines with IPA
# and a part of speech, numbered senses, and quoted examples.
FREEDICT = """00-database-info
English-Hindi FreeDict Dictionary
delegate /dˈɛlɪɡˌeɪt/ <N>
1. प्रतिनिधि
      "The workshop was attended by delegates from all organizations."
2. अपने कर्तव्यों को दूसरों को सौंपना
diamond /dˈaɪəmənd/ <N>
1. हीरा
office /ˈɒfɪs/ <N>
1. दफ़्तर, कार्यालय
take part <V>
1. भाग~लेना
"""


def test_freedict_entries_map_both_ways_as_stemmed_terms(tmp_path: Path) -> None:
    path = tmp_path / "eng-hin.dict.dz"
    path.write_bytes(gzip.compress(FREEDICT.encode()))
    lexicon = read_lexicon(path)
    assert lexicon.translations("प्रतिनिधि") == ("deleg",)
    assert lexicon.translations("deleg") == ("प्रतिनिधि",)  # the phrase sense is no one term
    assert set(lexicon.translations("offic")) == {"दफ्तर", "कार्यालय"}  # nukta folded
    assert lexicon.translations("हीर") == ("diamond",)  # हीरा, stemmed as the index stems it
    assert lexicon.translations("take") == () and lexicon.translations("part") == ()
    assert lexicon.translations("00") == ()  # the header is no entry


def test_a_tsv_file_adds_a_newsroom_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "words.tsv"
    path.write_text("# english\thindi\ntariff\tटैरिफ, शुल्क\ncontract\tअनुबंध\n", "utf-8")
    lexicon = load_lexicon(str(path))
    assert set(lexicon.translations("tariff")) == {"टैरिफ", "शुल्क"}
    assert lexicon.translations("अनुबंध") == ("contract",)


def test_off_and_missing_lexicons(tmp_path: Path) -> None:
    assert not load_lexicon("off")
    with pytest.raises(FileNotFoundError, match="no lexicon"):
        load_lexicon(str(tmp_path / "absent.tsv"))


def test_the_installed_freedict_dictionary_reads() -> None:
    if not FREEDICT_ENG_HIN.is_file():
        pytest.skip(f"{FREEDICT_ENG_HIN} is not installed (apt-get install dict-freedict-eng-hin)")
    lexicon = load_lexicon("auto")
    assert len(lexicon.to_english) > 5000
    assert "deleg" in lexicon.translations("प्रतिनिधि")
    assert "citi" in lexicon.translations("शहर")


def test_the_lexicon_lets_a_hindi_question_find_its_english_sentence() -> None:
    passages = [
        passage(
            "The talks were held in Moscow. Around 80 delegates took part in the session.", "en"
        )
    ]
    question = analyse("सत्र में कितने प्रतिनिधि थे?")
    lexicon = Lexicon.from_pairs([("delegate", "प्रतिनिधि"), ("session", "सत्र")])
    candidates = gather(question, passages)
    without = features(question, candidates, flat_idf)
    with_lexicon = features(question, candidates, flat_idf, lexicon=lexicon)
    assert [f["coverage"] for f in without] == [0.0, 0.0]
    assert with_lexicon[1]["coverage"] == 1.0 and with_lexicon[0]["coverage"] == 0.0
    ranked = rank(question, passages, Reader(flat_idf, lexicon))
    assert ranked[0].text.startswith("Around 80 delegates")


def test_a_read_dictionary_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "words.tsv"
    path.write_text("tariff\tशुल्क\n", "utf-8")
    cache = tmp_path / "cache"
    first = load_lexicon(str(path), cache)
    [cached] = (cache / "lexicon").glob("*.json")
    load_lexicon.cache_clear()
    assert load_lexicon(str(path), cache) == first  # read back from the JSON
    path.write_text("tariff\tशुल्क\ncontract\tअनुबंध\n", "utf-8")
    load_lexicon.cache_clear()
    assert load_lexicon(str(path), cache).translations("contract") == ("अनुबंध",)
    assert len(list((cache / "lexicon").glob("*.json"))) == 2 and cached.exists()
