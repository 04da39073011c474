"""lib/session.py: the Map page's map cached by dataset fingerprint and filter state."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa

from lib import session, views
from tests.test_views import STATE


def test_get_map_caches_by_fingerprint_and_state_and_returns_the_figure_json(monkeypatch, fixture_store, registry):
    monkeypatch.setattr(session, "get_store", lambda: fixture_store)
    monkeypatch.setattr(session, "get_registry", lambda: registry)
    built = []
    real = views.map_view
    monkeypatch.setattr(views, "map_view", lambda *a, **k: built.append(a[2]) or real(*a, **k))
    session.get_map.clear()
    fingerprint = fixture_store.info("fixture").fingerprint

    first = session.get_map(STATE, fingerprint, 5, 20, None)
    direct = real(fixture_store, registry, STATE, 5, 20)
    assert (first.kind, first.events, first.drawn) == (direct.kind, direct.events, direct.drawn)
    assert json.loads(first.figure_json)["data"][0]["type"] == "scattermap"
    assert session.get_map(STATE, fingerprint, 5, 20, None) == first
    assert len(built) == 1  # the same view again: no query, no figure

    syria = STATE.with_(country=("Syria",))
    assert session.get_map(syria, fingerprint, 5, 20, None).events < first.events
    session.get_map(STATE, fingerprint + "-reimported", 5, 20, None)  # a re-import refreshes it
    assert built == [STATE, syria, STATE]
    session.get_map.clear()


def test_get_card_caches_the_details_by_fingerprint_and_event(monkeypatch, fixture_store):
    monkeypatch.setattr(session, "get_store", lambda: fixture_store)
    built = []
    real = views.event_card
    monkeypatch.setattr(views, "event_card", lambda *a: built.append(a[2]) or real(*a))
    session.get_card.clear()
    fingerprint = fixture_store.info("fixture").fingerprint
    first = session.get_card("fixture", fingerprint, "t:4")
    assert first == real(fixture_store, "fixture", "t:4")
    assert session.get_card("fixture", fingerprint, "t:4") == first
    session.get_card("fixture", fingerprint, "t:3")
    session.get_card("fixture", fingerprint + "-reimported", "t:4")  # a re-import refreshes it
    assert built == ["t:4", "t:3", "t:4"]
    session.get_card.clear()


def test_release_memory_gives_back_what_a_large_read_freed():
    # Arrow's allocator kept ~440 MB of a dropped 300,000-row file: the Data page's process stayed
    # at gigabytes for as long as the uploader's session lived
    def rss_mb() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    big = pa.array([f"event {i:09d} with some words of notes" for i in range(3_000_000)])
    before_free = rss_mb()
    del big
    held = rss_mb()
    session.release_memory()
    assert before_free - held < 50  # freed, but still the process's
    assert held - rss_mb() > 60
