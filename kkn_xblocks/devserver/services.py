"""Runtime services of the local preview that the stock workbench lacks or gets wrong."""
import gettext
import warnings
from pathlib import Path

import django.utils.translation
from django.conf import settings
from django.utils.translation import get_language, to_locale
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import UserIdDeprecationWarning

from kkn_xblocks.identity import LMS_IS_STAFF, WORKBENCH_USER_ID

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


class LocalUserService(UserService):
    """The workbench user service, plus a name and staff rights from ``settings.KKN_LOCAL_USERS``.

    The workbench builds services with no arguments and sets ``.runtime`` afterwards, so the
    current user is read from the runtime when asked for.
    """

    runtime = None

    def get_current_user(self):
        # The workbench keeps its per-request user on the runtime (the deprecated Runtime.user_id);
        # read it without the warning, as this service exists to replace that attribute.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserIdDeprecationWarning)
            uid = getattr(self.runtime, "user_id", None)
        if uid is None:
            return XBlockUser(is_current_user=True)
        known = settings.KKN_LOCAL_USERS.get(uid, {})
        user = XBlockUser(
            is_current_user=True,
            emails=[f"{uid}@example.invalid"],
            full_name=known.get("name", uid),
        )
        user.opt_attrs[WORKBENCH_USER_ID] = uid
        user.opt_attrs[LMS_IS_STAFF] = bool(known.get("staff", False))
        return user


class LocalI18nService:
    """Translations as the LMS's ``XBlockI18nService`` gives them: the block package's own
    ``translations/<locale>/LC_MESSAGES/text.mo``, falling back to Django's catalog."""

    runtime = None

    def __init__(self):
        try:
            self.translator = gettext.translation("text", TRANSLATIONS, [to_locale(get_language() or "en")])
        except OSError:
            self.translator = django.utils.translation

    def __getattr__(self, name):
        if name == "ugettext":
            name = "gettext"
        elif name == "ungettext":
            name = "ngettext"
        if hasattr(self.translator, name):
            return getattr(self.translator, name)
        return getattr(django.utils.translation, name)
