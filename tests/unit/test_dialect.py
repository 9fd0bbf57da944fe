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
