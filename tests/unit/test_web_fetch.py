"""Fetching pages by address (reader.web.fetch), against servers on 127.0.0.1 only."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator

import pytest
from werkzeug import Response

from reader import __version__
from reader.web import FetchCancelled, FetchError, fetch_page

ARTICLE = ("<html><head><title>Rivers</title></head><body><article><h1>Rivers</h1>"
           "<p>Rivers carry water from the hills down to the sea, and towns grow along them "
           "because the water brings trade, food and power for mills.</p></article></body></html>")




def serve_raw(handler) -> Iterator[int]:
    """A TCP server on 127.0.0.1 whose connections `handler(conn)` deals with; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def run() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handler, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


@pytest.fixture
def silent_port():
    """Accepts connections and never answers."""

    def handler(conn, stop):
        with conn:
            stop.wait(30)

    yield from serve_raw(handler)


@pytest.fixture
def endless_port():
    """Answers 200 text/html and sends a body that never ends."""

    def handler(conn, stop):
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"<p>" + b"words " * 10000 + b"</p>"
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            try:
                while not stop.is_set():
                    conn.sendall(frame)
            except OSError:
                pass  # the client hung up, as it should

    yield from serve_raw(handler)


@pytest.fixture
def trickling_port():
    """Answers 200 text/html, then a few bytes every tenth of a second, for ever."""

    def handler(conn, stop):
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            try:
                while not stop.wait(0.1):
                    conn.sendall(b"3\r\n<p>\r\n")
            except OSError:
                pass

    yield from serve_raw(handler)


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def test_a_page_is_fetched_and_decoded(httpserver):
    httpserver.expect_request("/rivers").respond_with_data(
        ARTICLE, content_type="text/html; charset=utf-8")
    page = fetch_page(httpserver.url_for("/rivers"))
    assert page.final_url == page.url == httpserver.url_for("/rivers")
    assert page.media_type == "text/html" and page.source_format == "html"
    assert page.charset == "utf-8" and "Rivers carry water" in page.text
    request, _response = httpserver.log[0]
    assert request.headers["User-Agent"].startswith(f"Marginalia/{__version__}")


def test_gzip_and_deflate_pages_are_decoded(httpserver):
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(ARTICLE.encode()), content_type="text/html",
        headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/deflate").respond_with_data(
        zlib.compress(ARTICLE.encode()), content_type="text/html",
        headers={"Content-Encoding": "deflate"})
    assert "Rivers carry water" in fetch_page(httpserver.url_for("/gz")).text
    assert "Rivers carry water" in fetch_page(httpserver.url_for("/deflate")).text


def test_raw_deflate_and_several_gzip_members_are_decoded(httpserver):
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    httpserver.expect_request("/raw").respond_with_data(
        raw.compress(ARTICLE.encode()) + raw.flush(), content_type="text/html",
        headers={"Content-Encoding": "deflate"})
    half = len(ARTICLE) // 2
    httpserver.expect_request("/members").respond_with_data(
        gzip.compress(ARTICLE[:half].encode()) + gzip.compress(ARTICLE[half:].encode()),
        content_type="text/html", headers={"Content-Encoding": "gzip"})
    assert "Rivers carry water" in fetch_page(httpserver.url_for("/raw")).text
    assert fetch_page(httpserver.url_for("/members")).text == ARTICLE


def test_broken_or_unknown_compression_fails(httpserver):
    httpserver.expect_request("/broken").respond_with_data(
        b"\x1f\x8b\x08\x00garbage", content_type="text/html",
        headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/br").respond_with_data(
        b"\x0b\x02\x80", content_type="text/html", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="compressed content could not be decoded"):
        fetch_page(httpserver.url_for("/broken"))
    with pytest.raises(FetchError, match=r"compressed in a way that cannot be read \(br\)"):
        fetch_page(httpserver.url_for("/br"))


def test_the_size_cap_counts_decoded_bytes(httpserver):
    bomb = gzip.compress(b"<p>" + b" " * (3 * 1024 * 1024) + b"</p>")  # ~3 KB on the wire
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=r"too large \(more than 1 MB\)"):
        fetch_page(httpserver.url_for("/bomb"), max_bytes=1024 * 1024)


def test_a_compressed_bomb_is_never_expanded_in_memory_past_the_cap(httpserver):
    import tracemalloc

    bomb = gzip.compress(b" " * (100 * 1024 * 1024), compresslevel=9)  # ~100 KB on the wire
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="too large"):
            fetch_page(httpserver.url_for("/bomb"), max_bytes=1024 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024


def test_a_page_that_never_ends_stops_at_the_cap_quickly(endless_port):
    url = f"http://127.0.0.1:{endless_port}/forever"
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    assert time.monotonic() - started < 15
    assert str(caught.value) == f"{url}: too large (more than 20 MB)"


def test_a_declared_length_over_the_cap_is_refused_before_reading(httpserver):
    httpserver.expect_request("/big").respond_with_data(
        "x" * 2000, content_type="text/plain")
    with pytest.raises(FetchError, match="too large"):
        fetch_page(httpserver.url_for("/big"), max_bytes=1000)


def test_a_page_in_windows_1251_declared_only_in_its_meta_tag(httpserver):
    page = ('<html><head><meta charset="windows-1251"><title>Реки</title></head><body>'
            "<p>Реки несут воду с холмов к морю.</p></body></html>")
    httpserver.expect_request("/ru").respond_with_data(
        page.encode("windows-1251"), content_type="text/html")
    fetched = fetch_page(httpserver.url_for("/ru"))
    assert "Реки несут воду с холмов к морю." in fetched.text and fetched.charset is None


def test_the_header_charset_wins(httpserver):
    httpserver.expect_request("/latin").respond_with_data(
        "<p>Café crème</p>".encode("latin-1"), content_type="text/html; charset=ISO-8859-1")
    assert "Café crème" in fetch_page(httpserver.url_for("/latin")).text


@pytest.mark.parametrize(("content_type", "expected"), [
    ("text/plain", "text"), ("text/markdown; charset=utf-8", "markdown"),
    ("application/xhtml+xml", "html"),
])
def test_article_types_are_accepted(httpserver, content_type, expected):
    httpserver.expect_request("/doc").respond_with_data("# Title\n\nSome text.",
                                                        content_type=content_type)
    assert fetch_page(httpserver.url_for("/doc")).source_format == expected


def untyped(body: bytes) -> Response:
    response = Response(body)
    del response.headers["Content-Type"]
    return response


def test_a_missing_content_type_is_sniffed(httpserver):
    for path, body, media_type in (("/h", ARTICLE.encode(), "text/html"),
                                   ("/t", b"Just some words.", "text/plain"),
                                   ("/notes.md", b"# Notes\n\nText.", "text/markdown")):
        httpserver.expect_request(path).respond_with_response(untyped(body))
        assert fetch_page(httpserver.url_for(path)).media_type == media_type
    httpserver.expect_request("/p").respond_with_response(untyped(b"%PDF-1.7 ..."))
    with pytest.raises(FetchError, match=r"not an article \(application/pdf\)"):
        fetch_page(httpserver.url_for("/p"))


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/zip"])
def test_other_types_are_refused_by_name(httpserver, content_type):
    httpserver.expect_request("/file").respond_with_data(b"\x00\x01", content_type=content_type)
    url = httpserver.url_for("/file")
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    assert str(caught.value) == f"{url}: not an article ({content_type})"


@pytest.mark.parametrize(("status", "words"), [(404, "404 NOT FOUND"), (410, "410 GONE"),
                                                (500, "500 INTERNAL SERVER ERROR"),
                                                (503, "503 SERVICE UNAVAILABLE")])
def test_error_statuses_fail(httpserver, status, words):
    httpserver.expect_request("/x").respond_with_data("no", status=status)
    url = httpserver.url_for("/x")
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    assert str(caught.value).lower() == f"{url}: the server answered {words}".lower()


def test_an_unresolvable_host_fails_without_traffic():
    with pytest.raises(FetchError) as caught:
        fetch_page("http://nothing.invalid/page")
    assert str(caught.value) == "http://nothing.invalid/page: the host name could not be found"


def test_a_refused_connection():
    url = f"http://127.0.0.1:{closed_port()}/"
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    assert str(caught.value) == f"{url}: the connection was refused"


def test_a_server_that_never_answers_times_out(silent_port):
    url = f"http://127.0.0.1:{silent_port}/"
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(url, read_timeout=0.5)
    assert time.monotonic() - started < 5
    assert str(caught.value) == f"{url}: timed out: the server did not answer within 0.5 s"


def test_a_page_that_trickles_in_times_out_as_a_whole(trickling_port):
    url = f"http://127.0.0.1:{trickling_port}/"
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(url, total_timeout=1)
    assert time.monotonic() - started < 5
    assert str(caught.value) == f"{url}: timed out: the page took more than 1 s"


def test_a_tls_failure_is_named(httpserver):
    httpserver.expect_request("/").respond_with_data("plain http")
    url = httpserver.url_for("/").replace("http://", "https://")
    with pytest.raises(FetchError) as caught:
        fetch_page(url)
    message = str(caught.value)
    assert message.startswith(f"{url}: the secure connection failed (") and "\n" not in message


def test_redirect_chains_are_followed(httpserver):
    for n in range(3):
        httpserver.expect_request(f"/r{n}").respond_with_data(
            "", status=302 if n else 301, headers={"Location": f"/r{n + 1}"})
    httpserver.expect_request("/r3").respond_with_data(ARTICLE, content_type="text/html")
    page = fetch_page(httpserver.url_for("/r0"))
    assert page.final_url == httpserver.url_for("/r3")
    assert page.hops == tuple(httpserver.url_for(f"/r{n}") for n in range(4))


@pytest.mark.parametrize(("redirects", "ok"), [(10, True), (11, False)])
def test_at_most_ten_redirects(httpserver, redirects, ok):
    for n in range(redirects):
        httpserver.expect_request(f"/r{n}").respond_with_data(
            "", status=307, headers={"Location": httpserver.url_for(f"/r{n + 1}")})
    httpserver.expect_request(f"/r{redirects}").respond_with_data(ARTICLE,
                                                                  content_type="text/html")
    if ok:
        assert fetch_page(httpserver.url_for("/r0")).final_url.endswith(f"/r{redirects}")
    else:
        with pytest.raises(FetchError, match=r"too many redirects \(more than 10\)"):
            fetch_page(httpserver.url_for("/r0"))


@pytest.mark.parametrize("target", ["file:///etc/passwd", "data:text/html,<p>hi</p>",
                                    "ftp://127.0.0.1/file.html", "javascript:alert(1)"])
def test_redirects_to_other_schemes_are_refused(httpserver, target):
    httpserver.expect_request("/go").respond_with_data("", status=302,
                                                       headers={"Location": target})
    scheme = target.split(":")[0]
    with pytest.raises(FetchError, match=f"redirected to a {scheme}: address, which is not "):
        fetch_page(httpserver.url_for("/go"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,hi", "ftp://x/y"])
def test_other_schemes_are_never_fetched(url):
    with pytest.raises(FetchError, match="only http and https"):
        fetch_page(url)


def test_cancelling_stops_a_stream(endless_port):
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(FetchCancelled):
        fetch_page(f"http://127.0.0.1:{endless_port}/", cancelled=cancelled)


def test_fetch_errors_are_library_errors_with_the_address_and_reason():
    from reader.library import LibraryError

    error = FetchError("http://a.example/", "the connection\nwas refused")
    assert isinstance(error, LibraryError)
    assert (error.url, error.reason) == ("http://a.example/", "the connection was refused")
    assert str(error) == "http://a.example/: the connection was refused"
    import pickle

    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.reason) == (FetchError, str(error), error.reason)
    assert str(pickle.loads(pickle.dumps(FetchCancelled("http://a.example/")))) == \
        "http://a.example/: cancelled"


def test_a_transport_can_be_given():
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": "/article"})
        return httpx.Response(200, text=ARTICLE, headers={"Content-Type": "text/html"})

    page = fetch_page("https://example.test/start", transport=httpx.MockTransport(answer))
    assert page.final_url == "https://example.test/article" and "Rivers" in page.text
