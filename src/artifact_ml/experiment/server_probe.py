"""A quick check that a tracking server accepts connections, before its client library retries.

Client libraries retry a refused connection with backoff for minutes (MLflow about four minutes
with its defaults, ClearML longer), so a mistyped host or port would stall a client's ``build``
for that long before any error.
"""

from __future__ import annotations

import socket
import urllib.parse
import urllib.request

__all__ = ["SERVER_CONNECT_TIMEOUT", "check_server_reachable"]

SERVER_CONNECT_TIMEOUT = 5.0
"""Seconds to wait for the TCP connection."""


def check_server_reachable(uri: str, *, service: str, advice: str) -> None:
    """Raise ConnectionError if nothing accepts a TCP connection at an ``http(s)`` ``uri``.

    URIs of other schemes, and hosts reached through a proxy from the environment, are not
    checked. The message names the server with ``service`` and ends with ``advice``.

    Raises:
        ConnectionError: naming ``uri``, the error and ``advice``.
    """
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    if parts.scheme in urllib.request.getproxies_environment() and not urllib.request.proxy_bypass(
        parts.hostname
    ):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=SERVER_CONNECT_TIMEOUT):
            pass
    except OSError as error:
        raise ConnectionError(f"Cannot reach the {service} {uri}: {error}. {advice}") from error
