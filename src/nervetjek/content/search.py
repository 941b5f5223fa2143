"""Full-text search over article sections and FAQ answers.

One document per section (the intro, every H2 and H3, every FAQ question with its answer),
so a hit can link straight to the place that answers the question.

- Words: lower case, Snowball stemming (Danish or English), the stop words of the
  language left out (bm25s's lists).
- Ranking: BM25 (the bm25s library; small corpus, scores computed in numpy).
- Misspellings: a query word that is not in the index is corrected to the closest known
  word (Levenshtein distance 1, or 2 for words of 7 letters or more; RapidFuzz), and a
  compound the index does not know is split into two known words ("nervesmerter").
- Lay words: `synonyms.yaml` adds the other words patients use for the same thing.
- The section title counts twice and the article title once, so "iskias" finds the
  iskias article even in sections that only say "det".

The index is built once per process and language (`search_index`) and is read-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import bm25s
import numpy as np
import snowballstemmer
from bm25s.stopwords import STOPWORDS_DANISH, STOPWORDS_EN
from markupsafe import Markup, escape
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from nervetjek.content.loader import Article, library
from nervetjek.datafiles import package_yaml

_WORD = re.compile(r"[0-9a-zæøåéüöä]+", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\n")
STEMMERS = {"da": "danish", "en": "english"}
STOPWORDS = {"da": frozenset(STOPWORDS_DANISH), "en": frozenset(STOPWORDS_EN)}
TITLE_WEIGHT = 2  # the section heading counts this many times
SNIPPET_CHARS = 240
MIN_FUZZY_LENGTH = 4
SYNONYM_WEIGHT = 0.5  # a synonym counts half as much as the word itself
STOPWORD_WEIGHT = 0.2  # small words (det, om, af) only break ties


@dataclass(frozen=True)
class SearchHit:
    slug: str
    anchor: str | None
    url: str
    article_title: str
    section_title: str
    parent_title: str | None  # the H2 above an H3
    snippet: Markup  # the best sentence(s), matched words in <mark>
    score: float


@dataclass(frozen=True)
class _Doc:
    slug: str
    anchor: str | None
    article_title: str
    section_title: str
    parent_title: str | None
    text: str


class Analyzer:
    """Words -> stems for one language, with stop words removed."""

    def __init__(self, lang: str):
        self.lang = lang
        self.stemmer = snowballstemmer.stemmer(STEMMERS[lang])
        self.stopwords = STOPWORDS[lang]
        stems = package_yaml("nervetjek.content", "synonyms.yaml").get("stems", {})
        self.exceptions: dict[str, str] = stems.get(lang, {})

    def words(self, text: str) -> list[str]:
        return [w.lower() for w in _WORD.findall(text)]

    @cache  # noqa: B019 - analyzers live as long as the process, like the index
    def stem(self, word: str) -> str:
        word = word.lower()
        return self.exceptions.get(word) or self.stemmer.stemWord(word)

    def terms(self, text: str) -> list[str]:
        """Every word, stemmed: stop words are indexed too, so that a question made
        almost only of them ("går det over af sig selv?") can still match."""
        return [self.stem(w) for w in self.words(text)]


def _synonym_lists(lang: str) -> list[list[str]]:
    return package_yaml("nervetjek.content", "synonyms.yaml").get(lang, [])


def _documents(articles: Iterable[Article]) -> list[_Doc]:
    docs = []
    for article in articles:
        titles = {s.anchor: s.title for s in article.sections if s.anchor}
        for section in article.sections:
            text = section.text
            if section.anchor is None and article.description:
                text = f"{article.description}\n\n{text}"
            if not text and section.level == 2:
                continue  # a heading whose content is all in its H3s
            docs.append(
                _Doc(
                    slug=article.slug,
                    anchor=section.anchor,
                    article_title=article.title,
                    section_title=section.title,
                    parent_title=titles.get(section.parent) if section.parent else None,
                    text=text,
                )
            )
    return docs


class SearchIndex:
    def __init__(self, articles: Iterable[Article], lang: str):
        self.lang = lang
        self.analyzer = Analyzer(lang)
        self.docs = _documents(articles)
        corpus = [
            self.analyzer.terms(doc.section_title) * TITLE_WEIGHT
            + self.analyzer.terms(doc.article_title)
            + self.analyzer.terms(doc.text)
            for doc in self.docs
        ]
        self.vocabulary = {term for terms in corpus for term in terms}
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)
        self.synonyms = self._synonym_groups()
        surface = {
            word
            for doc in self.docs
            for word in self.analyzer.words(f"{doc.section_title} {doc.text}")
            if len(word) >= MIN_FUZZY_LENGTH and not word.isdigit()
        }
        for group in _synonym_lists(self.lang):
            surface.update(w.lower() for w in group if len(w) >= MIN_FUZZY_LENGTH)
        self.known_words = sorted(surface)
        self._known_stems = {self.analyzer.stem(w) for w in self.known_words} | self.vocabulary
        self._sentence_cache: dict[int, list[tuple[str, frozenset[str]]]] = {}
        for index in range(len(self.docs)):
            self._sentences(index)  # fill the cache now, not on the first queries

    def _synonym_groups(self) -> dict[str, frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for group in _synonym_lists(self.lang):
            stems = {self.analyzer.stem(word) for word in group}
            for stem in stems:
                groups.setdefault(stem, set()).update(stems)
        return {stem: frozenset(stems) for stem, stems in groups.items()}

    # ------------------------------------------------------------------ query words
    def _correct(self, word: str) -> list[str]:
        """Stems for one query word: as written, corrected, or split into two words."""
        stem = self.analyzer.stem(word)
        if stem in self._known_stems or len(word) < MIN_FUZZY_LENGTH or word.isdigit():
            return [stem]
        limit = 1 if len(word) < 7 else 2
        match = process.extractOne(
            word, self.known_words, scorer=Levenshtein.distance, score_cutoff=limit
        )
        if match is not None:
            return [self.analyzer.stem(match[0])]
        return self._split(word) or [stem]

    def _split(self, word: str) -> list[str]:
        """A compound of two known words, the first maybe with a linking s or e."""
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            tail_stem = self.analyzer.stem(tail)
            if tail_stem not in self._known_stems:
                continue
            for candidate in (head, head.removesuffix("s"), head.removesuffix("e")):
                head_stem = self.analyzer.stem(candidate)
                if len(candidate) >= 3 and head_stem in self._known_stems:
                    return [head_stem, tail_stem]
        return []

    def query_terms(self, query: str) -> tuple[dict[str, float], set[str]]:
        """(stem -> weight for BM25, the stems to highlight).

        The query's own words weigh 1, the synonyms they add SYNONYM_WEIGHT and stop
        words STOPWORD_WEIGHT.
        """
        weights: dict[str, float] = {}
        own: list[str] = []
        for word in self.analyzer.words(query):
            if word in self.analyzer.stopwords:
                stem = self.analyzer.stem(word)
                weights[stem] = max(weights.get(stem, 0.0), STOPWORD_WEIGHT)
                continue
            for stem in self._correct(word):
                own.append(stem)
                weights[stem] = 1.0
        for stem in own:
            for synonym in self.synonyms.get(stem, ()):
                weights[synonym] = max(weights.get(synonym, 0.0), SYNONYM_WEIGHT)
        highlight = {stem for stem, weight in weights.items() if weight > STOPWORD_WEIGHT}
        return weights, highlight

    # ----------------------------------------------------------------------- search
    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        weights, highlight = self.query_terms(query)
        by_weight: dict[float, list[str]] = {}
        for stem, weight in weights.items():
            if stem in self.vocabulary:
                by_weight.setdefault(weight, []).append(stem)
        if not by_weight or not self.docs:
            return []
        scores = np.zeros(len(self.docs), dtype=np.float32)
        for weight, stems in by_weight.items():
            scores += weight * self.retriever.get_scores(stems)
        order = np.argsort(-scores, kind="stable")[:limit]
        hits = []
        for index in order:
            score = float(scores[index])
            if score <= 0:
                break
            doc = self.docs[int(index)]
            hits.append(
                SearchHit(
                    slug=doc.slug,
                    anchor=doc.anchor,
                    url=f"/viden/{doc.slug}" + (f"#{doc.anchor}" if doc.anchor else ""),
                    article_title=doc.article_title,
                    section_title=doc.section_title,
                    parent_title=doc.parent_title,
                    snippet=self.snippet(int(index), highlight),
                    score=score,
                )
            )
        return hits

    def _sentences(self, index: int) -> list[tuple[str, frozenset[str]]]:
        """The document's sentences with their stems, worked out once per document."""
        cached = self._sentence_cache.get(index)
        if cached is None:
            text = self.docs[index].text
            cached = [
                (sentence, frozenset(self.analyzer.stem(w) for w in self.analyzer.words(sentence)))
                for sentence in (s.strip() for s in _SENTENCE.split(text) if s)
                if sentence
            ]
            self._sentence_cache[index] = cached
        return cached

    def snippet(self, index: int, stems: set[str]) -> Markup:
        """The sentence with most matched words (and the next ones up to a length)."""
        sentences = self._sentences(index)
        if not sentences:
            return Markup("")
        best = max(range(len(sentences)), key=lambda i: (len(sentences[i][1] & stems), -i))
        chosen = [sentences[best][0]]
        for following, _stems in sentences[best + 1 :]:
            if len(" ".join(chosen)) + len(following) > SNIPPET_CHARS:
                break
            chosen.append(following)
        passage = " ".join(chosen)
        if len(passage) > SNIPPET_CHARS:
            passage = passage[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
        return self.highlight(passage, stems)

    def highlight(self, text: str, stems: set[str]) -> Markup:
        """`text` escaped, with the words whose stem is in `stems` in <mark>."""
        parts, last = [], 0
        for match in _WORD.finditer(text):
            word = match.group(0)
            if word.lower() not in self.analyzer.stopwords and self.analyzer.stem(word) in stems:
                parts.append(str(escape(text[last : match.start()])))
                parts.append(f"<mark>{escape(word)}</mark>")
                last = match.end()
        parts.append(str(escape(text[last:])))
        return Markup("".join(parts))


@cache
def search_index(lang: str) -> SearchIndex:
    """The index of the shipped articles in one language, built once per process."""
    return SearchIndex(library().in_language(lang), lang)


def search(query: str, lang: str = "da", limit: int = 10) -> list[SearchHit]:
    return search_index(lang).search(query, limit=limit)
