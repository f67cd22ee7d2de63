"""Our block classes, as the builder and the validator use them: to write and re-read their OLX.

The blocks' modules import the records app (Django models), so importing them needs configured
Django settings. Inside the LMS, Studio, the preview or the tests those exist; a plain
``kkn-course`` run gets a minimal in-memory configuration that is enough to import the classes
(nothing here touches a database).
"""
from __future__ import annotations

import functools

from xblock.core import XBlock
from xblock.field_data import DictFieldData
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime


def _ensure_django():
    import django  # pylint: disable=import-outside-toplevel
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    from django.conf import settings  # pylint: disable=import-outside-toplevel

    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=["kkn_xblocks.records"],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
            USE_TZ=True,
        )
        # Only what importing the block classes needs: the record app's models (they refer to
        # learners by key, not to auth's users or contenttypes). No logging configuration and no URL
        # prefix, which ``django.setup()`` adds: nothing is served or logged here, and each cost
        # every build that much start-up.
        apps.populate(settings.INSTALLED_APPS)
    elif not apps.ready:
        django.setup()


@functools.lru_cache(maxsize=None)
def block_class(tag):
    """The XBlock class registered under the entry point ``tag`` (``kkn_module``, ...)."""
    _ensure_django()
    return XBlock.load_class(tag)


def offline_block(tag, url_name, fields):
    """An instance of the block ``tag`` holding ``fields`` (as the class stores them), outside any LMS."""
    runtime = OfflineRuntime(DictFieldData(dict(fields)))
    return runtime.construct_xblock_from_class(block_class(tag), ScopeIds(None, tag, url_name, url_name))


class OfflineRuntime(Runtime):
    """Just enough runtime to hold one block's field values: write its OLX, run its author checks."""

    def __init__(self, field_data=None):
        ids = MemoryIdManager()
        super().__init__(ids, ids, services={"field-data": field_data or KvsFieldData(DictKeyValueStore())})

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        raise NotImplementedError("blocks are not served here")

    def resource_url(self, resource):
        raise NotImplementedError("blocks are not served here")

    def local_resource_url(self, block, uri):
        raise NotImplementedError("blocks are not served here")

    def publish(self, block, event_type, event_data):
        raise NotImplementedError("blocks are not served here")
