"""Validation of result names and collection keys, and collision checks after sanitising.

A result name is one or more parts joined by "/" (for example ``"validation/mean_js_distance"``).
Every part must be non-empty and must not be "." or "..", and the name must not contain a
backslash or a control character, so a name can never escape the run folder of a tracking backend.
A collection key (usually a feature name) is one part: "/" and "\\" in it are replaced by "_" before
it reaches a backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FALLBACK_NAMESPACE", "NameRegistry", "sanitize_key", "validate_name"]

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_KEY_SEPARATORS = re.compile(r"[/\\]")


def validate_name(name: object) -> str:
    """Return ``name`` unchanged if it is a valid result name.

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: if it is empty, has an empty, "." or ".." part, or contains a backslash or a
            control character. The message shows the name.
    """
    if not isinstance(name, str):
        raise TypeError(f"Result name must be a str, got {type(name).__name__}: {name!r}.")
    if not name:
        raise ValueError("Result name must not be empty; pass a name such as 'validation/loss'.")
    if "\\" in name:
        raise ValueError(f"Invalid result name {name!r}: use '/' to separate parts, not '\\'.")
    if _CONTROL_CHARACTERS.search(name):
        raise ValueError(f"Invalid result name {name!r}: it contains a control character.")
    for part in name.split("/"):
        if part in ("", ".", ".."):
            raise ValueError(
                f"Invalid result name {name!r}: every '/'-separated part must be non-empty and "
                "must not be '.' or '..'."
            )
    return name


def sanitize_key(key: object) -> str:
    """Return a collection key as one path part: "/" and "\\" become "_".

    Raises:
        TypeError: if ``key`` is not a string.
        ValueError: if it is empty, "." or "..", or contains a control character.
    """
    if not isinstance(key, str):
        raise TypeError(f"Collection key must be a str, got {type(key).__name__}: {key!r}.")
    if key in ("", ".", ".."):
        raise ValueError(
            f"Invalid collection key {key!r}: it must be a non-empty name other than '.' or '..'."
        )
    if _CONTROL_CHARACTERS.search(key):
        raise ValueError(f"Invalid collection key {key!r}: it contains a control character.")
    return _KEY_SEPARATORS.sub("_", key)


FALLBACK_NAMESPACE = "fallback folder: "
"""Prefix of the namespaces of the fallback folder's paths in a ``NameRegistry``."""


class NameRegistry:
    """Remembers which result owns each name stored by a backend, to reject collisions.

    Entries are (namespace, stored name, owner description) triples, as returned by
    ``TrackingBackend.storage_names``.
    """

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], str] = {}

    def register(self, entries: Iterable[tuple[str, str, str]], *, subject: str) -> None:
        """Record the entries of one result (described by ``subject``), all or none.

        Raises:
            ValueError: if a stored name already belongs to another result. The message shows
                both results and the stored name.
        """
        pending: dict[tuple[str, str], str] = {}
        for namespace, stored_name, owner in entries:
            slot = (namespace, stored_name)
            existing = pending.get(slot, self._owners.get(slot, owner))
            if existing != owner:
                where = (
                    "the local fallback folder that keeps results the backend fails to store"
                    if namespace.startswith(FALLBACK_NAMESPACE)
                    else "this tracking backend"
                )
                raise ValueError(
                    f"Result {subject} collides with {existing}: both use the name "
                    f"{stored_name!r} in {where}. Rename one of them."
                )
            pending[slot] = owner
        self._owners.update(pending)
