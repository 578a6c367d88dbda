"""Readability scores for notice texts: Flesch-Kincaid grade level (English) and the
Szigriszt-Pazos perspicuity index (Spanish, read on the INFLESZ scale).

Both need counts of sentences, words and syllables. Syllables are counted by rule (vowel
groups, with English silent endings and Spanish diphthongs and hiatus), which is what the
formulas were calibrated with closely enough to steer a writer; it is not a dictionary count.
Headings and list items count as sentences of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+(?:'[A-Za-z]+)?")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
EN_VOWELS = re.compile(r"[aeiouy]+")
ES_VOWELS = "aeiouáéíóúü"
ES_STRONG = "aeoáéóíú"  # accented i and u break a diphthong (hiatus), like a strong vowel


@dataclass(frozen=True)
class Counts:
    sentences: int
    words: int
    syllables: int


def _sentences(text: str) -> list[str]:
    """Each line is its own unit (headings, list items); within a line, split at . ! ?"""
    units = []
    for line in text.splitlines():
        line = line.strip().lstrip("#-* ").strip()
        units += [part for part in SENTENCE_END.split(line) if WORD.search(part)]
    return units


def english_syllables(word: str) -> int:
    w = word.lower().replace("'", "")
    if len(w) <= 3:
        return 1
    if w.endswith("es") or w.endswith("ed"):
        if not w.endswith(("ted", "ded", "ses", "zes", "ches", "shes", "ges", "ces", "xes")):
            w = w[:-2]
    elif w.endswith("e") and not w.endswith("le"):
        w = w[:-1]
    return max(1, len(EN_VOWELS.findall(w)))


def spanish_syllables(word: str) -> int:
    w = word.lower()
    if w.endswith("y") and len(w) > 1 and w[-2] in ES_VOWELS:
        w = w[:-1] + "i"  # "hoy", "muy": a final y after a vowel closes a diphthong
    count, previous = 0, ""
    for letter in w:
        if letter not in ES_VOWELS:
            previous = ""
            continue
        if not previous or (letter in ES_STRONG and previous in ES_STRONG):
            count += 1  # a new vowel group, or two strong vowels in hiatus
        previous = letter
    return max(1, count)


def counts(text: str, *, spanish: bool = False) -> Counts:
    units = _sentences(text)
    words = [w for unit in units for w in WORD.findall(unit)]
    count = spanish_syllables if spanish else english_syllables
    return Counts(len(units), len(words), sum(count(w) for w in words))


def flesch_kincaid_grade(text: str) -> float:
    """US school grade: 0.39 (words/sentence) + 11.8 (syllables/word) - 15.59."""
    c = counts(text)
    if not c.words:
        raise ValueError("no words to score")
    return 0.39 * c.words / c.sentences + 11.8 * c.syllables / c.words - 15.59


def szigriszt_pazos(text: str) -> float:
    """Perspicuity: 206.835 - 62.3 (syllables/word) - (words/sentence); INFLESZ reads 55 to 65
    as normal, 65 to 80 as fairly easy."""
    c = counts(text, spanish=True)
    if not c.words:
        raise ValueError("no words to score")
    return 206.835 - 62.3 * c.syllables / c.words - c.words / c.sentences


def fernandez_huerta(text: str) -> float:
    """Reading ease (Flesch's scale, as corrected): 206.84 - 60 (syllables/word) - 1.02
    (words/sentence); 60 to 70 is standard, 70 to 80 fairly easy."""
    c = counts(text, spanish=True)
    if not c.words:
        raise ValueError("no words to score")
    return 206.84 - 60 * c.syllables / c.words - 1.02 * c.words / c.sentences
