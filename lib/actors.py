"""The actor registry: many spellings of a group → one canonical name and its affiliations.

``data/actors.csv`` has one row per canonical actor: ``actor,affiliations,aliases,description``
with ``;``-separated lists. Events keep the names their source used; matching goes through
:func:`actor_key`, a normalised form that folds case, apostrophes, dashes and spacing, so
"Kait’ib Hezbollah" and "kait'ib  hezbollah" are one key. The registry is consulted at query
time, so editing ``actors.csv`` takes effect without re-importing anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lib import geocheck

ACTORS_FILE = Path(__file__).resolve().parent.parent / "data" / "actors.csv"
# what names write for an apostrophe: the backtick, the typographic ones, the modifier letter,
# and the letters for ʿayn and hamza (the search, lib/store.SEARCH_APOSTROPHES, takes the same)
APOSTROPHE_LIKE = "`’‘ʼʿʾ"
_APOSTROPHES = str.maketrans({**dict.fromkeys(APOSTROPHE_LIKE, "'"), "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")
# ACLED names state forces with the government's period: "Military Forces of the United States
# (2021-)", "... (2017-2021)". The period is dropped from the key, so each period matches the
# registry's one actor. The same pattern, for DuckDB, is in lib/store.LEGACY_KEYS_SQL.
PERIOD_PATTERN = r"\(\s*\d{4}\s*-\s*(\d{4}\s*)?\)"
_PERIOD = re.compile(PERIOD_PATTERN)


def actor_key(name: str) -> str:
    """The matching key of an actor name: NFKC, lowercase, unified apostrophes, no ACLED period
    ("(2021-)"), single spaces."""
    text = unicodedata.normalize("NFKC", str(name)).translate(_APOSTROPHES).casefold()
    return _SPACES.sub(" ", _PERIOD.sub(" ", text)).strip()


@dataclass
class Actor:
    name: str
    affiliations: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    description: str = ""


class Registry:
    """Canonical actors, looked up by any alias (through :func:`actor_key`)."""

    def __init__(self, actors: Iterable[Actor]):
        self.actors: dict[str, Actor] = {}
        self._by_key: dict[str, str] = {}
        for actor in actors:
            self.actors[actor.name] = actor
            for alias in [actor.name, *actor.aliases]:
                key = actor_key(alias)
                previous = self._by_key.get(key)
                if previous and previous != actor.name:
                    raise ValueError(f"actors.csv: alias {alias!r} is given for both {previous!r} and {actor.name!r}")
                self._by_key[key] = actor.name

    @classmethod
    def from_csv(cls, path: Path = ACTORS_FILE) -> Registry:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = {"actor", "affiliations", "aliases"} - set(frame.columns)
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        return cls(
            Actor(
                name=row["actor"].strip(),
                affiliations=_split(row["affiliations"]),
                aliases=_split(row["aliases"]),
                description=row.get("description", "").strip(),
            )
            for _, row in frame.iterrows()
            if row["actor"].strip()
        )

    def canonical(self, name: str) -> str:
        """The canonical name for ``name``; an unknown name is its own canonical name."""
        return self._by_key.get(actor_key(name), str(name).strip())

    def resolve(self, name: str) -> str | None:
        """The canonical name for a known alias, or None."""
        return self._by_key.get(actor_key(name))

    def keys_for(self, canonical_names: Iterable[str]) -> list[str]:
        """Every matching key of the given canonical actors (their aliases included)."""
        wanted = set(canonical_names)
        keys = {key for key, name in self._by_key.items() if name in wanted}
        keys.update(actor_key(n) for n in wanted)  # actors not in the registry match themselves
        return sorted(keys)

    def search(self, text: str) -> list[str]:
        """Canonical actors any of whose spellings contains ``text``, apostrophes, dashes and case
        aside: "kataib" finds Kata'ib Hezbollah and Kata'ib Sayyid al-Shuhada (the search box's
        actor half). An alias found whole counts however short ("KH"); otherwise a text of 1–3
        letters finds none, as the search box takes it as a whole word ("IED" is in "Unidentified
        armed group", "ira" in "Iraq" and "IRGC"). A country's name finds only the actors it is
        part of the name of, not of an alias: "Jordan" is in the alias "Unidentified Armed Group
        (Jordan)", and "Syria" in "US Forces in Syria", but it does not name every unidentified
        group or every US strike."""
        found = {self.resolve(text)} - {None}
        wanted = _bare(text)
        if len(wanted) > 3:
            place = geocheck.known(text) is not None
            spellings = self.actors if place else self._by_key
            found |= {self._by_key.get(actor_key(key), key) for key in spellings if wanted in _bare(key)}
        return sorted(found)

    def affiliations(self) -> list[str]:
        return sorted({a for actor in self.actors.values() for a in actor.affiliations})

    def members_of(self, affiliations: Iterable[str]) -> list[str]:
        """Canonical actors having any of ``affiliations``."""
        wanted = set(affiliations)
        return sorted(name for name, actor in self.actors.items() if wanted & set(actor.affiliations))

    def canonical_names(self, raw_keys: Iterable[str]) -> list[str]:
        """Distinct canonical names for a collection of stored actor keys, sorted."""
        return sorted({self._by_key.get(k, k) for k in raw_keys if k})


def _bare(text: str) -> str:
    """A name for substring search: its key without apostrophes and dashes."""
    return _SPACES.sub(" ", actor_key(text).replace("'", "").replace("-", " ")).strip()


def _split(text: str) -> list[str]:
    return [part.strip() for part in str(text).split(";") if part.strip()]
