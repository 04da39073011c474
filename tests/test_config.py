"""Settings are declared once (lib.config.SETTINGS); the README documents every one with its default."""

import re
from pathlib import Path

from lib import config

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_with_its_default():
    rows = dict(re.findall(r"^\| `(SITREP_[A-Z_]+)` \| ([^|]*) \|", README, flags=re.M))
    assert set(rows) == {s.name for s in config.SETTINGS}
    for setting in config.SETTINGS:
        if setting.default:
            assert f"`{setting.default}`" in rows[setting.name], setting.name


def test_invalid_values_fall_back_to_the_default(monkeypatch):
    monkeypatch.setenv("SITREP_MAX_POINTS", "lots")
    assert config.get("SITREP_MAX_POINTS") == 10000
    monkeypatch.setenv("SITREP_MAX_POINTS", "500")
    assert config.get("SITREP_MAX_POINTS") == 500


def test_a_value_below_a_settings_minimum_falls_back_to_the_default(monkeypatch):
    """SITREP_TABLE_PAGE_SIZE=0 broke every page (a ZeroDivisionError working out the Events
    table's pages); SITREP_MAX_CELLS=0 drew no cell. A number below what a setting can use is
    invalid, as "lots" is."""
    monkeypatch.setenv("SITREP_TABLE_PAGE_SIZE", "0")
    assert config.get("SITREP_TABLE_PAGE_SIZE") == 100
    monkeypatch.setenv("SITREP_TABLE_PAGE_SIZE", "1")
    assert config.get("SITREP_TABLE_PAGE_SIZE") == 1
    limits = [s for s in config.SETTINGS if s.kind is int]
    assert limits and all(s.minimum is not None for s in limits)  # every number says its least value
    for setting in limits:
        default = int(setting.default)
        assert default >= setting.minimum, setting.name
        for below in (setting.minimum - 1, -5):
            monkeypatch.setenv(setting.name, str(below))
            assert config.get(setting.name) == default, setting.name
        monkeypatch.setenv(setting.name, str(setting.minimum))
        assert config.get(setting.name) == setting.minimum, setting.name
    # the least useful value of each: one event per page, a point, a cell, a megabyte; no download
    # from the Events page (its export commands only) is a choice
    assert {s.name: s.minimum for s in limits} == {
        "SITREP_PORT": 1,
        "SITREP_MAX_POINTS": 1,
        "SITREP_MAX_CELLS": 1,
        "SITREP_MAX_UPLOAD_MB": 1,
        "SITREP_TABLE_PAGE_SIZE": 1,
        "SITREP_DOWNLOAD_MAX_ROWS": 0,
    }


def test_streamlit_config_keeps_what_sitrep_relies_on():
    """The Streamlit server settings the product depends on (.streamlit/config.toml)."""
    import tomllib

    toml = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert toml["client"]["showErrorDetails"] == "none"  # users never see a traceback
    upload = next(s for s in config.SETTINGS if s.name == "SITREP_MAX_UPLOAD_MB")
    assert toml["server"]["maxUploadSize"] == int(upload.default)
    assert toml["server"]["fileWatcherType"] == "none"
