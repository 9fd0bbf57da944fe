"""Fetching a web page by its address: one blocking call, safe from a worker thread.

`fetch_page` follows redirects itself (at most ten), checking every hop: only http and
https addresses are fetched. The body is streamed, gunzipped or inflated in bounded steps,
and stops at 20 MB of decoded bytes, so neither a page that never ends nor a compressed
bomb costs more than that. Only articles are taken: HTML, XHTML, plain text and Markdown;
a PDF or an image is refused by its type. Every failure raises `FetchError`, whose message
is one line naming the address and the reason.
"""

from __future__ import annotations

import contextlib

import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from reader import APP_NAME, __version__
from reader.importing.parsing import MARKDOWN, TEXT
from reader.importing.sources import HTML, SourceError, decode_page
from reader.storage.database import LibraryError
from reader.web.urls import FETCHED_SCHEMES, AddressError, check_fetchable

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 10
DECODED_CHUNK = 256 * 1024  # bytes decompressed at a time
CONNECT_TIMEOUT = 10.0  # seconds to connect (DNS, TCP and TLS)
READ_TIMEOUT = 20.0  # seconds the server may stay silent
TOTAL_TIMEOUT = 120.0  # seconds for the whole page, however slowly it trickles in
USER_AGENT = f"{APP_NAME}/{__version__} (a local-first article reader)"
ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8"

# The media types that can hold an article, and the format each is parsed as.
FORMATS = {
    "text/html": HTML, "application/xhtml+xml": HTML,
    "text/markdown": MARKDOWN, "text/x-markdown": MARKDOWN,
    "text/plain": TEXT,
}
# What a body without a Content-Type is, by its first bytes.
_MAGIC = (
    (b"%PDF-", "application/pdf"), (b"\x89PNG", "image/png"), (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"), (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"), (b"RIFF", "application/octet-stream"),
)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b",
                         re.I | re.S)
_MARKDOWN_PATH = re.compile(r"\.(md|markdown|mdown|mkd)$", re.I)


class FetchError(LibraryError):
    """A page that could not be fetched or holds no article.

    str() is one line, "ADDRESS: reason"; `url` is the address asked for, `reason` the
    reason alone (for a window that shows the address elsewhere).
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = _one_line(reason)
        super().__init__(url, self.reason)  # both in args: it pickles, as errors must

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class FetchCancelled(FetchError):
    """The fetch was stopped because `cancelled()` said so."""

    def __init__(self, url: str, reason: str = "cancelled") -> None:
        super().__init__(url, reason)


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page, decoded to text."""

    url: str  # the address asked for
    final_url: str  # where the redirects ended: the address the text came from
    hops: tuple[str, ...]  # every address requested, first to last
    media_type: str  # e.g. "text/html" (sniffed when the server named none)
    source_format: str  # how to parse `text`: reader.importing's "html", "markdown", "text"
    text: str
    charset: str | None  # the character set the server declared, if any


def page_client(*, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client for many `fetch_page` calls, from any threads (httpx's client is
    thread-safe); close it when done. Making one costs ~20 ms (its TLS context): for a
    batch of pages on one site, more than fetching them."""
    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                            pool=connect_timeout)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT,
               "Accept-Encoding": "gzip, deflate"}
    return httpx.Client(timeout=timeout, follow_redirects=False, headers=headers,
                        transport=transport, event_hooks={"response": [_check_redirect]})


def fetch_page(url: str, *, cancelled: Callable[[], bool] | None = None,
               connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT,
               total_timeout: float = TOTAL_TIMEOUT, max_bytes: int = MAX_BYTES,
               max_redirects: int = MAX_REDIRECTS,
               transport: httpx.BaseTransport | None = None,
               client: httpx.Client | None = None) -> FetchedPage:
    """Fetch the page at url (http or https) and decode it; raises FetchError.

    Blocking, and touching nothing but the network: call it from a worker thread.
    `cancelled` is asked between redirects and while the body streams in (FetchCancelled).
    `transport` replaces httpx's own (for tests, or a proxy of the caller's choosing).
    `client`, from `page_client`, is used instead of a client of its own (its time-outs
    and transport then apply).
    """
    try:
        check_fetchable(url)
    except AddressError as exc:
        raise FetchError(url, _address_reason(url, str(exc))) from None
    deadline = time.monotonic() + total_timeout
    own = client is None
    if own:
        client = page_client(connect_timeout=connect_timeout, read_timeout=read_timeout,
                             transport=transport)
    with contextlib.ExitStack() as stack:
        if own:
            stack.enter_context(client)
        try:
            return _follow(client, url, cancelled or (lambda: False), max_bytes,
                           max_redirects, deadline, total_timeout)
        except FetchError:
            raise
        except _RefusedRedirect as exc:
            raise FetchError(url, exc.reason) from None
        except httpx.TimeoutException as exc:
            raise FetchError(url, _timeout_reason(exc, connect_timeout, read_timeout)) from exc
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
            raise FetchError(url, _network_reason(exc)) from exc


def read_body(response: httpx.Response, url: str, cancelled: Callable[[], bool],
              max_bytes: int, deadline: float, late: str) -> bytes:
    """The body of a streamed response, decoded, stopped at max_bytes (counting what gzip
    expands to), at `cancelled()` (FetchCancelled) and at the deadline (FetchError: late)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, _too_large(max_bytes))
    chunks: list[bytes] = []
    size = 0
    for chunk in _decoded(response, url):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, _too_large(max_bytes))
        if cancelled():
            raise FetchCancelled(url)
        if time.monotonic() > deadline:
            raise FetchError(url, late)
        chunks.append(chunk)
    return b"".join(chunks)


def _follow(client: httpx.Client, url: str, cancelled: Callable[[], bool], max_bytes: int,
            max_redirects: int, deadline: float, total_timeout: float) -> FetchedPage:
    hops: list[str] = []
    current = url
    while True:
        if cancelled():
            raise FetchCancelled(url)
        if time.monotonic() > deadline:
            raise FetchError(url, f"timed out: the page took more than {total_timeout:g} s")
        hops.append(current)
        request = client.build_request("GET", current)
        response = client.send(request, stream=True)
        try:
            if response.has_redirect_location:
                if len(hops) > max_redirects:
                    raise FetchError(url, f"too many redirects (more than {max_redirects})")
                current = _redirect_target(response)  # checked by _check_redirect
                continue
            if response.status_code >= 300 or response.status_code < 200:
                phrase = response.reason_phrase or httpx.codes.get_reason_phrase(
                    response.status_code)  # HTTP/2 sends none
                phrase = f" {phrase}" if phrase else ""
                raise FetchError(url, f"the server answered {response.status_code}{phrase}")
            return _read(response, url, hops, cancelled, max_bytes, deadline, total_timeout)
        finally:
            response.close()


class _RefusedRedirect(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _redirect_target(response: httpx.Response) -> str:
    return urljoin(str(response.url), response.headers["location"].strip())


def _check_redirect(response: httpx.Response) -> None:
    """Refuse a redirect to anything but http(s) as soon as it arrives (before httpx
    itself parses the new address, which it cannot for data: and javascript:)."""
    if response.has_redirect_location:
        target = _redirect_target(response)
        try:
            check_fetchable(target)
        except AddressError:
            scheme = urlsplit(target).scheme.lower()
            if scheme in FETCHED_SCHEMES or not scheme:
                raise _RefusedRedirect(f"redirected to an invalid address ({target})") from None
            raise _RefusedRedirect(f"redirected to a {scheme}: address, which is not fetched "
                                   "(only http and https are)") from None


def _read(response: httpx.Response, url: str, hops: list[str], cancelled: Callable[[], bool],
          max_bytes: int, deadline: float, total_timeout: float) -> FetchedPage:
    final_url = str(response.url)
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type and media_type not in FORMATS:
        raise FetchError(url, f"not an article ({media_type})")
    data = read_body(response, url, cancelled, max_bytes, deadline,
                     f"timed out: the page took more than {total_timeout:g} s")
    if not media_type:
        media_type = _sniff(data, final_url)
        if media_type not in FORMATS:
            raise FetchError(url, f"not an article ({media_type})")
    source_format = FORMATS[media_type]
    if source_format == TEXT and _MARKDOWN_PATH.search(urlsplit(final_url).path):
        source_format = MARKDOWN  # servers often call a .md file text/plain
    text = _decode(data, charset, source_format, url)
    return FetchedPage(url, final_url, tuple(hops), media_type, source_format, text, charset)


def _decoded(response: httpx.Response, url: str) -> Iterator[bytes]:
    """The body, gunzipped or inflated at most DECODED_CHUNK bytes at a time.

    Decoding ourselves (rather than by httpx, which expands each network read whole)
    keeps a compressed bomb from expanding past the cap in memory: 64 KB of gzipped
    zeros would otherwise become 64 MB at once.
    """
    if response.is_stream_consumed:  # read whole already, and decoded (a test transport)
        yield response.content
        return
    header = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in header.split(",") if c.strip().lower() not in
               ("", "identity")]
    if not codings:
        yield from response.iter_raw()
        return
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(url, f"the page is compressed in a way that cannot be read ({header})")
    gzipped = codings[0] != "deflate"
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzipped else zlib.MAX_WBITS)
    started = produced = False
    try:
        for raw in response.iter_raw():
            data = raw
            while data:
                try:
                    out = decoder.decompress(data, DECODED_CHUNK)
                except zlib.error:
                    if gzipped or started:
                        raise
                    # "deflate" is often sent raw, without the zlib wrapper.
                    decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    out = decoder.decompress(data, DECODED_CHUNK)
                started = True
                produced = produced or bool(out)
                yield out
                if decoder.eof and decoder.unused_data and gzipped:
                    data = decoder.unused_data  # a gzip stream of several members
                    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
                else:
                    data = decoder.unconsumed_tail
        tail = decoder.flush()
        if started and not decoder.eof and not tail and not produced:
            raise zlib.error("no content")
        yield tail
    except zlib.error as exc:
        raise FetchError(url, "the page's compressed content could not be decoded") from exc


def _content_type(value: str) -> tuple[str, str | None]:
    """The media type (lower case) and charset parameter of a Content-Type header."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _sniff(data: bytes, url: str) -> str:
    """The media type of a body that came without one."""
    head = data[:1024]
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if b"\x00" in data[:65536]:
        return "application/octet-stream"
    if _HTML_START.match(head):
        return "text/html"
    if _MARKDOWN_PATH.search(urlsplit(url).path):
        return "text/markdown"
    return "text/plain"


def _decode(data: bytes, charset: str | None, source_format: str, url: str) -> str:
    """The page's text: in the charset the server declared, else as a saved page is read
    (UTF-8, else the charset its <meta> declares), else UTF-8 with replacement characters."""
    if not data.strip():
        raise FetchError(url, "the page is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        charset = "utf-8-sig"  # a byte order mark outranks the header, as in browsers
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        charset = "utf-16"
    if charset:
        try:
            text = data.decode(charset, errors="replace")
        except LookupError:
            charset = None  # an unknown name: read it as if none were declared
        else:
            return text.replace("\r\n", "\n").replace("\r", "\n")
    if b"\x00" in data[:65536]:
        raise FetchError(url, "not an article (binary data)")
    try:
        if source_format == HTML:
            return decode_page(data)
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except (SourceError, UnicodeDecodeError):
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def _too_large(max_bytes: int) -> str:
    return f"too large (more than {max_bytes / 1024 / 1024:g} MB)"


def _address_reason(url: str, message: str) -> str:
    # AddressError messages start with the address; FetchError names it already.
    return message[len(url):].lstrip(" :") if message.startswith(url) else message


def _timeout_reason(exc: httpx.TimeoutException, connect: float, read: float) -> str:
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return f"timed out: no connection within {connect:g} s"
    return f"timed out: the server did not answer within {read:g} s"


def _network_reason(exc: BaseException) -> str:
    """What went wrong, in words, from httpx's exception and the errors beneath it."""
    causes = _causes(exc)
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return "the host name could not be found"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the secure connection failed ({cause.verify_message or cause.reason})"
        if isinstance(cause, ssl.SSLError):
            return f"the secure connection failed ({cause.reason or cause})"
    for cause in causes:
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset by the server"
    if isinstance(exc, httpx.DecodingError):
        return "the page's compressed content could not be decoded"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server's answer was not valid HTTP ({exc})"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError)):
        return f"not a valid address ({exc})"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({exc})"
    return f"could not be fetched ({exc or type(exc).__name__})"


def _causes(exc: BaseException) -> list[BaseException]:
    """exc and the exceptions it was raised from, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _one_line(text: str) -> str:
    return " ".join(text.split())
