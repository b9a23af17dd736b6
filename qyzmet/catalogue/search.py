"""Finding services by what citizens type: stems, whole words, synonyms, ranked by relevance.

The index is built once, when the catalogue is loaded. A query is cut into concepts: a phrase
of `_synonyms.yaml` found in the query is one concept whose alternatives are every phrase of its
group ("права" -> "водительское удостоверение", "driving licence", ...); any other word is a
concept of its own. An alternative matches a field when each of its words matches a word of the
field (same stem, or, for a word of five letters or more, the beginning of a field word, so that
half-typed words find something). A service scores, per concept it matches, the weight of the best
field it matches in; services that match more concepts come first, then the higher score.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, Field

from qyzmet.catalogue.schema import I18n, Model, ServiceDefinition
from qyzmet.catalogue.words import spelling_stems, word_keys, words

# Weights of the fields a service is found by: its name over its taxonomy over its text.
NAME = 4
TAXONOMY = 2
TEXT = 1
TIE_BREAK = 0.01
MAX_WORDS = 20  # of a query; the rest is ignored, so a long query costs no more than this
PREFIX_MIN = 5  # a word shorter than this matches whole words only ("car" is not "card")


def _has_words(phrase: str) -> str:
    if not words(phrase):
        raise ValueError("has no searchable word (only stop words or punctuation)")
    return phrase


def _is_latin_word(word: str) -> str:
    if not (word.isascii() and word.isalpha() and word == word.lower()):
        raise ValueError("must be one lowercase English word")
    return word


Phrase = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_has_words)]
LatinWord = Annotated[str, AfterValidator(_is_latin_word)]


class Synonyms(Model):
    """`_synonyms.yaml`: American to British spellings and groups of phrases that mean the same
    (in any of the three languages, colloquial words included)."""

    spellings: dict[LatinWord, LatinWord] = Field(default_factory=dict)
    groups: list[Annotated[list[Phrase], Field(min_length=2)]] = Field(default_factory=list)


def synonym_faults(synonyms: Synonyms) -> list[tuple[str, str]]:
    """(path, reason) of each phrase given in two groups (the group it belongs to would be a
    guess) or twice in one."""
    faults: list[tuple[str, str]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, group in enumerate(synonyms.groups):
        for position, phrase in enumerate(group):
            key = tuple(words(phrase))
            if key in seen:
                faults.append(
                    (
                        f"groups[{number}][{position}]",
                        f"'{phrase}' is already in groups[{seen[key]}]",
                    )
                )
            else:
                seen[key] = number
    return faults


Keys = frozenset[str]


@dataclass(frozen=True)
class _Field:
    weight: int
    keys: frozenset[str]
    words: tuple[str, ...]

    def match(self, word: str, keys: Keys) -> float:
        """1 for a word of the same stem, 0.5 for the beginning of a longer word, else 0."""
        if keys & self.keys:
            return 1.0
        if len(word) >= PREFIX_MIN and any(
            self._begins(start) for start in (word, *keys) if len(start) >= PREFIX_MIN
        ):
            return 0.5
        return 0.0

    def _begins(self, start: str) -> bool:
        """Some word of the field begins with `start` (`words` is sorted)."""
        at = bisect.bisect_left(self.words, start)
        return at < len(self.words) and self.words[at].startswith(start)


@dataclass(frozen=True)
class _Term:
    word: str
    keys: Keys


Alternative = tuple[_Term, ...]


@dataclass(frozen=True)
class SearchIndex:
    """The catalogue prepared for search (built once per load)."""

    fields: Mapping[str, tuple[_Field, ...]]  # service code -> fields
    # Each phrase of `_synonyms.yaml` with its group, the longer phrases first, so that
    # "водительское удостоверение" wins over "удостоверение".
    phrases: tuple[tuple[Alternative, tuple[Alternative, ...]], ...]
    spellings: Mapping[str, str] = field(default_factory=dict)  # stems

    def terms(self, phrase: Iterable[str]) -> Alternative:
        return tuple(_Term(word, word_keys(word, self.spellings)) for word in phrase)

    def concepts(self, query: str) -> list[tuple[Alternative, ...]]:
        """The query as concepts, each with its alternatives (see the module's docstring)."""
        typed = self.terms(words(query)[:MAX_WORDS])
        concepts: list[tuple[Alternative, ...]] = []
        used = [False] * len(typed)
        for phrase, group in self.phrases:
            positions = _find(typed, phrase, used)
            if positions is None:
                continue
            for at in positions:
                used[at] = True
            concepts.append((tuple(typed[at] for at in sorted(positions)), *group))
        concepts += [((term,),) for term, done in zip(typed, used, strict=True) if not done]
        return concepts

    def rank(self, query: str, codes: Iterable[str]) -> list[str]:
        """`codes` that match at least one concept of `query`, the most relevant first."""
        concepts = self.concepts(query)
        scored = []
        for order, code in enumerate(codes):
            fields = self.fields[code]
            scores = [_concept_score(concept, fields) for concept in concepts]
            matched = sum(1 for score in scores if score > 0)
            if matched:
                scored.append((-matched, -sum(scores), order, code))
        return [code for *_rank, code in sorted(scored)]


def _find(typed: Alternative, phrase: Alternative, used: Sequence[bool]) -> list[int] | None:
    """Where the words of `phrase` are in `typed` (by stem, in any order, other words between
    them: "поставить машину на учёт" holds "поставить на учёт"), if they all are."""
    positions: list[int] = []
    for term in phrase:
        at = next(
            (
                at
                for at, typed_term in enumerate(typed)
                if not used[at] and at not in positions and typed_term.keys & term.keys
            ),
            None,
        )
        if at is None:
            return None
        positions.append(at)
    return positions


def _concept_score(concept: tuple[Alternative, ...], fields: Sequence[_Field]) -> float:
    """The weight of the best field the concept matches in, plus a little for every other
    alternative and field it matches (a tie between two names goes to the service that answers
    more of the ways of saying it)."""
    scores = [
        found.weight * _alternative_match(alternative, found)
        for alternative in concept
        for found in fields
    ]
    return max(scores) + TIE_BREAK * sum(scores) if scores else 0.0


def _alternative_match(alternative: Alternative, found: _Field) -> float:
    """The weakest match of the alternative's words in the field (0 as soon as one is missing)."""
    weakest = 1.0
    for term in alternative:
        weakest = min(weakest, found.match(term.word, term.keys))
        if not weakest:
            break
    return weakest


def build_index(
    services: Iterable[ServiceDefinition],
    categories: Mapping[str, I18n],
    life_situations: Mapping[str, I18n],
    synonyms: Synonyms,
) -> SearchIndex:
    spellings = spelling_stems(synonyms.spellings)

    def prepared(weight: int, texts: Iterable[str]) -> _Field:
        found = [word for text in texts for word in words(text)]
        keys = frozenset(key for word in found for key in word_keys(word, spellings))
        return _Field(weight, keys, tuple(sorted(set(found))))

    def three(text: I18n) -> tuple[str, str, str]:
        return (text.kk, text.ru, text.en)

    fields = {}
    for definition in services:
        taxonomy = [categories[code] for code in definition.categories]
        taxonomy += [life_situations[code] for code in definition.life_situations]
        fields[definition.code] = (
            prepared(NAME, three(definition.name)),
            prepared(TAXONOMY, [part for text in taxonomy for part in three(text)]),
            prepared(TEXT, [*three(definition.description), *three(definition.recipients)]),
        )
    index = SearchIndex(fields=fields, phrases=(), spellings=spellings)
    groups = [tuple(index.terms(words(phrase)) for phrase in group) for group in synonyms.groups]
    phrases = sorted(
        ((phrase, group) for group in groups for phrase in group), key=lambda item: -len(item[0])
    )
    return SearchIndex(fields=fields, phrases=tuple(phrases), spellings=spellings)
