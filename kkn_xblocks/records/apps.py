"""Django app config, registered as an Open edX plugin app (LMS and Studio)."""
from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The programme record. Open edX picks it up through the ``lms.djangoapp`` and
    ``cms.djangoapp`` entry points, so operators only pip-install and run migrations."""

    name = "kkn_xblocks.records"
    label = "kkn_records"
    verbose_name = "KKN programme record"
    default_auto_field = "django.db.models.BigAutoField"

    # edx-django-utils plugin configuration: no URLs or settings of our own, just the models.
    plugin_app = {}

    def ready(self):
        # In the LMS, account retirement reaches the record through the platform's signals.
        from . import signals  # pylint: disable=import-outside-toplevel
        signals.connect()
