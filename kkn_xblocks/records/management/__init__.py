"""Operator commands of the programme record (``manage.py lms kkn_...``)."""
from django.conf import settings
from django.utils import translation

from kkn_xblocks.catalog import translations


def _catalog():
    """The package's catalog in the language the command runs in (Django's active language, else
    LANGUAGE_CODE)."""
    return translations((translation.get_language() or settings.LANGUAGE_CODE or "en").split("-")[0].lower())


def gettext(text):
    return _catalog().gettext(text)


def ngettext(singular, plural, number):
    return _catalog().ngettext(singular, plural, number)


def _(text):
    return text


def _policy_named(model_name):
    from ..privacy import POLICIES  # pylint: disable=import-outside-toplevel
    return next((p for model, p in POLICIES.items() if model.__name__ == model_name), None)


def table_title(model_name):
    """What a table holds, in the command's language (the policy's title), for a model's name."""
    policy = _policy_named(model_name)
    return gettext(policy.title) if policy else model_name


def column_labels(model_name, columns):
    """The columns' labels in the command's language, for a model's name."""
    policy = _policy_named(model_name)
    labels = (gettext(policy.columns[c].label) if policy and c in policy.columns else c for c in columns)
    return ", ".join(label[:1].lower() + label[1:] for label in labels)  # inside a sentence


def learner_key_argument(parser):
    parser.add_argument("learner_key", help="the learner key: the user id in the LMS (as on the staff reports)")


def checked_key(raw):
    """The learner key typed, or a CommandError saying what to type."""
    from django.core.management.base import CommandError  # pylint: disable=import-outside-toplevel
    key = (raw or "").strip()
    if not key or len(key) > 64 or any(ch.isspace() for ch in key):
        raise CommandError(gettext(_(
            "'{key}' is not a learner key. Give the user id from the LMS (a number, as on the staff reports)."
        )).format(key=raw))
    return key
