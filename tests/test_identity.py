"""A stable learner key and staff rights from the user service, in the LMS and the local runtime."""
from types import SimpleNamespace

from xblock.reference.user_service import XBlockUser

from kkn_xblocks import identity


def block_with_user(user):
    service = SimpleNamespace(get_current_user=lambda: user)
    runtime = SimpleNamespace(service=lambda block, name: service if name == "user" else None)
    return SimpleNamespace(runtime=runtime)


def user(full_name="", **attrs):
    u = XBlockUser(is_current_user=True, full_name=full_name)
    u.opt_attrs.update(attrs)
    return u


def test_lms_user_id_is_the_key_and_staff_comes_from_user_is_staff():
    person = identity.current_person(block_with_user(user(
        "Anna Lindqvist", **{"edx-platform.user_id": 42, "edx-platform.username": "anna",
                             "edx-platform.user_is_staff": False})))
    assert person == identity.Person(key="42", name="Anna Lindqvist", is_staff=False)
    staff = identity.current_person(block_with_user(user(**{"edx-platform.user_id": 7, "edx-platform.username": "karin",
                                                            "edx-platform.user_is_staff": True})))
    assert staff == identity.Person(key="7", name="karin", is_staff=True)


def test_local_runtime_keys_are_prefixed():
    person = identity.current_person(block_with_user(user("Erik", **{"xblock-workbench.user_id": "student_2"})))
    assert person.key == "local:student_2" and not person.is_staff


def test_no_user_service_or_anonymous_user_has_no_key():
    no_service = SimpleNamespace(runtime=SimpleNamespace(service=lambda block, name: None))
    assert identity.current_person(no_service) == identity.ANONYMOUS
    assert not identity.current_person(block_with_user(user(**{"edx-platform.user_id": None}))).known
    assert not identity.current_person(block_with_user(user(**{"xblock-workbench.user_id": " "}))).known


def test_studio_preview_has_no_key_whatever_the_user_service_says():
    """Studio's preview (openedx-platform cms/djangoapps/contentstore/views/preview.py) passes the
    author's real user id and marks the runtime with ``is_author_mode = True``."""
    block = block_with_user(user("Karin Berg", **{"edx-platform.user_id": 42, "edx-platform.user_is_staff": False,
                                                  "edx-platform.user_role": "instructor"}))
    block.runtime.is_author_mode = True
    person = identity.current_person(block)
    assert person == identity.STUDIO_PREVIEW
    assert not person.known and not person.is_staff and person.studio_preview
