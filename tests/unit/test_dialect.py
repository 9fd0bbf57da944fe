import pytest

from reader.storage.dialect import to_format_placeholders as conv


def test_placeholders_become_format_style():
    assert conv("SELECT * FROM t WHERE a = ? AND b IN (?, ?)") == \
        "SELECT * FROM t WHERE a = %s AND b IN (%s, %s)"


def test_adjacent_question_marks_are_two_placeholders():
    assert conv("VALUES (??)") == "VALUES (%s%s)"


def test_question_marks_in_strings_and_names_stay():
    sql = "SELECT 'why?', \"odd?col\" FROM t WHERE x = ?"
    assert conv(sql) == "SELECT 'why?', \"odd?col\" FROM t WHERE x = %s"


def test_doubled_quote_keeps_the_string_open():
    sql = "SELECT 'it''s ?' WHERE a = ?"
    assert conv(sql) == "SELECT 'it''s ?' WHERE a = %s"


def test_literal_percent_is_escaped_everywhere():
    assert conv("SELECT 'a%' LIKE ? , 5 % 2") == "SELECT 'a%%' LIKE %s , 5 %% 2"


def test_comments_are_left_alone():
    sql = "SELECT ? -- really?\n, ? /* and ? here */"
    assert conv(sql) == "SELECT %s -- really?\n, %s /* and ? here */"


def test_sql_without_placeholders_is_unchanged():
    sql = "SELECT title FROM article ORDER BY id"
    assert conv(sql) == sql


@pytest.mark.parametrize("sql, where", [("SELECT 'open ?", "' quote at character 7"),
                                        ("SELECT ? /* open", "/* comment at character 9")])
def test_unterminated_quote_or_comment_is_refused(sql, where):
    with pytest.raises(ValueError, match="unterminated " + where.replace("*", r"\*")):
        conv(sql)


# --- to_postgres: the few spellings PostgreSQL takes otherwise ---------------------------
from reader.storage.dialect import to_postgres  # noqa: E402


def test_insert_or_ignore_becomes_on_conflict_do_nothing():
    assert to_postgres("INSERT OR IGNORE INTO highlight_tag (highlight_id, tag_id) VALUES (?, ?)") \
        == "INSERT INTO highlight_tag (highlight_id, tag_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"


def test_indexed_by_is_dropped_and_nocase_becomes_lower():
    assert to_postgres("SELECT id FROM article INDEXED BY article_list_row WHERE id IN (?)") \
        == "SELECT id FROM article WHERE id IN (%s)"
    assert to_postgres("SELECT name FROM tag WHERE name = ? COLLATE NOCASE") == \
        "SELECT name FROM tag WHERE lower(name) = lower(%s)"
    assert to_postgres("SELECT a.id FROM article a ORDER BY a.title COLLATE NOCASE, a.id") == \
        "SELECT a.id FROM article a ORDER BY lower(a.title), a.id"


def test_nocase_on_a_case_expression_or_a_call_lowers_the_whole_operand():
    assert to_postgres("SELECT id FROM feed f ORDER BY CASE f.title WHEN '' THEN f.url ELSE"
                       " f.title END COLLATE NOCASE, f.id") == \
        "SELECT id FROM feed f ORDER BY lower(CASE f.title WHEN '' THEN f.url ELSE f.title END)" \
        ", f.id"
    assert to_postgres("SELECT 1 ORDER BY CASE WHEN a THEN CASE b WHEN 1 THEN c END ELSE d END"
                       " COLLATE NOCASE") == \
        "SELECT 1 ORDER BY lower(CASE WHEN a THEN CASE b WHEN 1 THEN c END ELSE d END)"
    assert to_postgres("SELECT 1 ORDER BY coalesce(a.title, (a.url)) COLLATE NOCASE, a.id") == \
        "SELECT 1 ORDER BY lower(coalesce(a.title, (a.url))), a.id"
    assert to_postgres("SELECT 1 ORDER BY (a || b) COLLATE NOCASE") == \
        "SELECT 1 ORDER BY lower((a || b))"
    # An operand it cannot find stays as it was: PostgreSQL then names the collation.
    assert to_postgres("SELECT 1 ORDER BY 'a' COLLATE NOCASE") == \
        "SELECT 1 ORDER BY 'a' COLLATE NOCASE"


def test_descending_orders_keep_nulls_last_and_no_limit_is_limit_all():
    assert to_postgres("SELECT id FROM article ORDER BY a.published DESC, a.id DESC LIMIT -1") \
        == "SELECT id FROM article ORDER BY a.published DESC NULLS LAST, a.id DESC NULLS LAST" \
           " LIMIT ALL"
    assert to_postgres("SELECT 1 ORDER BY x DESC NULLS FIRST") == \
        "SELECT 1 ORDER BY x DESC NULLS FIRST"


def test_other_statements_only_change_placeholders():
    sql = "UPDATE highlight SET colour = ?, note = '100%' WHERE id = ?"
    assert to_postgres(sql) == "UPDATE highlight SET colour = %s, note = '100%%' WHERE id = %s"
