"""Shared test harness: the real workbench runtime over HTTP (Django test client) and a fake clock.

``wb`` loads block XML into the workbench, renders views and calls handlers exactly as a browser
does (``/handler/<usage>/<name>/?student=<user>``), so tests cover the runtime, the services of the
local preview and the records app on a real database.
"""
import itertools
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from django.test import Client
from workbench.runtime import WorkbenchRuntime

from kkn_xblocks import clock

_scenario_numbers = itertools.count()


class Workbench:
    """Drive blocks through the local runtime as the browser does."""

    def __init__(self):
        self.client = Client()

    def load(self, xml):
        """Parse scenario XML (``<vertical_demo>`` or a single block); return the root usage id."""
        runtime = WorkbenchRuntime()
        runtime.id_generator.set_scenario(f"test-{next(_scenario_numbers)}")
        return runtime.parse_xml_string(xml)

    def block(self, usage_id, user="student_1"):
        return WorkbenchRuntime(user).get_block(usage_id)

    def child_ids(self, usage_id):
        return list(self.block(usage_id).children)

    def render(self, usage_id, user="student_1", view="student_view"):
        block = self.block(usage_id, user)
        fragment = block.render(view, {})
        return fragment.body_html() + fragment.foot_html()

    def post(self, usage_id, handler, data=None, user="student_1", raw=None):
        """POST to a handler; return ``(status, decoded JSON or None)``."""
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        response = self.client.post(
            f"/handler/{usage_id}/{handler}/?student={user}", data=body, content_type="application/json"
        )
        try:
            payload = json.loads(response.content.decode("utf-8"))
        except ValueError:
            payload = None
        return response.status_code, payload

    def get(self, usage_id, handler, user="student_1", suffix="", query=""):
        url = f"/handler/{usage_id}/{handler}/{suffix}?student={user}"
        if query:
            url += "&" + query
        return self.client.get(url)

    def verify(self, typed="", json=False, **extra):
        """The public verification page of the records app (no login): /kkn/intyg/<typed>/[json/]."""
        if not typed:
            return self.client.get("/kkn/intyg/", **extra)
        return self.client.get(f"/kkn/intyg/{quote(typed, safe='')}/{'json/' if json else ''}", **extra)

    def unauth_get(self, usage_id, handler, suffix="", query=""):
        url = f"/unauth_handler/{usage_id}/{handler}/{suffix}"
        if query:
            url += "?" + query
        return self.client.get(url)


@pytest.fixture
def wb(db):  # pylint: disable=unused-argument
    return Workbench()


class FakeClock:
    """A controllable UTC clock; ``advance(seconds=...)`` moves it."""

    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, **kwargs):
        self.current += timedelta(**kwargs)
        return self.current

    def set(self, moment):
        self.current = moment
        return moment


@pytest.fixture
def fake_clock(monkeypatch):
    fake = FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture(autouse=True)
def _swedish(settings):
    """Tests see what learners see: the Swedish UI."""
    from django.utils import translation  # pylint: disable=import-outside-toplevel

    settings.LANGUAGE_CODE = "sv"
    with translation.override("sv"):
        yield


@pytest.fixture
def sv_gettext():
    """The blocks' own Swedish catalog, for testing rules (plain functions) without a runtime."""
    import gettext  # pylint: disable=import-outside-toplevel
    from importlib.resources import files  # pylint: disable=import-outside-toplevel

    return gettext.translation("text", str(files("kkn_xblocks") / "translations"), ["sv"]).gettext
