#!/usr/bin/env python3
"""Precision and recall of place and actor detection on labelled sentences.

    python benchmarks/detection_precision.py [--set seed|fresh] [--half tune|held|all] [-v]

Each sentence is matched alone, as an article dated `date` would be, against
the packaged gazetteer. A found term counts as right when its slug is among
the sentence's labels. Two sets:

- seed (tests/data/labelled_sentences.yml): 73 sentences written with the
  first matcher's rules;
- fresh (tests/data/labelled_sentences_fresh.yml): 166 sentences written
  later, half of them (`held: true`) set aside before any tuning.

Figures are given per kind (places, actors) for the names the gazetteer
knows (labels whose slug it has), and, as "every named", the recall over
all the labels, names the gazetteer lacks included; then again as if an
editor accepted the names `check` proposes for a sentence (propose.py), up
to as many as it lacks. -v lists every miss and every wrong find.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import replace
from pathlib import Path

import yaml

from archive_site.config import DEFAULT_TAXONOMIES
from archive_site.gazetteer import KINDS, PACKAGED, _read, tag_article
from archive_site.model import Article
from archive_site.propose import propose

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {"seed": DATA / "labelled_sentences.yml", "fresh": DATA / "labelled_sentences_fresh.yml"}
LABELLED = SETS["seed"]


def sentence_article(text: str, date: dt.date | None = None) -> Article:
    article = Article(title="", slug="s", date=None, terms={}, summary="", body_html="",
                      text=text, word_count=0, source="sentence", format="text")
    return replace(article, date=dt.datetime.combine(date, dt.time())) if date else article


def evaluate(verbose: bool = False, which: str = "seed", half: str = "all") -> dict:
    """Counts and precision/recall, in all and per kind, over the sentences
    of the set `which` (of its `half`: tune, held or all)."""
    gazetteer = _read(PACKAGED.read_text(encoding="utf-8"), "gazetteer.yml")
    sentences = yaml.safe_load(SETS[which].read_text(encoding="utf-8"))
    if half != "all":
        sentences = [s for s in sentences if bool(s.get("held")) == (half == "held")]
    counts = {kind: {"right": 0, "wrong": 0, "missed": 0, "unknown": 0, "proposed": 0} for kind in KINDS}
    for sentence in sentences:
        tagged, _, _ = tag_article(sentence_article(sentence["text"], sentence.get("date")), gazetteer,
                                   DEFAULT_TAXONOMIES)
        for kind in KINDS:  # the built-in taxonomies are named as the gazetteer's sections
            found = {gazetteer.lookup(kind, name).slug for name in tagged.terms[kind]}
            labels = set(sentence.get(kind) or [])
            expected = {slug for slug in labels if gazetteer.get(kind, slug)}
            tally = counts[kind]
            tally["right"] += len(found & expected)
            tally["wrong"] += len(found - expected)
            tally["missed"] += len(expected - found)
            tally["unknown"] += len(labels - expected)
            # names the gazetteer lacks that `check` proposes for this sentence (an editor can accept them)
            proposed = [c for c in propose(sentence["text"], gazetteer) if c.kind == kind]
            tally["proposed"] += min(len(labels - expected), len(proposed))
            if verbose and (found != expected or labels != expected):
                print(f"{sentence['text']}\n  {kind}: wrong {sorted(found - expected)}  "
                      f"missed {sorted(expected - found)}  not in the gazetteer {sorted(labels - expected)}")
    figures = {"sentences": len(sentences)}
    for name, tallies in [*((kind, [counts[kind]]) for kind in KINDS), ("all", list(counts.values()))]:
        right, wrong, missed, unknown, proposed = (sum(t[key] for t in tallies)
                                                   for key in ("right", "wrong", "missed", "unknown", "proposed"))
        figures[name] = {"right": right, "wrong": wrong, "missed": missed, "unknown": unknown,
                         "precision": right / (right + wrong) if right + wrong else 1.0,
                         "recall": right / (right + missed) if right + missed else 1.0,
                         "every_named": right / (right + missed + unknown) if right + missed + unknown else 1.0,
                         "with_accepted": (right + proposed) / (right + missed + unknown)
                         if right + missed + unknown else 1.0}
    # The first set's figures, as earlier versions gave them.
    figures.update({key: figures["all"][key] for key in ("right", "wrong", "missed", "precision", "recall")})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="which", choices=sorted(SETS), default="seed")
    parser.add_argument("--half", choices=("tune", "held", "all"), default="all")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    figures = evaluate(args.verbose, args.which, args.half)
    print(f"{args.which} set, {args.half}: {figures['sentences']} sentences")
    for kind in (*KINDS, "all"):
        f = figures[kind]
        print(f"  {kind:7} precision {f['precision']:.3f}  recall {f['recall']:.3f} "
              f"({f['right']} right, {f['wrong']} wrong, {f['missed']} missed)  "
              f"every named {f['every_named']:.3f} ({f['unknown']} not in the gazetteer; "
              f"{f['with_accepted']:.3f} with the names check proposes accepted)")


if __name__ == "__main__":
    main()
