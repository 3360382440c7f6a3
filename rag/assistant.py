"""The one object every interface uses: ingest articles, ask questions."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.cleaning import Cleaner
from index.documents import ArticleRecord, IngestSummary
from index.embedding import default_cache_dir, load_embedding
from index.language import question_language
from index.lexicon import Lexicon, load_lexicon
from index.loaders import LoadOptions
from index.pipeline import Guard, Indexer
from index.store import ChunkStore
from index.text import fold_for_matching, normalize_text
from rag import answerers
from rag.answerers import Answerer, Evidence
from rag.conversation import context_for
from rag.meaning import SentenceMeaning
from rag.messages import say
from rag.retrieval import HybridRetriever, Retrieval
from rag.scoring import load_weights
from rag.settings import Settings
from rag.types import Answer, Filters

if TYPE_CHECKING:
    from rag.extractive import Reader

MAX_QUESTION_CHARS = 2000
_OUTLETS_LISTED = 20  # an unknown outlet's message names this many of the known ones


@dataclass(frozen=True)
class Prepared:
    """A question checked and its passages retrieved: what any answerer answers from."""

    evidence: Evidence
    refusal: str  # why there is nothing to search, in the reader's language; "" if searched
    retrieval_ms: float


class Assistant:
    """Bilingual question answering over an index of news articles.

    >>> a = Assistant(data_dir="rag-data")
    >>> a.ingest(["articles/"])
    >>> a.ask("Who signed the protocol?").text

    The index folder is created if missing (that is how an index starts);
    `Assistant.open_index` is for code that only reads one.
    """

    def __init__(self, data_dir: str | Path | None = None, **settings: Any) -> None:
        if data_dir is not None:
            settings["data_dir"] = data_dir
        self.settings = Settings.load(**settings)
        s = self.settings
        if s.data_dir.exists() and not s.data_dir.is_dir():
            raise ValueError(f"data_dir {s.data_dir} is a file, not a folder")
        try:
            self.store = ChunkStore(
                s.data_dir, s.collection, s.chroma_url, lexical_url=s.lexical_url
            )
        except OSError as error:
            raise ValueError(
                f"data_dir {s.data_dir} cannot be used: {error.strerror or error}"
            ) from error
        answerers.check(s.llm)
        self._embed_model: Any = None
        self._query_model: Any = None
        self._meaning: SentenceMeaning | None = None
        self._answerers: dict[str, Answerer] = {}
        self._model_lock = threading.RLock()
        self._indexer: Indexer | None = None
        self.retriever = HybridRetriever(
            self.store,
            self.query_model,
            mode=s.retriever,
            dense_languages=s.trusted_dense_languages,
            candidates=s.candidates,
            lexicon=self.lexicon,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        return cls(**vars(settings))

    @classmethod
    def open_index(cls, settings: Settings) -> Assistant:
        """An Assistant over an index folder that exists: commands that only read
        (ask, articles, remove) must not create an empty index at a mistyped path."""
        folder = settings.data_dir
        if not folder.exists():
            raise ValueError(
                f"data_dir {folder} does not exist, so there is no index to read; "
                f"build one with `rag ingest PATH... --data-dir {folder}`"
            )
        return cls.from_settings(settings)

    def embed_model(self) -> Any:
        """The torch model that embeds passages; loaded on first need."""
        with self._model_lock:
            if self._embed_model is None:
                self._embed_model = load_embedding(self.settings.embedding)
            return self._embed_model

    def query_model(self) -> Any:
        """What embeds questions, loaded on first need: a Hindi question with the
        bundled model never needs one."""
        with self._model_lock:
            if self._query_model is None:
                s = self.settings
                if s.query_encoder == "torch" or not s.embedding.exportable:
                    self._query_model = self.embed_model()
                else:
                    # A llama-index embedding: imported only for a model that needs it.
                    from index.query_encoder import load_query_embedding

                    cache = s.model_cache or default_cache_dir()
                    self._query_model = load_query_embedding(s.embedding, cache, self.embed_model)
            return self._query_model

    def sentence_meaning(self) -> SentenceMeaning | None:
        """Sentence-level similarity for the answerer, where the model reads both
        languages and is the one its weights were fitted with: an English-only
        model would mislead it on every Hindi sentence, and another model's
        cosines live on another scale."""
        embedding = self.settings.embedding
        fitted = load_weights().fitted_on.get("embedding", embedding.model)
        if "hi" not in embedding.languages() or fitted != self.model_in_use():
            return None  # the answerer reads its typical similarity instead
        with self._model_lock:
            if self._meaning is None:
                self._meaning = SentenceMeaning(self.embed_model())
            return self._meaning

    def reader(self) -> Reader:
        """What the offline answerer reads this index's passages with."""
        from rag.extractive import Reader

        return Reader(
            self.store.bm25.idf, self.lexicon(), self.sentence_meaning(), self.model_in_use()
        )

    def model_in_use(self) -> str:
        """The name the loaded embedding model gives itself, else the setting's."""
        loaded = self._query_model or self._embed_model
        return getattr(loaded, "model_name", None) or self.settings.embedding.model

    def lexicon(self) -> Lexicon:
        """The bilingual word list (cached, so that only the first call reads it)."""
        return load_lexicon(self.settings.lexicon, self.settings.model_cache or default_cache_dir())

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            s = self.settings
            cleaner = Cleaner.load([s.boilerplate_rules] if s.boilerplate_rules else [])
            self._indexer = Indexer(
                self.store,
                s.embedding,
                s.chunking,
                LoadOptions(cleaner, int(s.max_file_mb * 2**20)),
                embed_model=self.embed_model,
            )
        return self._indexer

    # Index

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        rebuild: bool = False,
        prune: bool = False,
        progress: bool = False,
        guard: Guard = nullcontext,
    ) -> IngestSummary:
        """Index files and folders; a path that does not exist is refused before
        anything changes (with rebuild, a typo would otherwise empty the index).
        `guard`: held around each write of the index only (a server's lock that its
        readers hold to search; see Indexer.ingest)."""
        paths = list(paths)
        if missing := [str(p) for p in paths if not os.path.exists(p)]:
            raise ValueError(f"no such file or folder: {', '.join(missing)}; nothing was ingested")
        summary = self.indexer.ingest(
            paths, rebuild=rebuild, prune=prune, progress=progress, guard=guard
        )
        if self._embed_model is not None:
            # The model is loaded now: the question encoder's one-off export costs
            # a second here instead of a slow first question later.
            self.query_model()
        return summary

    def remove(self, paths: Iterable[str]) -> int:
        return self.indexer.remove(paths)

    def check(self) -> list[str]:
        """Problems of the index (damaged files, records that disagree); none: sound."""
        return self.store.check()

    def articles(self) -> list[ArticleRecord]:
        """Every indexed article, by file path, each with its file's `path`."""
        self.store.refresh()
        return [
            replace(article, path=path)
            for path, entry in sorted(self.store.entries().items())
            for article in entry.articles
        ]

    def summary(self) -> dict[str, Any]:
        articles = self.articles()
        languages: dict[str, int] = {}
        for a in articles:
            languages[a.language] = languages.get(a.language, 0) + 1
        return {
            "data_dir": str(self.settings.data_dir),
            "chroma": self.settings.chroma_url or str(self.settings.data_dir / "chroma"),
            "collection": self.settings.collection,
            "files": len(self.store.entries()),
            "articles": len(articles),
            "chunks": sum(a.chunks for a in articles),
            "languages": languages,
            "embedding": self.store.manifest.build.get("embedding", {}),
            "chunking": self.store.manifest.build.get("chunking", {}),
        }

    # Questions

    def retrieve(
        self,
        question: str,
        *,
        filters: Filters | dict[str, Any] | None = None,
        history: Sequence[str] = (),
        k: int | None = None,
        retriever: str | None = None,
    ) -> Retrieval:
        """The passages `ask` would answer from; `retriever` (hybrid, dense, bm25)
        and `k` override the settings for this question."""
        self.store.refresh()
        return self._retrieve(
            _clean_question(question), self._filters(filters), history, k, retriever
        )

    def _retrieve(
        self,
        question: str,
        filters: Filters,
        history: Sequence[str],
        k: int | None,
        retriever: str | None,
    ) -> Retrieval:
        _check_k(k)
        # Before any model loads: a query embedded by another model finds nonsense.
        self.store.manifest.check(
            {"embedding": self.settings.embedding.signature()}, chunking=False
        )
        query = question
        if context := context_for(question, history):
            query = f"{question} {context}"
        return self.retriever.search(
            query,
            k or self.settings.k,
            filters,
            language=question_language(question),
            mode=retriever,
        )

    def _filters(self, filters: Filters | dict[str, Any] | None) -> Filters:
        """`filters` checked against this index: outlets as it spells them (any
        case), ValueError for an outlet it does not have, listing those it has."""
        checked = Filters.coerce(filters)
        # A server's collection built elsewhere has no local manifest to check with.
        if not checked.outlets or not self.store.entries():
            return checked
        outlets = sorted({a.outlet for a in self._article_entries() if a.outlet})
        spelled: dict[str, list[str]] = {}
        for outlet in outlets:
            spelled.setdefault(fold_for_matching(outlet), []).append(outlet)
        if unknown := [s for s in checked.outlets if fold_for_matching(s) not in spelled]:
            raise ValueError(
                f"outlet: no indexed article is from {', '.join(map(repr, unknown))}; "
                + _known_outlets(outlets)
            )
        found = [o for s in checked.outlets for o in spelled[fold_for_matching(s)]]
        return replace(checked, outlets=tuple(dict.fromkeys(found)))

    def _article_entries(self) -> Iterator[ArticleRecord]:
        for entry in self.store.entries().values():
            yield from entry.articles

    def _matches_no_article(self, filters: Filters) -> bool:
        """Whether no article has the filters' outlet and date. Languages are not
        looked at: they belong to passages, which the manifest does not list."""
        if not (filters.outlets or filters.date_from or filters.date_to):
            return False
        return not any(
            (not filters.outlets or a.outlet in filters.outlets)
            and (not filters.date_from or (a.date and a.date >= filters.date_from))
            and (not filters.date_to or (a.date and a.date <= filters.date_to))
            for a in self._article_entries()
        )

    def ask(
        self,
        question: str,
        *,
        lang: str | None = None,
        filters: Filters | dict[str, Any] | None = None,
        history: Sequence[str] = (),
        k: int | None = None,
        retriever: str | None = None,
        answerer: str | None = None,
    ) -> Answer:
        """The answer to `question`; see `stream` for the arguments."""
        return _final_answer(
            self.stream(
                question,
                lang=lang,
                filters=filters,
                history=history,
                k=k,
                retriever=retriever,
                answerer=answerer,
            )
        )

    def stream(
        self,
        question: str,
        *,
        lang: str | None = None,
        filters: Filters | dict[str, Any] | None = None,
        history: Sequence[str] = (),
        k: int | None = None,
        retriever: str | None = None,
        answerer: str | None = None,
    ) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final Answer.

        Per question: `lang` the answer's language ("hi", "en"; None: the
        question's), `filters` which articles may answer, `history` the
        conversation's earlier questions, and `k`, `retriever` (hybrid, dense,
        bm25) and `answerer` (rag.answerers.names()) in place of the settings'.
        """
        self.answerer(answerer or self.settings.llm)  # an unknown name, before any search
        prepared = self.prepare(
            question, lang=lang, filters=filters, history=history, k=k, retriever=retriever
        )
        yield from self.stream_prepared(prepared, answerer)

    def prepare(
        self,
        question: str,
        *,
        lang: str | None = None,
        filters: Filters | dict[str, Any] | None = None,
        history: Sequence[str] = (),
        k: int | None = None,
        retriever: str | None = None,
    ) -> Prepared:
        """The question checked and its passages retrieved, for one answerer or
        several (the evaluation compares answerers on the same passages)."""
        question = _clean_question(question)
        language = lang if lang in ("hi", "en") else question_language(question)
        _check_k(k)
        self.store.refresh()
        checked = self._filters(filters)
        if refusal := self._cannot_ask(question, checked, language):
            return Prepared(Evidence(question, language, [], history, ""), refusal, 0.0)
        started = time.perf_counter()
        retrieval = self._retrieve(question, checked, history, k, retriever)
        evidence = Evidence(
            question, language, retrieval.passages, history, context_for(question, history)
        )
        return Prepared(evidence, "", (time.perf_counter() - started) * 1000)

    def answer_prepared(self, prepared: Prepared, answerer: str | None = None) -> Answer:
        """The final answer of `answerer` (default: the settings') to a prepared question."""
        return _final_answer(self.stream_prepared(prepared, answerer))

    def stream_prepared(
        self, prepared: Prepared, answerer: str | None = None
    ) -> Iterator[str | Answer]:
        """`stream` from a prepared question: the text pieces, then the Answer."""
        name = answerer or self.settings.llm
        chosen = self.answerer(name)
        evidence = prepared.evidence
        if prepared.refusal:
            yield prepared.refusal
            yield Answer(
                evidence.question, prepared.refusal, evidence.language, False, backend=name
            )
            return
        answering = time.perf_counter()
        answer = yield from chosen.answer(evidence)
        answer.backend = answer.backend or name
        answer.timings = {
            "retrieval_ms": prepared.retrieval_ms,
            "answer_ms": (time.perf_counter() - answering) * 1000,
        }
        yield answer

    def _cannot_ask(self, question: str, filters: Filters, language: str) -> str:
        """Why there is nothing to search, in the reader's language; "" when there is."""
        if not re.search(r"\w", question):
            return say("bad_question", language)
        if not self.store.entries() and not self.settings.chroma_url:
            return say("empty_index", language)
        if self.store.entries() and self._matches_no_article(filters):
            return say("no_match", language, filters=filters.describe())
        return ""

    def answerer(self, name: str) -> Answerer:
        """The answerer called `name`, made on first use and kept."""
        with self._model_lock:
            if name not in self._answerers:
                self._answerers[name] = answerers.make(self, name)
            return self._answerers[name]


def _final_answer(items: Iterable[str | Answer]) -> Answer:
    """The Answer a stream ends with, its text pieces read and dropped."""
    answer: Answer | None = None
    for item in items:
        if isinstance(item, Answer):
            answer = item
    assert answer is not None
    return answer


def _clean_question(question: str) -> str:
    """The question as articles are cleaned (index.text), on one line, bounded."""
    return " ".join(normalize_text(str(question)).split())[:MAX_QUESTION_CHARS]


def _check_k(k: int | None) -> None:
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1, not {k!r}")


def _known_outlets(outlets: list[str]) -> str:
    if not outlets:
        return "no indexed article names its outlet"
    listed = ", ".join(sorted(outlets, key=str.casefold)[:_OUTLETS_LISTED])
    more = len(outlets) - _OUTLETS_LISTED
    return f"the outlets are {listed}" + (f" and {more} more" if more > 0 else "")
