"""Who is asking: a stable learner key, a display name and staff rights, from the ``user`` service.

The LMS user service (openedx-platform ``common/djangoapps/xblock_django/user_service.py``) puts
``edx-platform.user_id`` and ``edx-platform.user_is_staff`` in ``opt_attrs``. The xblock-sdk
workbench puts ``xblock-workbench.user_id``; our local runtime (``kkn_xblocks.devserver``) adds
``edx-platform.user_is_staff`` for the users its settings name as staff, so the blocks have one
code path. Studio preview and anonymous users get no key: the blocks show, but record nothing.
"""
from dataclasses import dataclass

LMS_USER_ID = "edx-platform.user_id"
LMS_USERNAME = "edx-platform.username"
LMS_IS_STAFF = "edx-platform.user_is_staff"
WORKBENCH_USER_ID = "xblock-workbench.user_id"


@dataclass(frozen=True)
class Person:
    """The current user as the blocks see them."""

    key: str | None
    name: str
    is_staff: bool

    @property
    def known(self):
        """True when the user can have a record (signed in to the LMS or the local runtime)."""
        return self.key is not None


ANONYMOUS = Person(key=None, name="", is_staff=False)


def learner_key(opt_attrs):
    """The stable key of a user from the user service's ``opt_attrs``, or None if there is none.

    LMS keys are the numeric user id; local-runtime keys are prefixed so that a local database can
    never be mistaken for production data.
    """
    user_id = opt_attrs.get(LMS_USER_ID)
    if user_id is not None and str(user_id).strip():
        return str(user_id)
    local_id = opt_attrs.get(WORKBENCH_USER_ID)
    if local_id is not None and str(local_id).strip():
        return f"local:{local_id}"
    return None


def current_person(block):
    """The person using ``block`` now; ``ANONYMOUS`` when the runtime has no user service."""
    service = block.runtime.service(block, "user")
    if service is None:
        return ANONYMOUS
    user = service.get_current_user()
    if user is None:
        return ANONYMOUS
    attrs = getattr(user, "opt_attrs", {}) or {}
    key = learner_key(attrs)
    name = (getattr(user, "full_name", "") or attrs.get(LMS_USERNAME) or "").strip()
    return Person(key=key, name=name[:255], is_staff=bool(attrs.get(LMS_IS_STAFF)))
