"""Framing of the messages between the tracking worker and the PNG renderer process.

Each message is an 8-byte big-endian length followed by that many bytes (a pickle).
"""

from __future__ import annotations

import struct
from typing import IO

__all__ = ["read_message", "write_message"]

_HEADER = struct.Struct(">Q")


def read_message(stream: IO[bytes]) -> bytes | None:
    """Read one length-prefixed message; return None at end of stream.

    Raises:
        EOFError: if the stream ends inside a message.
    """
    header = stream.read(_HEADER.size)
    if not header:
        return None
    if len(header) < _HEADER.size:
        raise EOFError("The stream ended inside a message header.")
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError(f"The stream ended after {len(payload)} of {size} message bytes.")
    return payload


def write_message(stream: IO[bytes], payload: bytes) -> None:
    """Write one length-prefixed message and flush."""
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()
