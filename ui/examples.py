"""Example questions, each about one article of the bundled sample corpus
(index/sample_corpus), offered only where that article is indexed: on a reader's
own index they would only be refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.documents import ArticleRecord


@dataclass(frozen=True)
class Example:
    question: str
    file: str  # the sample article's file name, which answers it


EXAMPLES = (
    Example(
        "How long after liftoff was the NVS-04 satellite placed in orbit?", "en_isro_gslv_f21.txt"
    ),
    Example("मेट्रो से स्वारगेट से कात्रज का सफर कितने समय में पूरा होगा?", "hi_pune_metro_scraped.txt"),
    Example(
        "What daily ridership does Maha-Metro expect on the Swargate-Katraj stretch?",
        "en_pune_metro.html",
    ),
    Example("RBI ने 2025-26 के लिए GDP वृद्धि का कितना अनुमान रखा है?", "hi_rbi_policy_august.md"),
    Example(
        "How much will the Japanese consortium invest in the chip plant at Dholera?",
        "en_semiconductor_mou_feed.txt",
    ),
    Example("GSLV-F21 रॉकेट से कौन सा उपग्रह लॉन्च किया गया?", "hi_isro_gslv_f21.txt"),
)


def applicable(articles: Iterable[ArticleRecord]) -> list[str]:
    """The questions whose article is among `articles` (Assistant.articles()). A file
    counts by its name, wherever it lies: a copy of the sample corpus, or its files
    uploaded, answer the examples as well as the bundled folder does."""
    indexed = {Path(a.path).name for a in articles}
    return [example.question for example in EXAMPLES if example.file in indexed]
