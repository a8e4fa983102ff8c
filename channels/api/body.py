"""Reading a request body of at most `limit` bytes, whatever its headers say.

A body comes with a Content-Length, or with `Transfer-Encoding: chunked` and no length at
all. Django reads only as far as Content-Length (nothing without one), so a chunked body
would reach the parser empty — a 400 where 413 is the answer. Here:

- with a Content-Length, the request is read through Django (the server stops at it; a
  declared length over the limit was already answered with 413 before the key's check);
- with a Transfer-Encoding and no length, the server's `wsgi.input` is read directly,
  which gunicorn has already de-chunked (an ASGI request's body is read as it comes);
- Django's development server (runserver, the tests' live server) does not de-chunk: it
  hands the application a stream cut at the (absent, so zero) Content-Length over the
  socket's raw bytes. There the chunks are decoded here, from that stream's underlying
  reader.

Either way at most `limit` + 1 bytes of body are read: enough to know it is too large,
never the rest of a body that is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest

_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,8})[ \t]*(?:;[^\r\n]*)?\r\n")
_MAX_LINE = 1024  # a chunk-size line or a trailer line
_MAX_TRAILERS = 32


class MalformedBody(Exception):
    """The chunked framing is broken, or the client went away mid-body."""


def declared_length(request: HttpRequest) -> int | None:
    """The Content-Length as a number, or None when absent or not a number."""
    value = request.META.get("CONTENT_LENGTH")
    if value in (None, ""):
        return None
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def read_limited(request: HttpRequest, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of the body (more than `limit` means too large)."""
    environ = getattr(request, "environ", None) or {}  # an ASGI request streams the body as sent
    try:
        chunked = declared_length(request) is None and "HTTP_TRANSFER_ENCODING" in request.META
        if not chunked or "wsgi.input" not in environ:
            return _read_upto(request.read, limit + 1)
        stream = environ["wsgi.input"]
        if type(stream) is LimitedStream and stream.limit == 0 and hasattr(stream, "_readline"):
            # Django's development server: the raw, still chunked bytes are behind the cut.
            return _dechunk(stream._readline, stream._read, limit + 1)
        return _read_upto(stream.read, limit + 1)
    except OSError as error:  # the client went away mid-body
        raise MalformedBody from error


def _read_upto(read: Callable[[int], bytes], size: int) -> bytes:
    """Read until `size` bytes or the end (a socket may give fewer bytes than asked)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        piece = read(size - got)
        if not piece:
            break
        parts.append(piece)
        got += len(piece)
    return b"".join(parts)


def _dechunk(readline: Callable[[int], bytes], read: Callable[[int], bytes], size: int) -> bytes:
    """The decoded body of a chunked stream, stopping once `size` bytes are decoded."""
    body = bytearray()
    while len(body) < size:
        match = _CHUNK_SIZE_LINE.fullmatch(readline(_MAX_LINE))
        if match is None:
            raise MalformedBody("bad chunk-size line")
        chunk = int(match.group(1), 16)
        if chunk == 0:
            for _ in range(_MAX_TRAILERS):  # trailers, up to the blank line that ends the body
                if readline(_MAX_LINE) in (b"\r\n", b""):
                    return bytes(body)
            raise MalformedBody("too many trailer lines")
        wanted = min(chunk, size - len(body))
        data = _read_upto(read, wanted)
        if len(data) < wanted:
            raise MalformedBody("body ended inside a chunk")
        body += data
        if wanted < chunk:  # past the limit: the rest is never read
            break
        if _read_upto(read, 2) != b"\r\n":
            raise MalformedBody("chunk not followed by CRLF")
    return bytes(body)
