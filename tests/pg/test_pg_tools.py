"""Export, feeds, saving pages and imports from other tools on a team library: when the
server refuses a reader's change (row-level security, a missing grant) or the connection
is lost, the action stops with a LibraryError naming the library and the reason, never
with a driver's error, and the library stays usable. A reader's export holds what the
server lets that reader see: never another's private highlight."""

from __future__ import annotations

import pytest

from reader.cli.main import main
from reader.export.exporter import Exporter
from reader.library import Library, LibraryError
from reader.other_tools.importer import import_export
from reader.web.save import save_page, save_pages
from pg_urls import as_role

CLIPPINGS = (
    "Rivers (Ann Lopez)\r\n"
    "- Your Highlight on page 1 | Location 10-11 | Added on Monday, 7 August 2023 09:30:15\r\n"
    "\r\n"
    "Salt follows the rivers.\r\n"
    "==========\r\n"
)
PAGE = ("<html><head><title>Deltas</title></head><body><article><h1>Deltas</h1>"
        + "<p>Rivers carry silt to the sea, and deltas grow where the water slows.</p>" * 20
        + "</article></body></html>")


@pytest.fixture
def clippings(tmp_path):
    path = tmp_path / "My Clippings.txt"
    path.write_text(CLIPPINGS, encoding="utf-8")
    return path


@pytest.fixture
def bob(team):
    """The team library as its reader bob sees it."""
    with Library.open(as_role(team["url"], team["bob"])) as library:
        yield library


def test_a_highlight_refused_by_row_level_security_stops_the_import_in_words(
        team, bob, clippings, capsys):
    # The owner lets readers add private highlights only: the server refuses bob's.
    with Library.open(team["url"]) as owner:
        owner.storage.run("CREATE POLICY only_private ON highlight AS RESTRICTIVE FOR INSERT"
                          " WITH CHECK (private)")
    with pytest.raises(LibraryError) as refused:
        import_export(bob, clippings)
    message = str(refused.value)
    assert message.startswith(f"Importing {clippings} stopped: {bob.url}: the server "
                              "refused it (new row violates row-level security policy")
    assert 'for table "highlight"' in message
    assert bob.storage.rows("SELECT count(*) FROM highlight")[0][0] == 0
    assert bob.storage.rows("SELECT count(*) FROM imported")[0][0] == 0
    # The command line says the same in one line, exit status 1.
    assert main(["--db", as_role(team["url"], team["bob"]), "import", str(clippings)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"marginalia: Importing {clippings} stopped: ")
    assert "row-level security" in err and "Traceback" not in err and err.count("\n") == 1


def test_a_missing_grant_stops_a_subscription_in_words(team, bob):
    with Library.open(team["url"]) as owner:
        owner.storage.run(f'REVOKE INSERT ON feed FROM "{team["group"]}"')
    with pytest.raises(LibraryError, match=r"^Subscribing to the feed stopped: .*: the server "
                                           r"refused it \(permission denied for table feed\)"):
        bob.feeds.add("https://rivers.example/feed.xml", "Rivers")
    assert bob.feeds.list() == []  # and the library still answers


def test_a_page_the_server_will_not_store_is_a_problem_in_words(team, bob, httpserver):
    httpserver.expect_request("/deltas").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/deltas")
    with Library.open(team["url"]) as owner:
        owner.storage.run(f'REVOKE INSERT ON article FROM "{team["group"]}"')
    with pytest.raises(LibraryError, match=r"^Saving the page stopped: .*: the server refused "
                                           r"it \(permission denied for table article\)"):
        save_page(bob, url)
    (problem,) = save_pages(bob, [url]).problems
    assert "permission denied for table article" in str(problem)
    assert bob.articles.count() == 0


def test_an_export_after_the_server_ended_the_connection_reconnects(pg_url, pg_admin,
                                                                     tmp_path):
    """A connection the server ended while the library sat idle is replaced at the
    export's first read: the export is written whole."""
    with Library.open(pg_url) as library:
        path = tmp_path / "rivers.md"
        path.write_text("# Rivers\n\nSalt follows the rivers.\n", encoding="utf-8")
        (article_id,) = library.import_files([path]).added
        library.highlights.create(article_id, 0, 6)
        exporter = Exporter(library)
        ended = pg_admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                 " WHERE datname = %s AND pid <> pg_backend_pid()",
                                 (pg_url.rsplit("/", 1)[1],)).fetchone()[0]
        assert ended >= 1
        written = exporter.to_folder(tmp_path / "vault", [article_id]).written
        assert len(written) == 1 and "Rivers" in written[0].read_text(encoding="utf-8")


def test_a_readers_export_leaves_out_anothers_private_highlights(team, tmp_path):
    with Library.open(as_role(team["url"], team["ann"])) as ann:
        path = tmp_path / "rivers.md"
        path.write_text("# Rivers\n\nSalt follows the rivers to the sea.\n", encoding="utf-8")
        (article_id,) = ann.import_files([path]).added
        text = ann.articles.text(article_id)
        shared = ann.highlights.create(article_id, text.index("Salt"), text.index("Salt") + 4)
        secret = ann.highlights.create(article_id, text.index("sea"), text.index("sea") + 3)
        ann.highlights.set_note(shared.highlight_id, "for the team")
        ann.highlights.set_note(secret.highlight_id, "my own doubt")
        # Only the server knows "private" so far: set as the author, in plain SQL.
        ann.storage.run("UPDATE highlight SET private = true WHERE id = ?",
                        (secret.highlight_id,))
        mine = Exporter(ann).to_text([article_id])
    assert "for the team" in mine and "> sea" in mine and "my own doubt" in mine
    with Library.open(as_role(team["url"], team["bob"])) as bob:
        (written,) = Exporter(bob).to_folder(tmp_path / "vault", [article_id]).written
    exported = written.read_text(encoding="utf-8")
    assert "for the team" in exported and "Salt" in exported
    assert "my own doubt" not in exported and "> sea" not in exported
    assert "\nhighlights: 1\n" in exported
