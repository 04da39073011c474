"""Settings: each declared once with its default and a help line, read from the environment.

``SETTINGS`` is the one list; the README's settings table is checked against it by
``tests/test_config.py``. Values come from environment variables named ``SITREP_<NAME>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    kind: type = str
    minimum: int | None = None  # an int setting's least useful value: one below it is invalid


SETTINGS: list[Setting] = [
    Setting(
        "SITREP_STORE",
        "",
        "The store: a folder (its catalog.json) or the catalog file itself (default .sitrep/catalog.json).",
    ),
    Setting("SITREP_ADDRESS", "127.0.0.1", "Address scripts/start.sh serves on (0.0.0.0: every interface)."),
    Setting("SITREP_PORT", "8501", "Port scripts/start.sh serves on.", int, minimum=1),
    Setting(
        "SITREP_MAX_POINTS",
        "10000",
        "Most events the Map draws one by one (its byte budget can lower it); above, store-aggregated cells.",
        int,
        minimum=1,
    ),
    Setting(
        "SITREP_MAX_CELLS",
        "4000",
        "Most cells the aggregated Map draws: the cell size is the smallest whose grid over the view "
        "has at most this many.",
        int,
        minimum=1,  # 0 drew no cell at all
    ),
    Setting(
        "SITREP_MAX_UPLOAD_MB", "200", "Largest file the Data page accepts, in MB (the CLI: --max-mb).", int, minimum=1
    ),
    Setting(
        "SITREP_ALLOW_UPLOAD",
        "local",
        "Who may commit uploads to the shared store: 'local' (only when served on 127.0.0.1/localhost), "
        "'all', 'none', or 'editors' (signed-in users listed in SITREP_EDITORS).",
    ),
    Setting(
        "SITREP_EDITORS",
        "",
        "Comma-separated e-mail addresses allowed to commit uploads when SITREP_ALLOW_UPLOAD=editors.",
    ),
    Setting(
        "SITREP_TILES",
        "auto",
        "Map background: 'auto' (OpenStreetMap tiles when they answer, else country borders), 'borders' "
        "(country borders only, served by this server), 'none' (blank), or your tile server's {z}/{x}/{y} URL.",
    ),
    Setting("SITREP_TABLE_PAGE_SIZE", "100", "Rows per page of the Events table.", int, minimum=1),  # 0 divided by 0
    Setting(
        "SITREP_DOWNLOAD_MAX_ROWS",
        "250000",
        "Most events the Events page's download buttons export (Streamlit holds a download in the server's "
        "memory); above it the page gives the equivalent 'scripts/sitrep export' commands.",
        int,
        minimum=0,  # 0: no download from the page, always the commands
    ),
]
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """The setting's value from the environment, converted to its kind; the default if unset or
    invalid: not of its kind, or below its minimum (SITREP_TABLE_PAGE_SIZE=0 broke every page with
    a ZeroDivisionError)."""
    setting = _BY_NAME[name]
    raw = os.environ.get(name, setting.default)
    try:
        value = setting.kind(raw)
    except ValueError:
        return setting.kind(setting.default)
    if setting.minimum is not None and value < setting.minimum:
        return setting.kind(setting.default)
    return value


def max_upload_bytes() -> int:
    return get("SITREP_MAX_UPLOAD_MB") * 1024 * 1024
