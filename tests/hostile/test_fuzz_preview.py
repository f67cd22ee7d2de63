"""Property-based fuzzing of the preview's addresses: any path under any route, never a 5xx and
never Django's debug page; errors are the preview's own Swedish page."""
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_export.preview import views

from ..course_export.conftest import course_source, english  # noqa: F401  pylint: disable=unused-import
from .harness import CASES
from .strategies import TEXT

PREFIXES = ["/static/", "/static/workbench/", "/kurs/", "/courses/x/jump_to_id/", "/handler/", "/unauth_handler/",
            "/resource/kkn_module/", "/resource/", "/scenario/", "/jsi18n/", "/", "/reset_state", "/admin/"]
TAILS = st.one_of(TEXT, st.sampled_from(["..", "../..", "%00", "%ff", "%2e%2e%2f", "a/../../b", "//", "\\..\\",
                                         "public/../../../setup.py", "kkn_module.0/", "x" * 3000]))


@pytest.fixture
def preview(course_source, monkeypatch, db, client):  # noqa: F811  pylint: disable=unused-argument
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(course_source))
    monkeypatch.setitem(views._state, "loaded", None)  # pylint: disable=protected-access
    client.raise_request_exception = False
    return client


def test_fuzz_preview_paths(preview):
    @settings(settings.get_profile("kkn-fuzz"))
    @given(prefix=st.sampled_from(PREFIXES), tail=st.lists(TAILS, max_size=3).map("/".join),
           method=st.sampled_from(["GET", "POST", "HEAD"]))
    def fuzz(prefix, tail, method):
        CASES["preview addresses"] += 1
        path = prefix + quote(tail.encode("utf-8", "surrogatepass"), safe="/%")
        response = preview.generic(method, path, HTTP_REFERER="https://evil.example/")
        assert response.status_code < 500, (method, path)
        if response.status_code >= 400 and not response.streaming and method != "HEAD":
            page = response.content.decode("utf-8", "replace")
            assert "Traceback" not in page and "SECRET_KEY" not in page
            ours = not prefix.startswith(("/handler/", "/unauth_handler/"))  # a block's own pages answer there
            if ours and page and response["Content-Type"].startswith("text/html"):
                assert "Tillbaka till kursen" in page, (method, path, page[:300])

    fuzz()
