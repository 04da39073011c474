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


def test_streamlit_config_keeps_what_sitrep_relies_on():
    """The Streamlit server settings the product depends on (.streamlit/config.toml)."""
    import tomllib

    toml = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert toml["client"]["showErrorDetails"] == "none"  # users never see a traceback
    upload = next(s for s in config.SETTINGS if s.name == "SITREP_MAX_UPLOAD_MB")
    assert toml["server"]["maxUploadSize"] == int(upload.default)
    assert toml["server"]["fileWatcherType"] == "none"
