"""A quick check that a tracking server accepts connections, before its client library retries.

Client libraries retry a refused connection with backoff for minutes (MLflow about four minutes
with its defaults, ClearML longer), so a mistyped host or port would stall a client's ``build``
for that long before any error.
"""

from __future__ import annotations

import http.client
import socket
import urllib.parse
import urllib.request

__all__ = ["HTTP_RESPONSE_TIMEOUT", "SERVER_CONNECT_TIMEOUT", "check_server_reachable"]

SERVER_CONNECT_TIMEOUT = 5.0
"""Seconds to wait for the TCP connection."""
HTTP_RESPONSE_TIMEOUT = 10.0
"""Seconds to wait for the response to one HTTP request to an ``http`` server."""


def check_server_reachable(uri: str, *, service: str, advice: str) -> None:
    """Raise ConnectionError if nothing accepts a TCP connection at an ``http(s)`` ``uri``.

    URIs of other schemes, and hosts reached through a proxy from the environment, are not
    checked. An ``http`` server must also respond to one HTTP request (see
    ``_check_http_response``). The message names the server with ``service`` and ends with
    ``advice``, in which ``{host}`` and ``{port}`` are replaced by the server's.

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
    advice = advice.format(host=parts.hostname, port=port)
    try:
        with socket.create_connection((parts.hostname, port), timeout=SERVER_CONNECT_TIMEOUT):
            pass
    except OSError as error:
        raise ConnectionError(f"Cannot reach the {service} {uri}: {error}. {advice}") from error
    if parts.scheme == "http":
        _check_http_response(parts.hostname, port, uri=uri, service=service, advice=advice)


def _check_http_response(host: str, port: int, *, uri: str, service: str, advice: str) -> None:
    """Raise ConnectionError if the server at ``host:port`` sends no HTTP response (any status
    counts) within ``HTTP_RESPONSE_TIMEOUT`` seconds, as a hung server or a stalled proxy does.

    Other errors are left to the client library, which reports them in its own words.
    """
    connection = http.client.HTTPConnection(host, port, timeout=HTTP_RESPONSE_TIMEOUT)
    try:
        connection.request("GET", "/")
        connection.getresponse().close()
    except TimeoutError as error:
        raise ConnectionError(
            f"The {service} {uri} accepts connections but sent no HTTP response within "
            f"{HTTP_RESPONSE_TIMEOUT:g} s (it may be hung). {advice}"
        ) from error
    except (OSError, http.client.HTTPException):
        return
    finally:
        connection.close()
