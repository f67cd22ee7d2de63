"""A block's text form names the block, never its fields: openedx-platform logs blocks with ``%s``
when a handler is missing (lms/djangoapps/courseware/block_render.py), and XBlock's own repr lists
every field value, the exam's answer key among them."""
import logging

from .exam.conftest import make_exam  # noqa: F401  pylint: disable=unused-import  (a fixture)


def test_the_exam_in_a_log_line_shows_no_answer(wb, make_exam, caplog):  # pylint: disable=redefined-outer-name
    usage = make_exam()
    block = wb.block(usage)
    for text in (str(block), repr(block), "%s" % block):  # pylint: disable=consider-using-f-string
        assert "correct" not in text and "questions" not in text and str(usage) in text
    with caplog.at_level(logging.ERROR):
        response = wb.get(usage, "no_such_handler")
    assert response.status_code == 404  # as the LMS answers a missing handler
    assert "correct" not in caplog.text
