"""The event store: durable datasets on disk, queried in-process with DuckDB.

Layout. ``SITREP_STORE`` names the catalog file (default ``.sitrep/catalog.json`` in the
project). Each imported dataset is one immutable Parquet file beside it; the catalog says
which file is the current version of each dataset. An import writes a new Parquet file,
then swaps the catalog with an atomic rename under a file lock, so a killed import leaves
the previous catalog — and every reader's view — exactly as it was, and readers in other
processes keep querying the files they opened. (A single DuckDB database file cannot be
written by an importing process while a serving process has it open, which is why the
durable form is Parquet + catalog and DuckDB is the query engine.)

The shipped CSVs in ``data/`` are not copied into the store: they are loaded into memory
at start, so the app also runs on a read-only filesystem.

Every dataset is exposed to SQL as a view named by :meth:`Store.relation`; the name is
made here from the catalog, never from a URL.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lib import actors, schema

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SHIPPED_FILES = [DATA_DIR / "events.csv"]
DEFAULT_STORE = PROJECT_ROOT / ".sitrep" / "catalog.json"
DATASET_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# Files no catalog names any more are deleted only when this old, so that a reader which
# still has the previous version open can finish its query.
GARBAGE_AGE_SECONDS = 600


@dataclass(frozen=True)
class DatasetInfo:
    """What the catalog knows about one dataset."""

    name: str
    rows: int
    min_date: str | None
    max_date: str | None
    source_format: str
    licence: str
    shipped: bool
    fingerprint: str
    imported_at: str | None = None
    files: tuple[str, ...] = ()
    words: bool = False  # its search has an index of words (write_word_index): views <view>_postings, <view>_words

    @property
    def directed(self) -> bool:
        """Whether actor 1 is the side that acted on actor 2 (see :data:`UNDIRECTED_FORMATS`)."""
        return self.source_format not in UNDIRECTED_FORMATS

    @property
    def subject(self) -> str:
        """What the dataset's events are called: "Strikes and attacks" in Sitrep's own data (its
        codebook's scope), "Events" in ACLED, UCDP and GDELT data, which hold protests, battles,
        agreements… as well."""
        return "Events" if self.source_format in BROAD_FORMATS else "Strikes and attacks"


# Formats whose actor order is not a direction: ACLED says its actor order implies none, and
# UCDP GED lists the dyad's sides (government first), not who acted. Sitrep's own data, GDELT
# (source → target) and plain files (by the data contract) put the attacker first. The app then
# says "Actor 1"/"Actor 2", not "Attacker"/"Target".
UNDIRECTED_FORMATS = frozenset({"acled", "ucdp"})
# Formats whose events are of every kind their source codes, not only strikes and attacks.
BROAD_FORMATS = frozenset({"acled", "ucdp", "gdelt"})

LICENCES = {
    "acled": (
        "ACLED data: its terms of use forbid redistributing the raw data. Share links carry "
        "filters only; cite ACLED (acleddata.com) in any output."
    ),
    "ucdp": (
        "UCDP GED, CC BY 4.0: cite Sundberg & Melander (2013), Journal of Peace Research 50(4), "
        "and Davies et al. (2023)."
    ),
    "gdelt": "The GDELT Project: open for any use with attribution to the GDELT Project.",
    "csv": "As stated by whoever supplied the file.",
    "shipped": "Sitrep's curated dataset, CC BY 4.0; each row links the report it was coded from.",
}
# A format in words: "csv" is a plain table in Sitrep's own columns, whether it came as a CSV
# file or as a workbook, so an .xlsx is not reported as "csv".
FORMAT_NAMES = {
    "acled": "ACLED",
    "ucdp": "UCDP GED",
    "gdelt": "GDELT",
    "csv": "plain-table",
    "shipped": "shipped",
}


def format_name(source_format: str) -> str:
    """``source_format`` in words ("ACLED", "plain-table"), as messages about formats say it."""
    return FORMAT_NAMES.get(source_format, source_format)


def store_path() -> Path:
    """The catalog file: ``$SITREP_STORE`` or the project default. ``SITREP_STORE`` may name the
    catalog file or a folder to keep the store in (its ``catalog.json``): a folder that exists,
    or a path not yet there that does not end in ``.json``. Named a folder, the store read
    "[Errno 21] Is a directory … Restore it from a backup", and a new file's Parquet files
    landed loose beside it."""
    value = os.environ.get("SITREP_STORE")
    if not value:
        return DEFAULT_STORE
    path = Path(value).expanduser().resolve()
    if path.is_dir() or (not path.exists() and path.suffix.lower() != ".json"):
        return path / DEFAULT_STORE.name
    return path


def validate_dataset_name(name: str) -> str:
    """Return ``name`` if it is a valid dataset name, else raise ValueError saying the rule."""
    if not DATASET_NAME.match(name or ""):
        raise ValueError(
            f"dataset name {name!r} is not allowed: use 1–64 lowercase letters, digits, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    return name


LICENCE_MAX = 300


def validate_licence(text: str, source_format: str) -> str:
    """A licence note given for a dataset, tidied (one line), or ValueError saying what is wrong.

    Only a plain table's licence is the importer's to state: ACLED, UCDP and GDELT data carry
    their publishers' terms, which Sitrep states itself (:data:`LICENCES`)."""
    if source_format != "csv":
        raise ValueError(
            f"a licence can be given for a plain table only: {format_name(source_format)} data carries its "
            f"publisher's terms, which Sitrep states itself ({LICENCES[source_format]})"
        )
    line = " ".join(str(text).split())
    if not line:
        raise ValueError("the licence is empty: give its terms in words, e.g. 'CC BY 4.0, cite X'")
    if len(line) > LICENCE_MAX:
        raise ValueError(
            f"the licence is {len(line):,} characters long; give at most {LICENCE_MAX} (its name and a link to "
            "the terms)"
        )
    return line


SPELT_OUT = str.maketrans({"ß": "ss", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Đ": "D",
                           "đ": "d", "Þ": "Th", "þ": "th", "Œ": "OE", "œ": "oe", "ı": "i"})  # fmt: skip


def suggest_dataset_name(filename: str) -> str:
    """A valid dataset name made from a file name ("ACLED Iraq 2024.xlsx" → "acled-iraq-2024")."""
    # letters with accents as their base letter ("événements" → "evenements", not "v-nements"),
    # and those with none as their usual spelling ("Straße" → "strasse", "Łódź" → "lodz")
    path = Path(filename)
    if path.suffix.lower() in (".zip", ".gz"):  # "20210226.export.CSV.zip": named for the file inside
        path = Path(path.stem)
    stem = path.stem.translate(SPELT_OUT)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9_.-]+", "-", stem).strip("-.")[:64]
    return name if DATASET_NAME.match(name) else "imported"


# Derived tables (Store.derived_table, e.g. a search text's events) kept per process: at most
# this many, and this many rowkeys in all (8 bytes each: 80 MB), unless one table alone holds
# more. A table no longer kept is dropped this long after, in case a query was given its name.
DERIVED_TABLES = 8
DERIVED_ROWS = 10_000_000
RETIRED_SECONDS = 60.0
# Small results kept by the query that made them (Store.per_query): a few KB each.
QUERY_RESULTS = 256

# The version of actors.actor_key that the stored key columns were made with. Version 2 drops
# ACLED's government period ("(2021-)"). A dataset imported before has no "actor_keys" entry in
# the catalog; its view recomputes the keys in DuckDB (LEGACY_KEYS_SQL): correct, a little slower.
ACTOR_KEYS_VERSION = 2


def _legacy_keys_sql(column: str) -> str:
    pattern = actors.PERIOD_PATTERN.replace("'", "''")
    fold = f"trim(regexp_replace(regexp_replace(k, '{pattern}', ' ', 'g'), '\\s+', ' ', 'g'))"
    return f"list_distinct(list_transform({column}, lambda k: {fold})) AS {column}"


LEGACY_KEYS_SQL = f"* REPLACE ({_legacy_keys_sql('attacker_keys')}, {_legacy_keys_sql('target_keys')})"


def cell_keys(cell: object) -> list[str]:
    """The normalised keys of the actors one actor cell names ("A; B" names two)."""
    return [actors.actor_key(n) for n in schema.split_list(cell)] if isinstance(cell, str) else []


def actor_keys_column(frame: pd.DataFrame, first: str, assoc: str) -> list[list[str]]:
    """Per row, the normalised keys of the actor in ``first`` and those listed in ``assoc``.

    Keys are computed once per distinct cell (a million rows hold a few thousand actors).
    """
    memo: dict[object, list[str]] = {}

    def keys(cell: object) -> list[str]:
        if cell not in memo:
            memo[cell] = cell_keys(cell)
        return memo[cell]

    out = []
    for a, b in zip(frame[first].tolist(), frame[assoc].tolist(), strict=True):
        names = keys(a) + keys(b)
        out.append(sorted(set(names)) if len(names) > 1 else names)
    return out


# The search box's text is looked for in one stored column, ``search``: the fields below of an
# event, joined by a character no search text holds (so a text never spans two fields), folded
# as the search text is (search_fold): lower-cased, apostrophes out ("Kataib" finds "Kata'ib"),
# dashes as spaces ("Dayr az Zawr" finds "Dayr az-Zawr"), letters without their accents
# ("Kirkuk" finds "Kirkūk", "Sanliurfa" finds "Şanlıurfa"). One column's scan, not eight
# fields' each folded per query: 0.45 s against 1.3–1.8 s for a new search of 5M events. The
# catalog records the version (SEARCH_VERSION); the view of a file made before computes the
# column in DuckDB (LEGACY_SEARCH_SQL): the same events, more slowly.
SEARCH_FIELDS = ("location", "notes", "admin1", "admin2", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
# the straight apostrophe and what names write for one, as actors.actor_key takes them
SEARCH_APOSTROPHES = "'" + actors.APOSTROPHE_LIKE
SEARCH_DASHES = "‐‑‒–—―−-"  # hyphens, figure dash, en and em dashes, bar, minus, hyphen-minus (last: a regex class)
SEARCH_SEPARATOR = "\x1f"  # the unit separator: a control character, which search texts lose
# letters that lose no accent but have a usual spelling ("ß" → "ss", "ı" → "i"), lower case
# (and Greek's final sigma as the other: "ΟΔΟΣ" lower-cased ends in σ)
SEARCH_SPELT = {chr(k): v.lower() for k, v in SPELT_OUT.items() if chr(k).islower()} | {"ς": "σ"}
SEARCH_VERSION = 1


def _fold(text: pa.Array) -> pa.Array:
    """Text as the search compares it (see SEARCH_FIELDS); the same function for the stored
    column and the search text, so the two always agree.

    The ASCII marks are replaced in every text; the rest only where a text holds more than
    ASCII, and the letters of SEARCH_SPELT only where a text holds one: a pass over every text
    costs ~20 ms a row group (14 such passes made one accent cost 21 s at 5M events). There,
    compatibility forms are taken apart first (NFKD: "＇" is an apostrophe, "ﬁ" is "fi")."""
    text = pc.utf8_lower(text)
    for mark, into in (("'", ""), ("`", ""), ("-", " ")):
        text = pc.replace_substring(text, mark, into)
    wide = pc.invert(pc.string_is_ascii(text))
    if not pc.any(wide).as_py():
        return text
    part = pc.utf8_normalize(pc.filter(text, wide), "NFKD")
    part = pc.replace_substring_regex(part, f"[\\p{{M}}{SEARCH_APOSTROPHES}]", "")  # accents, apostrophes
    part = pc.replace_substring_regex(part, f"[{SEARCH_DASHES}]", " ")
    spelt = pc.match_substring_regex(part, f"[{''.join(SEARCH_SPELT)}]")
    if pc.any(spelt).as_py():
        few = pc.filter(part, spelt)
        for letter, into in SEARCH_SPELT.items():
            few = pc.replace_substring(few, letter, into)
        part = pc.replace_with_mask(part, spelt, few)
    return pc.replace_with_mask(text, wide, pc.utf8_lower(part))  # lower again: NFKD made "ℌ" an "H"


def search_column(table: pa.Table) -> pa.Array:
    """The ``search`` column of stored events (see SEARCH_FIELDS)."""
    parts = [pc.fill_null(table.column(f).cast(pa.string()), "").combine_chunks() for f in SEARCH_FIELDS]
    return _fold(pc.binary_join_element_wise(*parts, SEARCH_SEPARATOR))


def search_fold(text: str) -> str:
    """A search text as the ``search`` column holds its events (the separator taken out)."""
    return _fold(pa.array([text.replace(SEARCH_SEPARATOR, "")], pa.string()))[0].as_py()


def _legacy_search_sql() -> str:
    parts = ", ".join(f"coalesce({f}, '')" for f in SEARCH_FIELDS)
    text = f"lower(concat_ws(chr({ord(SEARCH_SEPARATOR)}), {parts}))"
    for mark in SEARCH_APOSTROPHES:
        text = f"replace({text}, '{mark.replace(chr(39), chr(39) * 2)}', '')"
    for dash in SEARCH_DASHES:
        text = f"replace({text}, '{dash}', ' ')"
    for letter, spelt in SEARCH_SPELT.items():
        text = f"replace({text}, '{letter}', '{spelt}')"
    return f"strip_accents({text}) AS search"


LEGACY_SEARCH_SQL = _legacy_search_sql()
ROW_GROUP = 122_880


def write_parquet(table: pa.Table, path: str | Path) -> None:
    """A dataset's file: ``table`` (``to_arrow``) and its ``search`` column, made a few row groups
    at a time, one per core (Arrow's functions let go of the GIL; folding text beyond ASCII
    costs ~0.5 s a row group). At once, it would hold every event's text twice in memory: a GB
    at 5M events."""
    fields = table.schema.append(pa.field("search", pa.string()))
    starts = range(0, max(len(table), 1), ROW_GROUP)
    width = max(1, min(4, os.cpu_count() or 1))
    with pq.ParquetWriter(path, fields, compression="zstd") as writer, ThreadPoolExecutor(width) as pool:
        for batch in (starts[i : i + width] for i in range(0, len(starts), width)):
            parts = [table.slice(start, ROW_GROUP) for start in batch]
            for part, search in zip(parts, pool.map(search_column, parts), strict=True):
                writer.write_table(part.append_column("search", search), row_group_size=ROW_GROUP)


# The search's index of words (write_word_index): which events hold each word of their search
# text, where, and after which word. The text is cut at every single space (``string_split``),
# so that a text with no space is found inside one word, and one with spaces in consecutive
# words. Version 2 adds each word's previous word (version 1, never released, had none).
WORDS_VERSION = 2
WORDS_MEMORY = "512MB"  # the index is sorted by word; beyond this DuckDB sorts on disk (as quick at 5M as 1 GB)


def word_files(file: str) -> tuple[str, str]:
    """The index files of a dataset's Parquet file: its postings (every word of every event's
    search text: word, rowkey, place, the word before) and its words (each distinct word and
    how often): ``write_word_index``."""
    stem = file.removesuffix(".parquet")
    return f"{stem}.postings.parquet", f"{stem}.words.parquet"


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error is a full disk's: the system's ENOSPC, or DuckDB's words for a spill it
    could not write ("failed to offload data block", said as an Out of Memory Error)."""
    text = str(exc)
    return (
        getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in text or "failed to offload" in text
    )


def disk_advice(exc: BaseException, catalog_path: Path | None = None) -> str:
    """What to do when an import or a delete failed on a full disk (" …", to follow its message;
    "" for any other failure): the system's words, or DuckDB's "Out of Memory", said nothing of it."""
    if not is_disk_full(exc):
        return ""
    folder = (catalog_path or store_path()).parent
    return (
        f" The disk holding the store ({folder}) is full: free some space there (an import needs room for the "
        "new version beside the old, and for sorting its words), then try again."
    )


def write_word_index(path: str | Path, postings: str | Path, words: str | Path) -> None:
    """Index the ``search`` column of the dataset file ``path`` into ``postings`` and ``words``.

    ``postings`` holds one row per word of every event's search text, cut at single spaces
    (empty words too, where two spaces meet): ``word``, ``rowkey``, ``pos`` (its place in the
    text) and ``prev`` (the word before it; NULL for the first), sorted by word, so a lookup
    reads only the row groups of the words asked for. ``words`` holds each distinct word and
    its number of postings ``n``, sorted. About 1 minute and 166 MB at 5M synthetic events
    (a little over half the dataset's file): the previous word doubles both, and makes a text
    of two words one lookup, not a join of two (0.02–0.1 s against 0.1–0.3 at 5M)."""
    con = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix=".duckdb-", dir=Path(postings).parent)
    try:
        con.execute(f"SET memory_limit = '{WORDS_MEMORY}'")
        con.execute(f"SET temp_directory = '{_quoted(spill)}'")
        con.execute("SET preserve_insertion_order = false")
        v2 = "(FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)"  # delta-coded integers: a third of the size
        con.execute(
            f"""COPY (SELECT word, rowkey, pos, prev FROM (
                    SELECT rowkey, unnest(w) AS word, unnest(range(len(w)))::UINTEGER AS pos,
                           unnest(list_prepend(NULL, w[1:len(w) - 1])) AS prev
                    FROM (SELECT rowkey, string_split(search, ' ') AS w FROM read_parquet('{_quoted(path)}')))
                ORDER BY word, rowkey, pos) TO '{_quoted(postings)}' {v2}"""
        )
        con.execute(
            f"""COPY (SELECT word, count(*)::BIGINT AS n FROM read_parquet('{_quoted(postings)}')
                GROUP BY word ORDER BY word) TO '{_quoted(words)}' {v2}"""
        )
    except duckdb.Error as exc:  # a full disk (the sort spills beside the store), memory
        raise StoreError(f"could not index the words of the search ({error_line(exc)})") from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _quoted(path: str | Path) -> str:
    """A path inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The stored form of a canonical frame: canonical columns + ``rowkey`` + actor keys."""
    frame = frame.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)
    table = pa.Table.from_pandas(frame[schema.CANONICAL_COLUMNS], preserve_index=False)
    table = table.append_column("attacker_keys", pa.array(actor_keys_column(frame, "actor1", "assoc_actor_1")))
    table = table.append_column("target_keys", pa.array(actor_keys_column(frame, "actor2", "assoc_actor_2")))
    table = table.append_column("rowkey", pa.array(range(len(frame)), type=pa.int64()))
    return table


def frame_fingerprint(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    return digest.hexdigest()[:16]


def _json_kind(value: object) -> str:
    """A JSON value's kind in words, for a message: "null", "a list", "the number 5"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return "a list" if isinstance(value, list) else "an object"


def catalog_shape_problem(data: object) -> str | None:
    """What makes ``data`` (a catalog file's JSON) not a catalog, or None: a catalog is an object
    whose "datasets" is an object of entries by name, and whose "version", if there, a whole number."""
    if not isinstance(data, dict):
        return f'it holds {_json_kind(data)}, not an object with "datasets"'
    if "datasets" not in data:
        return 'it has no "datasets"'
    if not isinstance(data["datasets"], dict):
        return f'its "datasets" is {_json_kind(data["datasets"])}, not an object of datasets by name'
    version = data.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        return f'its "version" is {_json_kind(version)}, not a whole number'
    return None


# An imported dataset's catalog entry: the fields the store reads, and which may be absent.
ENTRY_TEXT_FIELDS = ("min_date", "max_date", "source_format", "licence", "fingerprint", "imported_at")
IMPORTED_FORMATS = frozenset(FORMAT_NAMES) - {"shipped"}


def entry_file(entry: object) -> str | None:
    """The file an entry of the catalog names, if it names one the store could hold (a name in
    the catalog's folder), else None."""
    file = entry.get("file") if isinstance(entry, dict) else None
    if not isinstance(file, str) or not file or file in (".", "..") or "/" in file or "\\" in file:
        return None
    return file


def entry_problem(entry: object) -> str | None:
    """What is wrong with one dataset's catalog entry (a file edited by hand or cut short), said
    after "its entry in the catalog …", or None if the store can read it. Such a dataset is
    one of :attr:`Store.problems`, not the whole store's failure."""
    if not isinstance(entry, dict):
        return f"is {_json_kind(entry)}, not an object of fields"
    if entry_file(entry) is None:
        if "file" not in entry:
            return 'names no file ("file")'
        return f'names no file it could hold ("file" is {_json_kind(entry["file"])})'
    rows = entry.get("rows")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        return 'has no count of events ("rows")' if rows is None else f'has "rows" {_json_kind(rows)}, not a count'
    for field in ENTRY_TEXT_FIELDS:
        if entry.get(field) is not None and not isinstance(entry[field], str):
            return f'has "{field}" {_json_kind(entry[field])}, not a text'
    for field in ("min_date", "max_date"):
        if entry.get(field) is not None:
            try:
                datetime.date.fromisoformat(entry[field][:10])
            except ValueError:
                return f'has "{field}" {_json_kind(entry[field])}, not a date (YYYY-MM-DD)'
    if entry.get("source_format", "csv") not in IMPORTED_FORMATS:
        known = ", ".join(sorted(IMPORTED_FORMATS))
        return f'has "source_format" {_json_kind(entry["source_format"])}, not one of {known}'
    return None


class Catalog:
    """The catalog file and its lock. All writes happen under :meth:`locked`."""

    def __init__(self, path: Path):
        self.path = path
        self.folder = path.parent

    def read(self) -> dict:
        """The catalog's contents: ``{"version": n, "datasets": {name: entry}}`` (empty if there is
        no catalog yet). Raises :class:`StoreError` if the file cannot be read or is not of that
        shape (valid JSON but not a catalog: ``{}``, ``null``, a list of datasets gave a
        traceback on every page). An entry of the wrong shape is one dataset's problem, not the
        catalog's: see :func:`entry_problem`."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return {"version": 0, "datasets": {}}
        except (NotADirectoryError, IsADirectoryError) as exc:
            raise StoreError(self.not_a_folder() or self._unreadable(exc)) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(self._unreadable(exc)) from exc
        wrong = catalog_shape_problem(data)
        if wrong:
            raise StoreError(self._unreadable(f"it is not a Sitrep catalog: {wrong}"))
        return data

    def _unreadable(self, why: object) -> str:
        return (
            f"the store catalog {self.path} cannot be read ({why}). Restore it from a backup, or "
            "point SITREP_STORE at another file; the Parquet files beside it are intact."
        )

    def not_a_folder(self) -> str | None:
        """What is wrong when the catalog's folder cannot be, because a file is in its place
        (``SITREP_STORE=/data/events.csv/catalog.json``); None otherwise."""
        for parent in self.path.parents:
            if parent.exists():
                if parent.is_dir():
                    return None
                return (
                    f"the store {self.path} cannot be opened: {parent} is a file, not a folder. Point "
                    "SITREP_STORE at a folder (Sitrep keeps its catalog.json there) or at a catalog .json file"
                )
        return None

    def mtime(self) -> float:
        try:
            return self.path.stat().st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):  # read() says what is wrong with the latter
            return 0

    @contextlib.contextmanager
    def locked(self, waiting: Callable[[], None] | None = None):
        """Hold the store's lock (the folder made first). Raises :class:`StoreError` if the store
        cannot be written (a read-only folder, a file in the folder's place). ``waiting`` is
        called once if another process holds the lock, before this one waits for it (an import
        or a delete that held it for half a minute left the command and the page silent)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_suffix(self.path.suffix + ".lock"), "a+")  # noqa: SIM115 (closed below)
        except OSError as exc:
            why = self.not_a_folder()
            if why is None:
                what = (exc.strerror or str(exc)).lower()
                why = (
                    f"the store in {self.folder} cannot be changed ({what}: {exc.filename or self.folder}). Run "
                    "this as a user who may write there, or point SITREP_STORE at a store you may change"
                )
            raise StoreError(why) from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting()
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def write(self, data: dict) -> None:
        """Replace the catalog atomically (temp file, fsync, rename, fsync folder)."""
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".catalog-", suffix=".tmp")
        try:
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:  # a full disk: no empty .catalog-*.tmp left behind at each try
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.folder)


class StoreError(RuntimeError):
    """A store problem with a message meant for the user."""


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WriteResult(NamedTuple):
    """What an import did: events added, events already held and left as they were, events
    already held that this file's version replaced (``update``), and the events the dataset
    held when the import took the store's lock (what a --replace replaced: counted before
    the lock, another import's rows were missed)."""

    added: int
    skipped: int
    updated: int = 0
    held: int = 0


def changed_ids(frame: pd.DataFrame, old: pd.DataFrame) -> set[str]:
    """The event ids of ``frame`` that ``old`` holds with other values in any canonical
    column (a corrected coordinate, a note, a count): what an update would change."""
    ids = set(old["event_id"].tolist())
    mine = frame[frame["event_id"].isin(ids)]
    if mine.empty:
        return set()
    columns = [c for c in schema.CANONICAL_COLUMNS if c in mine.columns and c in old.columns]
    a = schema._to_dtypes(mine[columns].copy()).drop_duplicates("event_id").set_index("event_id")
    b = schema._to_dtypes(old[columns].copy()).drop_duplicates("event_id").set_index("event_id").reindex(a.index)
    differ = pd.Series(False, index=a.index)
    for column in a.columns:
        x, y = a[column], b[column]
        differ |= x.isna() != y.isna()
        both = x.notna() & y.notna()
        differ |= both & (x.astype(str) != y.astype(str))
    return set(differ[differ].index)


def compare_with_stored(frame: pd.DataFrame, dataset: str, catalog_path: Path | None = None) -> tuple[int, int]:
    """How many of ``frame``'s events ``dataset`` already holds, and how many of those with
    other values (what ``write_dataset(update=True)`` would change): (0, 0) for a new dataset."""
    catalog = Catalog(catalog_path or store_path())
    file = entry_file(catalog.read()["datasets"].get(dataset))
    path = catalog.folder / file if file else None
    if path is None or not path.exists():
        return 0, 0
    try:
        old = pq.read_table(path, columns=schema.CANONICAL_COLUMNS).to_pandas()
    except (OSError, pa.ArrowException):  # damaged: none can be compared (the import says why it is refused)
        return 0, 0
    held = int(frame["event_id"].isin(set(old["event_id"].tolist())).sum())
    return held, len(changed_ids(frame, old)) if held else 0


RESPONSE_WARNINGS_SHOWN = 10


def unknown_responses(
    frame: pd.DataFrame, dataset: str, catalog_path: Path | None = None, replace: bool = False
) -> list[schema.Problem]:
    """Warnings for ``response_to`` ids that neither ``frame`` nor the stored ``dataset`` (unless
    ``replace``, which drops it) holds: the event's details would show a bare id, not the
    event it answers. Reads only the stored ids named."""
    named: dict[str, list[str]] = {}
    for event_id, answers in zip(frame["event_id"], frame["response_to"], strict=True):
        for other in schema.split_list(None if pd.isna(answers) else answers):
            named.setdefault(other, []).append(str(event_id))
    missing = set(named) - set(frame["event_id"].astype(str))
    if missing and not replace:
        catalog = Catalog(catalog_path or store_path())
        file = entry_file(catalog.read()["datasets"].get(dataset))
        path = catalog.folder / file if file else None
        if path is not None and path.exists():
            # a damaged file holds none that can be read: warned of as missing (an import without
            # --replace is then refused, saying why)
            with contextlib.suppress(OSError, pa.ArrowException):
                held = pq.read_table(path, columns=["event_id"], filters=[("event_id", "in", sorted(missing))])
                missing -= set(held.column("event_id").to_pylist())
    problems = []
    for other in sorted(missing, key=lambda o: (-len(named[o]), o))[:RESPONSE_WARNINGS_SHOWN]:
        by = named[other]
        shown = ", ".join(by[:3]) + (f" and {len(by) - 3:,} more" if len(by) > 3 else "")
        problems.append(
            schema.Problem(
                f"{other!r}, named as the event answered by {shown}, is in neither this file nor "
                f"'{dataset}': the details will show its id, not the event. Correct the id, or import that event too",
                column="response_to",
                fatal=False,
            )
        )
    if len(missing) > RESPONSE_WARNINGS_SHOWN:
        more = f"… and {len(missing) - RESPONSE_WARNINGS_SHOWN:,} more ids in neither this file nor '{dataset}'"
        problems.append(schema.Problem(more, column="response_to", fatal=False))
    return problems


def write_dataset(
    frame: pd.DataFrame,
    dataset: str,
    source_format: str,
    catalog_path: Path | None = None,
    replace: bool = False,
    on_progress=None,
    update: bool = False,
    licence: str | None = None,
    expect_file: str | None = None,
) -> WriteResult:
    """Add a canonical frame to ``dataset`` in the store, all or nothing.

    Rows whose ``event_id`` the dataset already holds are skipped (a repeated import adds
    nothing), unless ``update`` is true, when those whose values differ replace the stored
    ones (a corrected file imported again), or ``replace`` is true, when the dataset becomes
    exactly ``frame``. Returns a :class:`WriteResult`. ``on_progress(fraction, text)`` is
    called as the work advances. ``licence`` states a plain table's terms (:func:`validate_licence`);
    without it, the dataset keeps the licence it has. With ``expect_file``, the write is
    refused unless the dataset's file is still that one (its rows were read from it). Raises
    :class:`StoreError` with a user-facing message.
    """
    validate_dataset_name(dataset)
    if licence is not None:
        try:
            licence = validate_licence(licence, source_format)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
    if dataset in shipped_dataset_names():
        raise StoreError(f"'{dataset}' is a shipped dataset; import under another name")
    catalog = Catalog(catalog_path or store_path())
    progress = on_progress or (lambda fraction, text: None)
    frame = frame.copy()
    frame["dataset"] = dataset
    with catalog.locked(waiting=lambda: progress(0.0, "waiting for another import or delete in this store to finish")):
        data = catalog.read()
        entry = data["datasets"].get(dataset)
        if expect_file is not None and entry_file(entry) != expect_file:
            raise StoreError(f"'{dataset}' changed while its rows were read (another import?); run it again")
        if entry is not None and not replace:
            why = _stored_problem(catalog, dataset, entry)
            if why:  # its rows cannot be read to add these to: --replace, or remove it
                raise StoreError(f"{why}, so this file's events cannot be added to its own: {_remedy(dataset)}")
        if entry is not None and entry_problem(entry):  # replaced whole: nothing of it is read
            entry = None
        # what it holds now, under the lock: none that can be read, for a damaged file a --replace swaps
        held = _rows(entry) if entry is not None and not (replace and _stored_problem(catalog, dataset, entry)) else 0
        skipped = 0
        clash = format_clash(dataset, entry.get("source_format", "csv") if entry else None, source_format)
        if clash and not replace:
            raise StoreError(
                f"{clash}: import it into another dataset (or replace this one's rows: "
                "python -m lib import FILE --replace)"
            )
        if entry and not replace:
            progress(0.1, "reading the dataset's current version")
            old_path = catalog.folder / entry["file"]
            try:
                old = pq.read_table(old_path, columns=schema.CANONICAL_COLUMNS).to_pandas()
            except (OSError, pa.ArrowException) as exc:  # damaged past its footer: not a traceback
                raise StoreError(
                    f"the stored file of '{dataset}' ({old_path.name}) is damaged ({error_line(exc)}), so this "
                    f"file's events cannot be added to its own: {_remedy(dataset)}"
                ) from None
            old = schema._to_dtypes(old)
            is_new = ~frame["event_id"].isin(set(old["event_id"].tolist()))
            added = frame[is_new]
            changed = changed_ids(frame[~is_new], old) if update else set()
            skipped = int((~is_new).sum()) - len(changed)
            if changed:  # this file's version of the events it corrects
                old = pd.concat(
                    [old[~old["event_id"].isin(changed)], frame[frame["event_id"].isin(changed)]], ignore_index=True
                )
            merged = pd.concat([old, added], ignore_index=True) if len(added) else old
        else:
            added = frame
            merged = frame
            changed = set()
        if source_format != "csv":
            terms = LICENCES[source_format]
        elif licence is not None:
            terms = licence
        elif entry and entry.get("source_format", "csv") == "csv":
            terms = entry.get("licence", LICENCES["csv"])
        else:
            terms = LICENCES["csv"]
        if entry and len(added) == 0 and not changed and not replace:
            if terms != entry.get("licence"):  # the licence alone is new: the rows stay as they are
                entry["licence"] = terms
                data["version"] = int(data.get("version", 0)) + 1
                catalog.write(data)
            progress(1.0, "nothing new to add")
            return WriteResult(0, skipped, held=held)
        progress(0.3, "writing the new version")
        table = to_arrow(merged)
        name = f"{dataset}-{uuid.uuid4().hex[:12]}.parquet"
        fd, tmp = tempfile.mkstemp(dir=catalog.folder, prefix=".import-", suffix=".parquet")
        os.close(fd)
        index = [catalog.folder / temp for temp in word_files(Path(tmp).name)]
        try:
            write_parquet(table, tmp)
            progress(0.6, "indexing the words of the search")
            write_word_index(tmp, *index)
            finals = [catalog.folder / into for into in (*word_files(name), name)]
            _publish(zip([*index, Path(tmp)], finals, strict=True))  # the dataset's file last
        finally:
            _remove([*index, Path(tmp)])
        progress(0.9, "switching the catalog to the new version")
        dates = merged["event_date"]
        data["datasets"][dataset] = {
            "file": name,
            "rows": len(merged),
            "min_date": str(dates.min().date()) if len(merged) else None,
            "max_date": str(dates.max().date()) if len(merged) else None,
            "source_format": source_format,
            "licence": terms,
            "fingerprint": frame_fingerprint(merged[["event_id"]]) + uuid.uuid4().hex[:4],
            "imported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "actor_keys": ACTOR_KEYS_VERSION,
            "search": SEARCH_VERSION,
            "words": WORDS_VERSION,
        }
        data["version"] = int(data.get("version", 0)) + 1
        catalog.write(data)
        if entry:  # superseded now: its grace for readers in other processes starts now, not at its creation
            for file in (entry["file"], *word_files(entry["file"])):
                with contextlib.suppress(OSError):
                    os.utime(catalog.folder / file)
        _collect_garbage(catalog, data)
    progress(1.0, "done")
    return WriteResult(len(added), skipped, len(changed), held)


def _rows(entry: object) -> int:
    """The events a catalog entry says its dataset holds (0 for none, or an entry of the wrong shape)."""
    rows = entry.get("rows") if isinstance(entry, dict) else None
    return rows if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0 else 0


def index_dataset(dataset: str, catalog_path: Path | None = None, on_progress=None) -> str:
    """Bring an imported dataset's stored form up to date from its own rows, for a dataset
    imported before the current search column, actor keys or index of words. Returns what it
    did: "current" (nothing to do), "indexed" (the index of words written beside its file,
    the file untouched) or "rewritten" (the file made again from its rows, as an import with
    ``--replace`` of the same events would, with the index). Raises :class:`StoreError`."""
    catalog = Catalog(catalog_path or store_path())
    progress = on_progress or (lambda fraction, text: None)
    with catalog.locked():
        data = catalog.read()
        entry = data["datasets"].get(dataset)
        if entry is None:
            raise StoreError(f"unknown dataset '{dataset}'")
        why = _stored_problem(catalog, dataset, entry)
        if why:  # its rows cannot be read to make it again
            raise StoreError(f"{why}: {_remedy(dataset)}")
        path = catalog.folder / entry["file"]
        stored_form = entry.get("search") == SEARCH_VERSION and entry.get("actor_keys") == ACTOR_KEYS_VERSION
        index = [catalog.folder / name for name in word_files(entry["file"])]
        if stored_form and entry.get("words") == WORDS_VERSION and all(_readable(p) for p in index):
            return "current"
        if stored_form:  # the file is as an import makes it now: only its index is missing
            progress(0.1, "indexing the words of the search")
            temps = [catalog.folder / temp for temp in word_files(f".import-{uuid.uuid4().hex[:12]}.parquet")]
            try:
                write_word_index(path, *temps)
                _publish(zip(temps, index, strict=True))
            finally:
                _remove(temps)
            entry["words"] = WORDS_VERSION
            data["version"] = int(data.get("version", 0)) + 1
            catalog.write(data)
            progress(1.0, "done")
            return "indexed"
        progress(0.1, "reading the dataset's rows")
        rows = schema._to_dtypes(pq.read_table(path, columns=schema.CANONICAL_COLUMNS).to_pandas())
        source_format, licence, file = entry.get("source_format", "csv"), entry.get("licence"), entry["file"]
    write_dataset(  # after the lock is let go (it takes it): refused if another import came meanwhile
        rows,
        dataset,
        source_format,
        catalog_path=catalog.path,
        replace=True,
        on_progress=on_progress,
        licence=licence if source_format == "csv" else None,
        expect_file=file,
    )
    return "rewritten"


def stored_problem(dataset: str, catalog_path: Path | None = None) -> str | None:
    """Why an import of more events into ``dataset`` (not ``replace``) would be refused because
    the rows it holds cannot be read (its file missing or damaged, its catalog entry of the
    wrong shape), said as :func:`write_dataset` says it; None if they can be, or it is new.
    Raises :class:`StoreError` if the catalog cannot be read."""
    catalog = Catalog(catalog_path or store_path())
    entry = catalog.read()["datasets"].get(dataset)
    why = _stored_problem(catalog, dataset, entry) if entry is not None else None
    return f"{why}, so this file's events cannot be added to its own: {_remedy(dataset)}" if why else None


def _stored_problem(catalog: Catalog, dataset: str, entry: object) -> str | None:
    """Why the rows of a dataset the catalog names cannot be read, or None."""
    wrong = entry_problem(entry)
    if wrong:
        return f"the catalog's entry for '{dataset}' {wrong}"
    path = catalog.folder / entry["file"]  # type: ignore[index]
    if not path.exists():
        return f"the file of '{dataset}' ({path.name}) is missing from {catalog.folder}"
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:  # a copy cut short, a file overwritten
        return f"the stored file of '{dataset}' ({path.name}) is damaged ({error_line(exc)})"
    return None


def _remedy(dataset: str) -> str:
    """What to do about a dataset whose stored file (or catalog entry) cannot be read."""
    return (
        f"import its file again with --replace (python -m lib import FILE --dataset {dataset} --replace), or "
        f"remove the dataset (python -m lib delete --dataset {dataset} --yes)"
    )


def _readable(path: Path) -> bool:
    """Whether a Parquet file is there and its footer can be read (a copy cut short cannot)."""
    try:
        pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return False
    return True


def error_line(exc: Exception) -> str:
    """An error's first line, for a message (DuckDB's go on with the SQL that failed)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _publish(files: Iterable[tuple[Path, Path]]) -> None:
    """Give written files their names, in order, each (temporary, final): readable by app
    processes that may run as another user (mkstemp makes a file private), and synced first,
    so a file that has its name is complete."""
    for temp, final in files:
        os.chmod(temp, 0o644)
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, final)


def _remove(paths: Iterable[Path]) -> None:
    """Delete what is left of temporary files (those already named are gone)."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def format_clash(dataset: str, held: str | None, source_format: str) -> str | None:
    """Why rows of ``source_format`` cannot join ``dataset``, which holds ``held`` data (None: new), or
    None. One dataset, one format: its licence note (ACLED's "do not redistribute") and the
    meaning of its actor order come from the format, and a second one would overwrite them."""
    if held is None or held == source_format:
        return None
    name = format_name(source_format)
    article = "an" if name.startswith(("A", "E", "I", "O")) else "a"  # an ACLED file, a UCDP GED file
    return f"'{dataset}' holds {format_name(held)} data and this is {article} {name} file"


def delete_dataset(
    dataset: str, catalog_path: Path | None = None, waiting: Callable[[], None] | None = None
) -> int | None:
    """Remove a dataset from the catalog, and its files from the disk (every version). The
    events it held when the store's lock was taken (counted before, an import under way was
    missed), or None if it did not exist. ``waiting``: see :meth:`Catalog.locked`.

    The file goes at once, not at the next import's collection: whoever removes a dataset
    means its rows to be gone (ACLED's terms forbid keeping copies around). A page showing
    it in another session is reset with a notice at its next run (the catalog changed)."""
    catalog = Catalog(catalog_path or store_path())
    with catalog.locked(waiting):
        data = catalog.read()
        if dataset not in data["datasets"]:
            return None
        entry = data["datasets"].pop(dataset)
        data["version"] = int(data.get("version", 0)) + 1
        try:
            catalog.write(data)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            # the disk is full, and the catalog cannot be rewritten: the dataset's files go first (what
            # whoever deletes it wants gone), which frees the room to write it
            _remove_files(catalog, dataset, entry, {entry_file(e) for e in data["datasets"].values()})
            catalog.write(data)
        live = {entry_file(e) for e in data["datasets"].values()}
        _remove_files(catalog, dataset, entry, live)
    return _rows(entry)


def _remove_files(catalog: Catalog, dataset: str, entry: object, live: set) -> None:
    """Remove a deleted dataset's files: its entry's (and index's), and every earlier version's,
    but none that another entry (``live``) names."""
    held = entry_file(entry)  # an entry of the wrong shape goes too: its dataset could not be shown
    if held and held not in live:
        for file in (held, *word_files(held)):
            with contextlib.suppress(OSError):
                (catalog.folder / file).unlink()
    # and its earlier versions, which imports superseded and the collection keeps a while for
    # readers: the rows of an update's old file are the dataset's rows too
    for path in catalog.folder.glob("*.parquet"):
        version = VERSION_FILE.fullmatch(path.name)
        if version and version["dataset"] == dataset and path.name not in live:
            with contextlib.suppress(OSError):
                path.unlink()


def leftover_files(dataset: str, catalog_path: Path | None = None) -> list[Path]:
    """Files named as a version of ``dataset`` that the catalog does not name, where the catalog
    holds no such dataset: what an import killed between writing its files and the catalog left
    (the collection keeps them, as it cannot tell them from another catalog's in the folder)."""
    catalog = Catalog(catalog_path or store_path())
    data = catalog.read()
    if dataset in data["datasets"] or not catalog.folder.is_dir():
        return []
    named = {entry_file(entry) for entry in data["datasets"].values()} - {None}
    live = {file for name in named for file in (name, *word_files(name))}
    return sorted(
        path
        for path in catalog.folder.glob("*.parquet")
        if (version := VERSION_FILE.fullmatch(path.name)) and version["dataset"] == dataset and path.name not in live
    )


def remove_leftovers(dataset: str, catalog_path: Path | None = None) -> int:
    """Remove :func:`leftover_files` of ``dataset``, under the store's lock (no import is then
    between its files and the catalog); how many went."""
    catalog = Catalog(catalog_path or store_path())
    with catalog.locked():
        doomed = leftover_files(dataset, catalog.path)
        for path in doomed:
            with contextlib.suppress(OSError):
                path.unlink()
    return len(doomed)


# A dataset's files as write_dataset names them: the dataset, a 12-hex version, the index's parts.
VERSION_FILE = re.compile(r"(?P<dataset>.+)-[0-9a-f]{12}(\.postings|\.words)?\.parquet")


def _collect_garbage(catalog: Catalog, data: dict) -> None:
    """Remove what this store left behind: versions of its datasets that imports superseded (once
    readers in other processes have had GARBAGE_AGE_SECONDS to finish), an import's temporary
    files. Only files named as this store names a version of one of its datasets: every Parquet
    file of the folder went before, a file of the user's or a dataset of another catalog kept in
    the same folder (two stores in /tmp lost each other's datasets) included."""
    named = {entry_file(entry) for entry in data["datasets"].values()} - {None}  # kept, whatever else is wrong
    live = {file for name in named for file in (name, *word_files(name))}
    ours = set(data["datasets"])
    now = time.time()
    for path in catalog.folder.glob("*.parquet"):
        version = VERSION_FILE.fullmatch(path.name)
        if version is None or version["dataset"] not in ours or path.name in live:
            continue
        if now - path.stat().st_mtime > GARBAGE_AGE_SECONDS:
            with contextlib.suppress(OSError):
                path.unlink()
    for path in catalog.folder.glob(".import-*.parquet"):
        if now - path.stat().st_mtime > GARBAGE_AGE_SECONDS:
            with contextlib.suppress(OSError):
                path.unlink()
    for path in catalog.folder.glob(".duckdb-*"):  # an index's sort, spilled by an import that was killed
        if now - path.stat().st_mtime > GARBAGE_AGE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)


def load_shipped() -> pd.DataFrame:
    """The shipped CSVs as one canonical frame. Raises StoreError if a file is invalid."""
    frames = []
    for path in SHIPPED_FILES:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        report = schema.Report(file=str(path.relative_to(PROJECT_ROOT)), rows_read=len(raw))
        frame = schema.validate_frame(raw, report)
        if report.problems:
            raise StoreError("the shipped data is invalid:\n" + "\n".join(report.lines()))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def shipped_dataset_names() -> list[str]:
    names: list[str] = []
    for path in SHIPPED_FILES:
        with open(path, encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        if "dataset" in header:
            col = header.index("dataset")
            seen = pd.read_csv(path, usecols=[col], dtype=str)["dataset"].dropna().unique().tolist()
            names.extend(n for n in seen if n not in names)
    return names


class Store:
    """One DuckDB connection over the shipped data and the catalog's datasets.

    Create one per process (the app keeps it in ``st.cache_resource``). Call
    :meth:`refresh` before a query to pick up imports made by other processes; it costs
    one ``stat`` when nothing changed. Queries take a cursor from :meth:`cursor`.
    """

    def __init__(self, catalog_path: Path | None = None):
        self.catalog = Catalog(catalog_path or store_path())
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET preserve_insertion_order = false")
        # Bounded, so a served app stays small however large the datasets (queries stream Parquet).
        self.con.execute("SET memory_limit = '1GB'")
        # What goes past it (a large export's sort) spills into a temporary folder of this
        # process's: DuckDB's default, ".tmp" in the current folder, put it in the user's folder
        # for a command line's export, and failed where the project folder is read-only.
        with contextlib.suppress(OSError):  # no temporary folder to be had: DuckDB's default, then
            self.spill = tempfile.mkdtemp(prefix="sitrep-duckdb-")
            atexit.register(shutil.rmtree, self.spill, ignore_errors=True)
            self.con.execute(f"SET temp_directory = '{_quoted(self.spill)}'")
        self._lock = threading.Lock()
        self._derived_lock = threading.Lock()
        self._derived: OrderedDict[tuple, tuple[str, int]] = OrderedDict()  # key → (table, rows)
        self._derived_made = 0
        self._building: dict[tuple, threading.Event] = {}  # keys whose table a thread is making
        self._retired: list[tuple[float, str]] = []  # (when, table): no longer handed out, dropped later
        # (views, infos) by dataset name: one pair, swapped in whole by refresh()
        self._version: tuple[dict[str, str], dict[str, DatasetInfo]] = ({}, {})
        self._worked_out: dict[tuple[str, str], object] = {}  # (view, what) → per_view's values
        self._per_query: OrderedDict[tuple, object] = OrderedDict()  # (view, sql, params) → per_query's values
        self._per_query_lock = threading.Lock()
        self._catalog_mtime: float = -1
        # imported datasets the catalog names but this store cannot show, each with what is wrong
        # and what to do (its file missing or damaged), or that show without their index of words
        self.problems: dict[str, str] = {}
        self._load_shipped()
        self.refresh()

    def _load_shipped(self) -> None:
        frame = load_shipped()
        table = to_arrow(frame)
        table = table.append_column("search", search_column(table))
        self.con.register("shipped_arrow", table)
        self.con.execute("CREATE TABLE shipped AS SELECT * FROM shipped_arrow")
        self.con.unregister("shipped_arrow")
        views, infos = self._version
        for i, (name, group) in enumerate(frame.groupby("dataset", sort=True)):
            view = f"ds_shipped_{i}"
            # DuckDB views cannot take parameters; the name is checked by DATASET_NAME.
            validate_dataset_name(name)
            self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM shipped WHERE dataset = '{name}'")
            views[name] = view
            infos[name] = DatasetInfo(
                name=name,
                rows=len(group),
                min_date=str(group["event_date"].min().date()),
                max_date=str(group["event_date"].max().date()),
                source_format="shipped",
                licence=LICENCES["shipped"],
                shipped=True,
                fingerprint="shipped-" + frame_fingerprint(group),
                files=tuple(str(p.relative_to(PROJECT_ROOT)) for p in SHIPPED_FILES),
            )

    def refresh(self) -> None:
        """Re-read the catalog if another process changed it; rebind dataset views.

        A dataset's view is named after its Parquet file, which an import never rewrites: a
        new version is a new view, and a query that read the old name still reads the old
        version whole (numbered by position, a view was re-pointed at another dataset when
        one was imported ahead of it). The maps are swapped in whole, never half-rebuilt
        while another thread reads them."""
        mtime = self.catalog.mtime()
        if mtime == self._catalog_mtime:
            return
        with self._lock:
            if mtime == self._catalog_mtime:
                return
            data = self.catalog.read()
            old_views, old_infos = self._version
            infos = {n: i for n, i in old_infos.items() if i.shipped}
            views = {n: old_views[n] for n in infos}
            problems: dict[str, str] = {}
            for name, entry in sorted(data["datasets"].items()):
                if name in infos or not DATASET_NAME.match(name):
                    continue
                remedy = (
                    f"Whoever runs the server can import its file again with --replace (python -m lib import FILE "
                    f"--dataset {name} --replace) or remove it (python -m lib delete --dataset {name} --yes, or "
                    "the Data page)."
                )
                wrong = entry_problem(entry)
                if wrong:  # that dataset cannot be shown; the others can
                    problems[name] = f"its entry in the catalog {self.catalog.path} {wrong}. {remedy}"
                    continue
                path = self.catalog.folder / entry["file"]
                if not path.exists():
                    problems[name] = f"its file {entry['file']} is missing from {self.catalog.folder}. {remedy}"
                    continue
                view = "ds_" + hashlib.sha256(entry["file"].encode()).hexdigest()[:16]
                columns = "*" if entry.get("actor_keys") == ACTOR_KEYS_VERSION else LEGACY_KEYS_SQL
                if entry.get("search") != SEARCH_VERSION:  # a file made before it had one
                    columns += f", {LEGACY_SEARCH_SQL}"
                try:  # DuckDB reads the file's footer here: a damaged file fails now, not in a page's query
                    self.con.execute(
                        f"CREATE OR REPLACE VIEW {view} AS SELECT {columns} FROM read_parquet('{_quoted(path)}')"
                    )
                except duckdb.Error as exc:
                    problems[name] = f"its file {entry['file']} cannot be read ({error_line(exc)}). {remedy}"
                    continue
                index = [self.catalog.folder / file for file in word_files(entry["file"])]
                # else the search reads the text: an import made before the index, or its files
                # lost or damaged (the events are all there; a search is slower, and said so)
                words = entry.get("words") == WORDS_VERSION and entry.get("search") == SEARCH_VERSION
                try:
                    for path, part in zip(index, ("postings", "words"), strict=True) if words else ():
                        if not path.exists():
                            raise duckdb.IOException(f"{path.name} is missing")
                        self.con.execute(
                            f"CREATE OR REPLACE VIEW {view}_{part} AS SELECT * FROM read_parquet('{_quoted(path)}')"
                        )
                except duckdb.Error as exc:
                    words = False
                    problems[name] = (
                        f"its index of words cannot be read ({error_line(exc)}), so its searches read the text, "
                        f"which is slower. python -m lib reindex --dataset {name} writes it again."
                    )
                views[name] = view
                infos[name] = DatasetInfo(
                    name=name,
                    rows=int(entry["rows"]),
                    min_date=entry.get("min_date"),
                    max_date=entry.get("max_date"),
                    source_format=entry.get("source_format", "csv"),
                    licence=entry.get("licence", LICENCES["csv"]),
                    shipped=False,
                    fingerprint=entry.get("fingerprint", entry["file"]),
                    imported_at=entry.get("imported_at"),
                    files=(entry["file"],),
                    words=words,
                )
            self._version = (views, infos)
            self.problems = problems
            self._catalog_mtime = mtime
            live = set(views.values())
            self._worked_out = {k: v for k, v in self._worked_out.items() if k[0] in live}
            with self._per_query_lock:
                for key in [k for k in self._per_query if k[0] not in live]:
                    del self._per_query[key]

    def version(self, dataset: str) -> tuple[str, DatasetInfo]:
        """A dataset's view and its info, read together (KeyError if unknown): a table made from
        the view belongs to that info's fingerprint, even while another thread refreshes."""
        views, infos = self._version
        return views[dataset], infos[dataset]

    def per_view(self, view: str, what: str, make: Callable[[str], T]) -> T:
        """``make(view)``, worked out once and kept while that version of a dataset (its view,
        from :meth:`version`) is in the store: a small value, as a dataset's distinct actor
        cells. Two threads may both work it out the first time; the value is the same."""
        key = (view, what)
        if key not in self._worked_out:
            value = make(view)
            if view in self._version[0].values():  # not a version refresh() has just let go
                self._worked_out[key] = value
            return value
        return self._worked_out[key]  # type: ignore[return-value]

    def per_query(self, view: str, sql: str, params: list, make: Callable[[], T]) -> T:
        """``make()``, the small result of ``sql`` with ``params`` on ``view`` (a version of a
        dataset, from :meth:`version`), kept while that version is in the store, for the
        QUERY_RESULTS most recently asked. The SQL names everything the result depends on: the
        view, and a kept table (:meth:`derived_table`, never renamed) where it reads one. Two
        threads may both work it out the first time; the value is the same."""
        key = (view, sql, repr(params))
        with self._per_query_lock:
            if key in self._per_query:
                self._per_query.move_to_end(key)
                return self._per_query[key]  # type: ignore[return-value]
        value = make()
        with self._per_query_lock:
            if view in self._version[0].values():  # not a version refresh() has just let go
                self._per_query[key] = value
                while len(self._per_query) > QUERY_RESULTS:
                    self._per_query.popitem(last=False)
        return value

    def forget_query_results(self) -> None:
        """Forget every result :meth:`per_query` keeps (the benchmarks time each change uncached)."""
        with self._per_query_lock:
            self._per_query.clear()

    def derived_table(self, key: tuple, select_sql: str, params: list) -> str:
        """The name of a table holding the rows of ``select_sql``, made once per ``key`` and kept.

        The key must name everything the rows depend on (a dataset's fingerprint, so a new
        version of it makes a new table). The table is made outside the store's lock (a
        search at 5M events takes ~1 s; others' lookups do not wait for it), once: another
        thread asking for the same key waits for it. Beyond DERIVED_TABLES tables or
        DERIVED_ROWS rows in all (one table alone may hold more), the least recently used
        stop being handed out, and are dropped RETIRED_SECONDS later: a query given a
        table's name a moment ago still finds it."""
        while True:
            with self._derived_lock:
                if key in self._derived:
                    self._derived.move_to_end(key)
                    return self._derived[key][0]
                building = self._building.get(key)
                if building is None:
                    building = self._building[key] = threading.Event()
                    self._derived_made += 1
                    table = f"derived_{self._derived_made}"
                    break
            building.wait()  # another thread makes it; then it is kept (or it failed: try again)
        cur = self.cursor()
        try:
            try:
                cur.execute(f"CREATE TABLE {table} AS {select_sql}", params)
                rows = int(cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            finally:
                with self._derived_lock:
                    self._building.pop(key).set()
            with self._derived_lock:
                self._derived[key] = (table, rows)
                now = time.monotonic()
                while len(self._derived) > 1 and (
                    len(self._derived) > DERIVED_TABLES or sum(r for _, r in self._derived.values()) > DERIVED_ROWS
                ):
                    _, (old, _) = self._derived.popitem(last=False)
                    self._retired.append((now, old))
                while self._retired and now - self._retired[0][0] > RETIRED_SECONDS:
                    cur.execute(f"DROP TABLE IF EXISTS {self._retired.pop(0)[1]}")
        finally:
            cur.close()
        return table

    def kept_table(self, key: tuple) -> str | None:
        """The derived table made for ``key``, if it is still kept; None otherwise."""
        with self._derived_lock:
            if key not in self._derived:
                return None
            self._derived.move_to_end(key)
            return self._derived[key][0]

    def derived_tables(self) -> list[str]:
        """The derived tables kept, least recently used first."""
        with self._derived_lock:
            return [table for table, _ in self._derived.values()]

    def drop_derived_tables(self) -> None:
        """Drop every derived table, kept or retired (the benchmarks start each way with none)."""
        with self._derived_lock:
            cur = self.cursor()
            try:
                for table in [t for t, _ in self._derived.values()] + [t for _, t in self._retired]:
                    cur.execute(f"DROP TABLE IF EXISTS {table}")
            finally:
                cur.close()
            self._derived.clear()
            self._retired.clear()

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset, shipped first, then imported by name."""
        return sorted(self._version[1].values(), key=lambda d: (not d.shipped, d.name))

    def info(self, dataset: str) -> DatasetInfo:
        return self._version[1][dataset]

    def relation(self, dataset: str) -> str:
        """The SQL view name for a dataset known to the catalog (KeyError otherwise)."""
        return self._version[0][dataset]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    @property
    def default_dataset(self) -> str:
        return self.datasets()[0].name
