"""Every file form becomes clean articles with their metadata, and nothing of substance is lost.

Small fixtures written here pin each format down; then every file of the sample
corpus and of the user's corpus (../shared/corpus, skipped when absent) is
checked for language, date, title, leftover page furniture and lost sentences.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from index.cleaning import Cleaner
from index.documents import Article, Skipped
from index.loaders import LoadOptions, SkipFile, discover, load_file

OPTIONS = LoadOptions(Cleaner.load())

# Page furniture that must never reach the index, whatever the file form.
BOILERPLATE = [
    r"\bAdvertisement\b",
    r"Also Read",
    r"यह भी पढ़ें",
    r"Read more",
    r"RECOMMENDED",
    r"समाप्त",
    r"\((फोटो|Photo)\b",
    r"\bShare (this|on)\b",
    r"Copy link",
    r"एजेंसी इनपुट",
    r"—\s*IANS",
    r"^\((PTI|IANS)\)$",
    r"Bureau\)",
    r"^\s*•",
    r"has not been edited by",
    r"gtag|dataLayer|font-family",
    r"All rights reserved",
    r"Gold Rate Today|E-Paper",
    r"Mumbai rains",
    r"A metro train at the newly built",
    r"</?(p|span|strong|em|div)\b",
]
# Lines of a raw file that are furniture by the same token (the rest must survive).
RAW_FURNITURE = re.compile(
    r"Also Read|यह भी पढ़ें|\((फोटो|Photo)|has not been edited by|^Advertisement|^Share"
)
SUBSTANTIVE_WORDS = 12


def load(path: Path) -> list[Article]:
    return load_file(path, OPTIONS)


def one(path: Path) -> Article:
    (article,) = load(path)
    return article


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def assert_no_boilerplate(article: Article) -> None:
    for pattern in BOILERPLATE:
        found = re.search(pattern, article.text, re.MULTILINE)
        assert found is None, f"{article.ref}: furniture {found.group()!r} survived"


# Each format, on a fixture written here


def test_plain_text_with_date_line_and_dateline(tmp_path: Path) -> None:
    path = tmp_path / "council.txt"
    path.write_text(
        " date 2025-03-04 Pune, Mar 4 (PTI): The city council approved a budget of Rs 9,000 "
        "crore on Tuesday for the coming financial year, officials said.\n\n"
        "The budget sets aside Rs 500 crore for roads and water supply in the eastern wards.\n\n"
        "Also Read | Sensex ends flat in a choppy session\n\n"
        "(PTI)\n",
        "utf-8",
    )
    article = one(path)
    assert article.published == date(2025, 3, 4)
    assert article.date_number == 20250304
    assert article.outlet == "PTI"
    assert article.language == "en"
    assert article.title.startswith("The city council approved a budget")
    assert article.text.startswith("Pune, Mar 4 (PTI): The city council approved")
    assert "date 2025" not in article.text
    assert "water supply in the eastern wards." in article.text
    assert article.path == str(path) and article.url == "" and article.ref == "council.txt"
    assert_no_boilerplate(article)


def test_agency_sign_off_names_the_outlet(tmp_path: Path) -> None:
    path = tmp_path / "upi.txt"
    path.write_text(
        "Mumbai, Aug 1 (IANS): Payments on UPI hit a record in July, data showed on Friday.\n\n"
        "—IANS\n",
        "utf-8",
    )
    article = one(path)
    assert article.outlet == "IANS"
    assert "IANS\n" not in article.text and not article.text.endswith("IANS")


FULLDESC = (
    "&lt;p&gt;&lt;span style=&quot;font-size:14px&quot;&gt;&lt;strong&gt;Tokyo, Aug 29 (SMN) "
    "&lt;/strong&gt;India and Japan signed a chip MoU on Friday.&lt;/span&gt;&lt;/p&gt;&#13;\n"
    "&#13;\n"
    "&lt;p&gt;KSC will also set up an R&amp;amp;D centre in Bengaluru, it said.&lt;/p&gt;&#13;\n"
    "&lt;p&gt;Engineers write &amp;lt;chip&amp;gt; tags in their specs, she said.&lt;/p&gt;\n"
    "&lt;p&gt;&lt;em&gt;&lt;strong&gt;(SMN Bureau)&lt;/strong&gt;&lt;/em&gt;&lt;/p&gt;&#13;\n"
)


def test_xml_feed_export_is_recognised_by_content_even_as_txt(tmp_path: Path) -> None:
    path = tmp_path / "feed_export.txt"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<root>\n    <author>SMN</author>\n'
        "    <date>2025-08-29 16:05:12</date>\n"
        f"    <fulldesc>{FULLDESC}</fulldesc>\n"
        "    <link>https://www.smnnews.example/news/chip-mou</link>\n"
        "    <pubDate>2025-08-29 16:05:12</pubDate>\n"
        "    <source>smnnews.example</source>\n"
        "    <title>India, Japan Sign Chip MoU: OSAT Plant &amp; R&amp;D Centre</title>\n"
        "</root>\n",
        "utf-8",
    )
    article = one(path)
    assert article.title == "India, Japan Sign Chip MoU: OSAT Plant & R&D Centre"
    assert article.published == date(2025, 8, 29) and article.date_number == 20250829
    assert article.outlet == "smnnews.example"
    assert article.url == "https://www.smnnews.example/news/chip-mou"
    assert article.text.startswith("Tokyo, Aug 29 (SMN) India and Japan signed a chip MoU")
    assert "an R&D centre in Bengaluru" in article.text
    # Unescaped after parsing: escaped markup in the prose stays literal text.
    assert "Engineers write <chip> tags" in article.text
    assert "&amp;" not in article.text and "&lt;" not in article.text and "\r" not in article.text
    assert_no_boilerplate(article)


def test_xml_feed_with_several_items_gives_one_article_per_item(tmp_path: Path) -> None:
    path = tmp_path / "rss.xml"
    items = "".join(
        f"<item><title>Story {n}</title><link>https://news.example/{n}</link>"
        f"<pubDate>Mon, 0{n} Sep 2025 10:00:00 +0530</pubDate>"
        f"<description>&lt;p&gt;Story number {n} says the rains were heavy.&lt;/p&gt;</description></item>"
        for n in (1, 2)
    )
    path.write_text(f"<rss><channel>{items}</channel></rss>", "utf-8")
    first, second = load(path)
    assert (first.ref, second.ref) == ("rss.xml#1", "rss.xml#2")
    assert second.published == date(2025, 9, 2) and second.outlet == "news.example"
    assert second.text == "Story number 2 says the rains were heavy."


PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<title>Metro opens | Deccan Metro Times</title>
<meta property="article:published_time" content="2025-08-24T19:10:00+05:30">
<meta property="og:url" content="https://www.deccanmetrotimes.example/pune/metro">
<meta property="og:site_name" content="Deccan Metro Times">
<meta property="og:title" content="Pune Metro's underground stretch opens">
<style>body { font-family: Georgia, serif; }</style>
<script>window.dataLayer = []; function gtag(){ dataLayer.push(arguments); }</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/gold">Gold Rate Today</a> <a href="/e">E-Paper</a></nav></header>
<main><article>
<h1>Pune Metro's underground stretch opens</h1>
<div class="byline">By Neha Kale | Pune | Updated: Aug 24, 2025, 19:10 IST</div>
<figure><img src="/a.jpg" alt="train"><figcaption>A metro train at the newly built Katraj station. (Photo: DMT)</figcaption></figure>
<p>Union Housing &amp; Urban Affairs Minister Harish Kulkarni on Sunday inaugurated the 5.9-km stretch.</p>
<p>Calling the line &quot;a game-changer&quot;, Kulkarni said fares range from Rs 10 to Rs 25 &mdash; cheaper than buses.</p>
<div class="share-widget"><span>Share this story:</span>
<a href="https://wa.me/">Share on WhatsApp</a>
<a href="https://twitter.com/">Share on Twitter</a>
<a href="#">Copy link</a></div>
</article>
<aside><h3>Trending</h3><ul><li><a href="/m">Mumbai rains: Local trains run late</a></li></ul></aside>
</main>
<footer><p>&copy; 2025 Deccan Metro Times. All rights reserved.</p></footer>
</body></html>
"""


def test_html_page_takes_metadata_from_meta_and_drops_page_furniture(tmp_path: Path) -> None:
    path = tmp_path / "metro.html"
    path.write_text(PAGE, "utf-8")
    article = one(path)
    assert article.title == "Pune Metro's underground stretch opens"
    assert article.published == date(2025, 8, 24) and article.date_number == 20250824
    assert article.url == "https://www.deccanmetrotimes.example/pune/metro"
    assert article.outlet == "Deccan Metro Times"
    assert article.author == "Neha Kale"
    # The byline is a fact readers ask about ("who wrote it, when"): kept, as one line.
    assert "By Neha Kale · Pune · Updated: Aug 24, 2025, 19:10 IST" in article.text.split("\n")
    assert article.language == "en"
    assert "Union Housing & Urban Affairs Minister Harish Kulkarni" in article.text
    assert 'Calling the line "a game-changer", Kulkarni said' in article.text
    assert "Rs 25 — cheaper than buses." in article.text
    assert_no_boilerplate(article)


def test_html_without_site_name_takes_the_outlet_from_the_url(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        '<html><head><meta property="og:url" content="https://www.example-news.in/a/b">'
        "<title>Floods in Assam</title></head><body><p>Floods hit twelve districts of Assam "
        "on Monday, officials said.</p></body></html>",
        "utf-8",
    )
    article = one(path)
    assert article.outlet == "example-news.in"
    assert article.title == "Floods in Assam"


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rbi.md"
    path.write_text(
        '---\ntitle: "RBI ने रेपो रेट घटाया"\ndate: 2025-08-06\nsource: arthjagat.example\n'
        "url: https://www.arthjagat.example/rbi\nlang: hi\n---\n\n"
        "# RBI ने रेपो रेट घटाया\n\n"
        "मुंबई: **भारतीय रिज़र्व बैंक** ने बुधवार को रेपो रेट में 25 आधार अंकों की कटौती की।\n\n"
        "- रेपो रेट: 5.50 प्रतिशत से घटकर 5.25 प्रतिशत\n\n"
        "**यह भी पढ़ें:** [सोने के दाम में गिरावट](https://www.arthjagat.example/gold)\n\n"
        "पूरा बयान [RBI की वेबसाइट](https://www.rbi.org.in) पर उपलब्ध है।\n",
        "utf-8",
    )
    article = one(path)
    assert article.title == "RBI ने रेपो रेट घटाया"
    assert article.published == date(2025, 8, 6)
    assert article.outlet == "arthjagat.example"
    assert article.url == "https://www.arthjagat.example/rbi"
    assert article.language == "hi"
    assert "मुंबई: भारतीय रिज़र्व बैंक ने बुधवार को" in article.text
    assert "रेपो रेट: 5.50 प्रतिशत से घटकर 5.25 प्रतिशत" in article.text
    assert "पूरा बयान RBI की वेबसाइट पर उपलब्ध है।" in article.text
    for markup in ("**", "](", "http", "\n- ", "title:", "# "):
        assert markup not in article.text
    assert_no_boilerplate(article)


RECORDS = [
    {
        "title": "तीसरा टी20: भारत जीता",
        "text": "विशाखापत्तनम: भारत ने श्रीलंका को 7 विकेट से हराया।\n\n"
        "यह भी पढ़ें: एशिया कप हॉकी में भारत की जीत\n\nमेघा सिंह ने नाबाद 104 रन बनाए।",
        "date": "2025-09-14",
        "url": "https://khel.example/t20",
        "source": "khel.example",
    },
    {
        "title": "Chip plant for Dholera",
        "text": "<p>India and Japan signed an MoU on Friday.</p><p>The plant will employ 3,500.</p>",
        "published": "29 Aug 2025",
        "link": "https://biz.example/chip",
        "source": "biz.example",
    },
]


def test_jsonl_gives_one_article_per_record_with_a_record_ref(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", "utf-8")
    hindi, english = load(path)
    assert (hindi.ref, english.ref) == ("feed.jsonl#1", "feed.jsonl#2")
    assert (hindi.record, english.record) == (1, 2)
    assert hindi.id != english.id
    assert hindi.language == "hi" and english.language == "en"
    assert hindi.title == "तीसरा टी20: भारत जीता" and hindi.published == date(2025, 9, 14)
    assert english.published == date(2025, 8, 29) and english.url == "https://biz.example/chip"
    assert (
        english.text == "India and Japan signed an MoU on Friday.\n\nThe plant will employ 3,500."
    )
    assert "मेघा सिंह ने नाबाद 104 रन बनाए।" in hindi.text
    assert_no_boilerplate(hindi)


@pytest.mark.parametrize("shape", ["list", "articles", "items"])
def test_json_file_in_each_shape(tmp_path: Path, shape: str) -> None:
    data: object = RECORDS if shape == "list" else {shape: RECORDS}
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    articles = load(path)
    assert [a.ref for a in articles] == ["feed.json#1", "feed.json#2"]
    assert [a.outlet for a in articles] == ["khel.example", "biz.example"]


def test_article_ids_are_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), "utf-8")
    assert [a.id for a in load(path)] == [a.id for a in load(path)]


def test_folders_are_walked_recursively_and_symlinks_followed_without_loops(
    tmp_path: Path,
) -> None:
    root = tmp_path / "corpus"
    (root / "2025" / "aug").mkdir(parents=True)
    (root / "2025" / "aug" / "a.txt").write_text("x", "utf-8")
    (root / "b.md").write_text("x", "utf-8")
    (root / ".hidden.txt").write_text("x", "utf-8")
    (root / "scan.pdf").write_bytes(b"%PDF")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "c.html").write_text("x", "utf-8")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "2025" / "loop").symlink_to(root, target_is_directory=True)
    (root / "same_as_b.md").symlink_to(root / "b.md")

    found = list(discover([root, root / "b.md", tmp_path / "missing"]))
    paths = [os.path.realpath(p) for p in found if isinstance(p, Path)]
    assert sorted(paths) == sorted(
        os.path.realpath(p) for p in (root / "2025/aug/a.txt", root / "b.md", outside / "c.html")
    )
    skipped = [s for s in found if isinstance(s, Skipped)]
    assert [(Path(s.path).name, s.reason) for s in skipped] == [
        ("scan.pdf", "unsupported type (.pdf)"),
        ("missing", "no such file or folder"),
    ]


def test_files_of_unsupported_types_are_reported_named_or_in_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "story.txt").write_text("A story.", "utf-8")
    (root / "app.js").write_text("console.log('The council met on Monday.');", "utf-8")
    (root / "photo.JPG").write_bytes(b"\xff\xd8\xff")
    (root / "NOTES").write_text("notes", "utf-8")
    (root / ".DS_Store").write_bytes(b"\x00")  # hidden: not the user's content
    named = tmp_path / "script.js"
    named.write_text("var title = 'The council met on Monday.';", "utf-8")

    found = list(discover([root, named]))
    assert [Path(p).name for p in found if isinstance(p, Path)] == ["story.txt"]
    assert {Path(s.path).name: s.reason for s in found if isinstance(s, Skipped)} == {
        "NOTES": "unsupported type (no extension)",
        "app.js": "unsupported type (.js)",
        "photo.JPG": "unsupported type (.JPG)",
        "script.js": "unsupported type (.js)",
    }


# Why a file is skipped


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"  \n\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 4, "binary file"),
        ("legacy.txt", "Café au lait, naïve résumé.".encode("cp1252"), "not UTF-8"),
        ("iscii.txt", bytes([0xA4, 0xB3, 0xDB, 0xA5, 0xE8, 0xC6, 0x20]) * 20, "not UTF-8"),
        ("broken.xml", b"<?xml version='1.0'?><root><title>Cut off", "malformed XML"),
        ("dtd.xml", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><root>&e;</root>', "DTD"),
        ("feed.jsonl", b'{"title": "ok", "text": "Fine."}\n{"title": broken\n', "malformed JSON"),
        ("nested.json", b"[" * 100_000, "nested too deeply"),
        ("furniture.txt", b"Advertisement\n\nRead more!\n\nAlso Read | x\n", "no article"),
        ("odd_utf16.txt", b"\xff\xfeA", "UTF-16"),
    ],
)
def test_unusable_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SkipFile, match=reason):
        load(path)


def test_oversized_file_is_skipped_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 2**20)  # sparse: no 50 MB written
    with pytest.raises(SkipFile, match=r"too large \(50\.0 MB"):
        load(path)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("भारत और जापान ने समझौता किया।".encode("utf-16"))
    assert one(path).text == "भारत और जापान ने समझौता किया।"


# Every real file: language, date, title, furniture, substance

SAMPLE_EXPECTED = {
    # ref: (language, published, title or None when the file names none)
    "en_isro_gslv_f21.txt": ("en", "2025-08-12", None),
    "hi_isro_gslv_f21.txt": ("hi", None, None),
    "en_upi_july_2025.txt": ("en", "2025-08-01", None),
    "hi_imd_monsoon_september.txt": ("hi", None, None),
    "en_semiconductor_mou_feed.txt": (
        "en",
        "2025-08-29",
        "India, Japan Sign Chip MoU: Rs 12,400 Crore OSAT Plant & R&D Centre Planned",
    ),
    "hi_pune_metro_scraped.txt": (
        "hi",
        "2025-08-24",
        "पुणे मेट्रो: स्वारगेट-कात्रज भूमिगत खंड का उद्घाटन, दक्षिण पुणे को मिली मेट्रो की सौगात",
    ),
    "en_pune_metro.html": (
        "en",
        "2025-08-24",
        "Pune Metro's Swargate-Katraj underground stretch opens to public from Monday",
    ),
    "hi_rbi_policy_august.md": (
        "hi",
        "2025-08-06",
        "RBI ने रेपो रेट 25 आधार अंक घटाया, अब 5.25 प्रतिशत",
    ),
    "mixed_feed.jsonl#1": (
        "hi",
        "2025-09-14",
        "तीसरा टी20: मेघा सिंह के शतक से भारत ने श्रीलंका को 7 विकेट से हराया, सीरीज 2-1 से जीती",
    ),
    "mixed_feed.jsonl#2": (
        "en",
        "2025-08-29",
        "Japanese consortium to build Rs 12,400-crore chip assembly plant in Gujarat's Dholera",
    ),
}
AUTHORS = {
    "hi_pune_metro_scraped.txt": "अमित जोशी",
    "en_pune_metro.html": "Neha Kale",
    "004_daaf95e8278ddd8a.txt": "शिवानी शर्मा",
    "003_54c9e4de0f718f68.txt": "ENA",  # the feed's author field
    "002_734422a9f9939fef.txt": "",
}
SHARED_EXPECTED = {
    "000_67bf332f679909d8.txt": ("en", "2018-10-08", None),
    "001_8e115a7352b6332a.txt": ("hi", None, None),
    "002_734422a9f9939fef.txt": ("en", "2025-08-07", None),
    "003_54c9e4de0f718f68.txt": (
        "en",
        "2025-08-07",
        "India And Russia Hold 11th Session On Industrial Cooperation In New Delhi",
    ),
    "004_daaf95e8278ddd8a.txt": (
        "hi",
        "2025-08-06",
        "भारत-रूस के बीच औद्योगिक सहयोग पर 11वीं बैठक, कई क्षेत्रों में साझेदारी पर प्रोटोकॉल साइन",
    ),
}


def raw_paragraphs(path: Path) -> list[str]:
    """The file's prose as its author wrote it, markup removed by a route of its own."""
    raw = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        return [line for r in map(json.loads, raw.splitlines()) for line in r["text"].split("\n")]
    if raw.lstrip().startswith("<?xml"):
        (escaped,) = re.findall(r"<fulldesc>(.*?)</fulldesc>", raw, re.DOTALL)
        markup = html.unescape(escaped)  # the XML layer
        return html.unescape(re.sub(r"<[^>]+>", "", markup)).splitlines()  # the HTML layer
    if path.suffix == ".html":
        paragraphs = re.findall(r"<p>(.*?)</p>", raw, re.DOTALL)
        return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs]
    return re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", raw).splitlines()


def substantive(paragraphs: list[str]) -> list[str]:
    return [
        flat(p)
        for p in paragraphs
        if len(p.split()) > SUBSTANTIVE_WORDS and not RAW_FURNITURE.search(p.strip())
    ]


def check_file(path: Path, expected: dict[str, tuple[str, str | None, str | None]]) -> None:
    articles = load(path)
    assert {a.ref for a in articles} == {ref for ref in expected if ref.split("#")[0] == path.name}
    for article in articles:
        language, published, title = expected[article.ref]
        assert article.language == language, article.ref
        assert (article.published.isoformat() if article.published else None) == published
        assert article.date_number == (int(published.replace("-", "")) if published else 0)
        assert article.title and len(article.title) <= 120
        if title is not None:
            assert article.title == title
        assert article.path == str(path)
        assert article.author == AUTHORS.get(article.ref, article.author)
        assert_no_boilerplate(article)
    text = flat(" ".join(a.text for a in articles))
    sentences = substantive(raw_paragraphs(path))
    assert sentences, f"{path.name}: the check found no prose to compare"
    lost = [s for s in sentences if s not in text]
    assert not lost, f"{path.name}: lost {lost}"


@pytest.mark.parametrize("ref", sorted({r.split("#")[0] for r in SAMPLE_EXPECTED}))
def test_every_sample_corpus_file(sample_corpus: Path, ref: str) -> None:
    check_file(sample_corpus / ref, SAMPLE_EXPECTED)


def test_the_sample_corpus_is_exactly_these_files(sample_corpus: Path) -> None:
    files = [p.name for p in discover([sample_corpus]) if isinstance(p, Path)]
    assert sorted(files) == sorted({r.split("#")[0] for r in SAMPLE_EXPECTED})


@pytest.mark.parametrize("name", sorted(SHARED_EXPECTED))
def test_every_shared_corpus_file(shared_corpus: Path, name: str) -> None:
    check_file(shared_corpus / name, SHARED_EXPECTED)
