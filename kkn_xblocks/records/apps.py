"""Django app config, registered as an Open edX plugin app (LMS and Studio)."""
from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The programme record. Open edX picks it up through the ``lms.djangoapp`` and
    ``cms.djangoapp`` entry points, so operators only pip-install and run migrations."""

    name = "kkn_xblocks.records"
    label = "kkn_records"
    verbose_name = "KKN programme record"
    default_auto_field = "django.db.models.BigAutoField"

    # edx-django-utils plugin configuration (edx_django_utils/plugins/constants.py names the keys;
    # plugin_urls.py includes ``<app>.<relative_path>`` under ``regex`` with this namespace). The
    # LMS serves the public certificate verification, /kkn/intyg/<id>/; Studio serves the same page
    # so that links in its preview resolve. Plain strings: the package does not import
    # edx-django-utils just to name them.
    plugin_app = {
        "url_config": {
            project: {"namespace": "kkn_records", "regex": r"^kkn/", "relative_path": "urls"}
            for project in ("lms.djangoapp", "cms.djangoapp")
        },
    }

    def ready(self):
        # In the LMS, account retirement reaches the record through the platform's signals.
        from . import signals  # pylint: disable=import-outside-toplevel
        signals.connect()
