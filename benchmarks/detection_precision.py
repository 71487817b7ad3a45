#!/usr/bin/env python3
"""Precision and recall of place and actor detection on the labelled sentences.

    python benchmarks/detection_precision.py [-v]

Each sentence of tests/data/labelled_sentences.yml is matched alone, as an
article would be, against the packaged gazetteer; a found term counts as
right when its slug is in the sentence's labels. -v lists every miss and
every wrong find.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from archive_site.config import DEFAULT_TAXONOMIES
from archive_site.gazetteer import KINDS, PACKAGED, _read, tag_article
from archive_site.model import Article

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled_sentences.yml"


def sentence_article(text: str) -> Article:
    return Article(title="", slug="s", date=None, terms={}, summary="", body_html="",
                   text=text, word_count=0, source="sentence", format="text")


def evaluate(verbose: bool = False) -> dict[str, float]:
    """Return counts and precision/recall over all labelled sentences."""
    gazetteer = _read(PACKAGED.read_text(encoding="utf-8"), "gazetteer.yml")
    sentences = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    right = wrong = missed = 0
    for sentence in sentences:
        tagged, _, _ = tag_article(sentence_article(sentence["text"]), gazetteer, DEFAULT_TAXONOMIES)
        for kind in KINDS:  # the built-in taxonomies are named as the gazetteer's sections
            found = {gazetteer.lookup(kind, name).slug for name in tagged.terms[kind]}
            expected = set(sentence.get(kind) or [])
            right += len(found & expected)
            wrong += len(found - expected)
            missed += len(expected - found)
            if verbose and (found != expected):
                print(f"{sentence['text']}\n  wrong: {sorted(found - expected)}  missed: {sorted(expected - found)}")
    return {
        "sentences": len(sentences),
        "right": right,
        "wrong": wrong,
        "missed": missed,
        "precision": right / (right + wrong),
        "recall": right / (right + missed),
    }


if __name__ == "__main__":
    figures = evaluate(verbose="-v" in sys.argv)
    print(f"{figures['sentences']} sentences: {figures['right']} right, {figures['wrong']} wrong, "
          f"{figures['missed']} missed; precision {figures['precision']:.3f}, recall {figures['recall']:.3f}")
