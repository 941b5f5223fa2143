"""Small article folders for testing `content check`, one broken rule at a time."""

from __future__ import annotations

from pathlib import Path

from nervetjek.content.check import Report, check

GOOD_DA = """\
---
title: "Iskias"
metaTitle: "Iskias: tegn og hjælp"
description: "Iskias er smerter, der stråler fra lænden ned i benet. Læs om tegn, årsager og hjælp."
datePublished: "01/02/2025"
lastUpdated: "01/03/2025"
lastReviewed: "01/03/2025"
reviewedBy: "Nervetjeks faglige redaktion"
pattern: "lumbar_radiculopathy"
kind: "condition"
references:
  - "NICE NG59 (2016)"
---

Kort indledning. Se [øvelser](/viden/iskias#behandling).

## Hvad er symptomerne? {#symptomer}

Det gør ondt i benet.

## Hvad er årsagerne? {#aarsager}

En nerverod er i klemme.

### Kan det være en diskusprolaps? {#diskusprolaps}

Ja, tit.

## Hvordan bliver du undersøgt? {#undersoegelse}

Lægen tester kraft og følesans. ![Tegning af et ben](/static/img/ben.svg)

## Hvordan bliver det behandlet? {#behandling}

Hold dig i gang.

| Hvad | Hvor tit |
| --- | --- |
| Gå | Hver dag |

## Hvad kan du selv gøre? {#selvhjaelp}

Gå korte ture. Se [symptomer](#symptomer).

## Hvornår skal du søge hjælp? {#soeg-hjaelp}

Ring 112 ved problemer med blæren.

## Bliver jeg rask? {#prognose}

De fleste bliver bedre.

## Ofte stillede spørgsmål {#ofte-stillede-spoergsmaal}

### Går det over af sig selv? {#faq-gaar-det-over}

Ja, tit.
"""


def english(text: str) -> str:
    return (
        text.replace("Nervetjeks faglige redaktion", "Nervetjek editorial team")
        .replace('title: "Iskias"', 'title: "Sciatica"')
        .replace("Hvad er symptomerne?", "What are the symptoms?")
    )


GOOD_EN = english(GOOD_DA)

ADVICE = """\
steps:
  - id: one
    kind: treatment
    when: {pattern: lumbar_radiculopathy}
    text: {da: "Hold dig i gang.", en: "Keep moving."}
    see: iskias#behandling
"""


def make_root(
    tmp_path: Path,
    da: str = GOOD_DA,
    en: str | None = GOOD_EN,
    slug: str = "iskias",
    extra: dict[str, str] | None = None,
) -> Path:
    """A content root with da/ and en/ folders, a static folder and an advice file."""
    root = tmp_path / "articles"
    for lang, text in (("da", da), ("en", en)):
        (root / lang).mkdir(parents=True, exist_ok=True)
        if text is not None:
            (root / lang / f"{slug}.md").write_text(text, "utf-8")
    for relative, text in (extra or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    static = tmp_path / "static" / "img"
    static.mkdir(parents=True, exist_ok=True)
    (static / "ben.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    (tmp_path / "advice.yaml").write_text(ADVICE, "utf-8")
    return root


def run_check(root: Path, advice: bool = False, **options) -> Report:
    options.setdefault("patterns", {"lumbar_radiculopathy": "iskias"})
    options.setdefault("own", ())
    return check(
        root,
        advice_file=root.parent / "advice.yaml" if advice else None,
        static_dir=root.parent / "static",
        **options,
    )


def messages(report: Report) -> list[str]:
    def where(path: Path) -> str:
        return f"{path.parent.name}/{path.name}" if path.parent.name in ("da", "en") else path.name

    return [f"{where(p.path)}:{p.line}: {p.message}" for p in report.problems]


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
