"""Texts about the data for the About and Data pages: dataset summaries and the codebook."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lib import filters
from lib.store import DatasetInfo, disk_advice, format_name

CODEBOOK = Path(__file__).resolve().parent.parent / "data" / "CODEBOOK.md"


def dataset_table(infos: Iterable[DatasetInfo]) -> pd.DataFrame:
    """One row per dataset: name, events, first and last date, format, shipped or imported, when."""
    return pd.DataFrame(
        [
            {
                "dataset": i.name,
                "events": i.rows,
                "first date": i.min_date,
                "last date": i.max_date,
                "format": format_name(i.source_format),
                "origin": "shipped with Sitrep" if i.shipped else f"last import {i.imported_at or ''}".strip(),
            }
            for i in infos
        ],
        columns=["dataset", "events", "first date", "last date", "format", "origin"],
    )


def commit_refused(why: object, dataset: str, unreadable: bool) -> str:
    """The Data page's words when a commit was refused. This page replaces no dataset: for one
    whose stored file cannot be read, the way out here is its "Remove" box, then the commit."""
    here = (
        f" On this page: remove '{dataset}' in \"Remove an imported dataset\" above, then commit this file again."
        if unreadable
        else ""
    )
    full = disk_advice(why) if isinstance(why, BaseException) else ""  # a full disk, said as one
    return f"Nothing was stored: {filters.clause(why)}.{full}{here}"


def problem_texts(problems: dict[str, str], shown: Iterable[str]) -> list[str]:
    """What is wrong with imported datasets (``Store.problems``), one sentence each: a dataset
    that cannot be shown at all, or one shown without its index of words."""
    shown = set(shown)
    return [
        f"The dataset '{name}' {'is shown, but' if name in shown else 'cannot be shown:'} {problem}"
        for name, problem in sorted(problems.items())
    ]


def codebook_text() -> str:
    return CODEBOOK.read_text(encoding="utf-8")


def codebook_for_readers() -> str:
    """The codebook as the About page shows it, under its "Codebook" heading: without its own
    title, its headings one level down (h3 under the page's h2), and without the sentence for developers about the test
    that keeps it true."""
    text = codebook_text()
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        text = "\n".join(lines[1:])
    text = re.sub(r"\s*`tests/test_codebook\.py` fails.*?disagree\.", "", text, flags=re.S)
    return re.sub(r"^(#{2,4}) ", lambda m: "#" * (len(m.group(1)) + 1) + " ", text, flags=re.M)


def codebook_columns() -> list[str]:
    """The names of the codebook table's columns ("column", "type", …), from its header row."""
    for line, below in itertools.pairwise(codebook_text().splitlines()):
        if line.startswith("|") and re.match(r"^\|\s*:?-", below):
            return [cell.strip() for cell in line.strip().strip("|").split("|")]
    return []
