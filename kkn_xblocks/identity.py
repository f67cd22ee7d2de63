"""Who is asking: a stable learner key, a display name and staff rights, from the ``user`` service.

The LMS user service (openedx-platform ``common/djangoapps/xblock_django/user_service.py``) puts
``edx-platform.user_id`` and ``edx-platform.user_is_staff`` in ``opt_attrs``. The xblock-sdk
workbench puts ``xblock-workbench.user_id``; our local runtime (``kkn_xblocks.devserver``) adds
``edx-platform.user_is_staff`` for the users its settings name as staff, so the blocks have one
code path. Anonymous users get no key: the blocks show, but record nothing.

Studio's preview is the exception to "the user service tells who is asking". openedx-platform
(``cms/djangoapps/contentstore/views/preview.py``, ``_prepare_runtime_for_preview``) gives the preview
runtime the same ``DjangoXBlockUserService`` as the LMS, built from the signed-in author: her real
``edx-platform.user_id``, no ``user_is_staff`` flag, only a ``user_role``. Whatever a block records
there would land under her id in the tables the LMS reads. The same function marks the runtime with
``is_author_mode = True`` ("xmodules can check for this attribute during rendering to determine if
they are being rendered for preview"), and that is what ``in_studio_preview`` reads: there the person
is ``STUDIO_PREVIEW``, with no key, so views read and write no record, and ``KknBlockMixin`` refuses
every handler that would write.
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
    studio_preview: bool = False

    @property
    def known(self):
        """True when the user can have a record (signed in to the LMS or the local runtime)."""
        return self.key is not None


ANONYMOUS = Person(key=None, name="", is_staff=False)
STUDIO_PREVIEW = Person(key=None, name="", is_staff=False, studio_preview=True)


def in_studio_preview(runtime):
    """True in the runtime Studio renders and runs previews in (see the module docstring)."""
    return getattr(runtime, "is_author_mode", False) is True


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
    """The person using ``block`` now; ``ANONYMOUS`` when the runtime has no user service, and
    ``STUDIO_PREVIEW`` in Studio's preview whoever the author is."""
    if in_studio_preview(block.runtime):
        return STUDIO_PREVIEW
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
