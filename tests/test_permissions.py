"""SITREP_ALLOW_UPLOAD: who may commit an upload to the shared store."""

import pytest

from lib.permissions import can_commit, host_name


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("127.0.0.1:8501", "127.0.0.1"),
        ("localhost", "localhost"),
        ("[::1]:8501", "[::1]"),
        ("Sitrep.Org", "sitrep.org"),
    ],
)
def test_host_name(header, host):
    assert host_name(header) == host


@pytest.mark.parametrize(
    ("mode", "host", "email", "editors", "allowed"),
    [
        ("local", "127.0.0.1:8501", None, "", True),
        ("local", "localhost:8501", None, "", True),
        ("local", "team.example.org", None, "", False),
        ("local", "127.0.0.1.evil.org", None, "", False),
        ("all", "team.example.org", None, "", True),
        ("none", "127.0.0.1", None, "", False),
        ("editors", "team.example.org", "ana@example.org", "ana@example.org, bo@example.org", True),
        ("editors", "team.example.org", "ANA@example.org", "ana@example.org", True),
        ("editors", "team.example.org", "eve@example.org", "ana@example.org", False),
        ("editors", "team.example.org", None, "ana@example.org", False),
        ("typo", "127.0.0.1", None, "", False),
    ],
)
def test_can_commit(mode, host, email, editors, allowed):
    ok, reason = can_commit(mode, host, email, editors)
    assert ok is allowed
    assert bool(reason) is not allowed
