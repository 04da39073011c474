"""Who may change the shared store from the app (SITREP_ALLOW_UPLOAD).

Reading is open to whoever reaches the server; writing is an operator's setting. The
default, ``local``, allows committing uploads only when the app is reached on the
loopback address (the local quick start), so a link shared from a team server never lets
a stranger change what colleagues see.
"""

from __future__ import annotations

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
MODES = ("local", "all", "none", "editors")


def host_name(host_header: str | None) -> str:
    """The host part of a Host header (``127.0.0.1:8501`` → ``127.0.0.1``)."""
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def can_commit(mode: str, host_header: str | None, user_email: str | None, editors: str) -> tuple[bool, str]:
    """Whether this request may commit an upload, and the reason to show when it may not."""
    if mode not in MODES:
        return False, f"SITREP_ALLOW_UPLOAD={mode!r} is not one of {', '.join(MODES)}; uploads are disabled."
    if mode == "all":
        return True, ""
    if mode == "none":
        return (
            False,
            "This server does not accept uploads (SITREP_ALLOW_UPLOAD=none). Import with `python -m lib import`.",
        )
    if mode == "local":
        if host_name(host_header) in LOCAL_HOSTS:
            return True, ""
        return False, (
            "Uploads are committed only on a local server (SITREP_ALLOW_UPLOAD=local). Ask the operator to import "
            "the file, or to enable editors (SITREP_ALLOW_UPLOAD=editors)."
        )
    allowed = {e.strip().lower() for e in editors.split(",") if e.strip()}
    if user_email and user_email.lower() in allowed:
        return True, ""
    return False, "Only signed-in editors may commit uploads on this server. Sign in with an editor's account."
