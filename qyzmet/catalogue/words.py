"""Words for search: normalising, stop words and stems in Kazakh, Russian and English.

A word becomes a set of keys: the Russian and Kazakh stems for a Cyrillic word (the script alone
does not say which of the two languages it is, and the keys of both rarely collide), the English
stem for a Latin word. Two words match when their keys meet, so "водительское" finds
"водительского" and "көлігін" finds "көлік", while "car" never finds "card".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping

import snowballstemmer

_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[а-яәғқңөұүһі]")
_KAZAKH_ONLY = re.compile(r"[әғқңөұүһі]")
_VOWELS = frozenset("аәеиоөуұүыіэюяё" + "aeiouy")

_ENGLISH_STOP = "a an the of for to in on at by and or my me i is it how do does can want with s"
_RUSSIAN_STOP = "а в во и или о об от на по с со к ко у для мне мой моя как где нужно хочу при из"
_KAZAKH_STOP = "және мен үшін туралы бойынша қалай керек маған менің"
STOP_WORDS = frozenset(f"{_ENGLISH_STOP} {_RUSSIAN_STOP} {_KAZAKH_STOP}".split())

# Kazakh is agglutinative: plural, possessive and case endings stack on the stem in that order
# (көлік-тер-ім-нің). Snowball has no Kazakh stemmer, so the endings are stripped from the right,
# one of each slot, longest first: case, then possessive, then plural. Derivational suffixes
# (-лық, -шы, -у) are kept, since they change the meaning (куә "witness", куәлік "certificate").
_CASE = (
    "ның нің дың дің тың тің ға ге қа ке ны ні ды ді ты ті да де та те дан ден тан тен мен бен пен"
)
# The pronominal case forms, which only follow a possessive -ы/-і (анықтама-сы-на).
_CASE_AFTER_POSSESSIVE = "н на не нда нде нан нен"
_POSSESSIVE = "ым ім ың ің ы і сы сі мыз міз ымыз іміз ңыз ңіз ыңыз іңіз"
_PLURAL = "лар лер дар дер тар тер"
_KAZAKH_SLOTS = tuple(
    tuple(sorted(endings.split(), key=len, reverse=True))
    for endings in (f"{_CASE} {_CASE_AFTER_POSSESSIVE}", _POSSESSIVE, _PLURAL)
)
_NEEDS_POSSESSIVE = frozenset(_CASE_AFTER_POSSESSIVE.split())
_KAZAKH_MIN_STEM = 3
# A stem's last voiceless consonant is voiced before a vowel ending (куәлік -> куәлігі).
_DEVOICED = {"г": "к", "ғ": "қ", "б": "п"}


def normalise(text: str) -> str:
    """Case-folded, with ё written е (Russian texts use both)."""
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """The words of `text`, normalised, stop words left out."""
    return [word for word in _WORD.findall(normalise(text)) if word not in STOP_WORDS]


def kazakh_stem(word: str) -> str:
    """`word` without its Kazakh inflectional endings (a small suffix stripper)."""
    stem = word
    for endings in _KAZAKH_SLOTS:
        for ending in endings:
            rest = stem[: -len(ending)]
            if stem.endswith(ending) and _is_stem(rest, ending):
                stem = rest
                break
    if stem != word and stem[-1] in _DEVOICED:
        stem = stem[:-1] + _DEVOICED[stem[-1]]
    return stem


def _is_stem(rest: str, ending: str) -> bool:
    if ending in _NEEDS_POSSESSIVE and not rest.endswith(("ы", "і")):
        return False
    return len(rest) >= _KAZAKH_MIN_STEM and any(letter in _VOWELS for letter in rest)


_PER_THREAD = threading.local()


def _stemmer(language: str) -> snowballstemmer.Stemmer:
    """One stemmer per language and thread: a Snowball stemmer keeps the word it is working on in
    itself, so two threads sharing one garble each other's words (an IndexError, a 500)."""
    stemmers: dict[str, snowballstemmer.Stemmer] = _PER_THREAD.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


def english_stem(word: str) -> str:
    return _stemmer("english").stemWord(word)


def spelling_stems(spellings: Mapping[str, str]) -> dict[str, str]:
    """American to British spellings ("license": "licence") as stems, so that every form of
    the word follows ("licensing" -> "licenc")."""
    return {
        english_stem(normalise(us)): english_stem(normalise(uk)) for us, uk in spellings.items()
    }


def word_keys(word: str, spellings: Mapping[str, str] | None = None) -> frozenset[str]:
    """The stems under which a normalised word is found; `spellings` (from `spelling_stems`)
    gives American and British English one stem."""
    if _CYRILLIC.search(word):
        keys = {kazakh_stem(word)}
        if not _KAZAKH_ONLY.search(word):
            keys.add(_stemmer("russian").stemWord(word))
        return frozenset(keys)
    if word.isascii() and word.isalpha():
        stem = english_stem(word)
        return frozenset({(spellings or {}).get(stem, stem)})
    return frozenset({word})
