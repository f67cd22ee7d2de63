"""What the programme record holds about people, and what happens to it: one declaration per table.

Retirement (GDPR art. 17), the register extract (art. 15) and retention (art. 5.1 e) never name a
table in code: ``retirement.py``, ``extract.py`` and ``retention.py`` walk ``POLICIES``. Every
column of every table is declared here, with its role: the key of a person, her name, other data
about her, or a fact that is kept. A model of the records app without a policy, or a column
without a role, makes ``tests/records/test_privacy_policy.py`` fail, so a table added later is
covered the day it is added (give it a ``Policy`` here, and a new migration if it needs one).
"""
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import F, Q

from . import models as m


def _(text):
    """Mark a msgid for extraction; translated where it is shown (the extract document)."""
    return text


KEPT, KEY, NAME, PERSONAL = "kept", "key", "name", "personal"
ANONYMISE, DELETE = "anonymise", "delete"

# What a certificate says after its holder was retired: it still verifies, without her name.
HOLDER_NAME_REMOVED = "innehavarens namn är borttaget på begäran"


@dataclass(frozen=True)
class Column:
    """One column and its role. ``of`` names the key column of the person a NAME or PERSONAL
    column is about (``learner_key`` for the learner, ``marked_by`` for the staff member...)."""

    label: str  # msgid, for the extract document
    role: str = KEPT
    of: str = ""


def kept(label):
    """Not about a person on its own: ids, dates, statuses, scores. Kept on retirement."""
    return Column(label)


def key(label):
    """A person's learner key (the user id in the LMS). Replaced by a pseudonym on retirement."""
    return Column(label, KEY)


def name(label, of="learner_key"):
    """A person's name. Replaced by the policy's ``removed_name`` on retirement."""
    return Column(label, NAME, of)


def personal(label, of="learner_key"):
    """Other data about the person (profile, texts she wrote, reasons about her). Blanked on
    retirement."""
    return Column(label, PERSONAL, of)


@dataclass(frozen=True)
class Retention:
    """How long a kind of data is kept: ``setting`` names the number of days in
    ``KKN_RECORDS_RETENTION_DAYS`` (``retention.DEFAULT_DAYS``), counted from the date column
    ``since`` or, when later, from the end of the course run named by ``course`` (a column or a
    lookup path; ``retention.py`` says where the end comes from). When the time is up the ``clear`` columns are blanked (the row, and every count
    made from it, stays), or the whole row is deleted when ``clear`` is empty. ``only`` limits the
    rule to some rows (e.g. submitted attempts: an open one is still being written)."""

    setting: str
    since: str
    clear: tuple = ()
    course: str = "course_key"
    only: dict = field(default_factory=dict)


def by_programme_id(programme_id):
    return Q(programme_id=programme_id)


@dataclass(frozen=True)
class Policy:
    title: str  # msgid: what the table holds, in words the learner understands
    columns: dict  # every column of the table: {field name: Column}
    subject: str | None = "learner_key"  # key column of the learner the row is about
    on_retire: str = ANONYMISE  # or DELETE: the row goes when its subject is retired
    removed_name: str = ""  # what NAME columns say after retirement
    # Called with the retired key inside retirement's transaction, before the columns are stripped,
    # for what columns alone cannot say (a joint text whose current version is hers).
    before_retire: object = None
    # For a table without a key column: learner_key -> Q of the rows about her (the extract lists them).
    linked: object = None
    retention: tuple = ()
    programme: object = by_programme_id  # programme_id -> Q of the rows of that programme

    def keys(self):
        return [n for n, c in self.columns.items() if c.role == KEY]

    def about(self, key_column, role):
        return [n for n, c in self.columns.items() if c.role == role and c.of == key_column]


_LEARNER = _("Learner key (user id)")

POLICIES = {
    m.Participation: Policy(
        title=_("Participation and profile"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "name": name(_("Name")),
            "municipality": personal(_("Municipality")),
            "role": personal(_("Role")),
            "region": personal(_("Region")),
            "created_at": kept(_("Joined")),
            "updated_at": kept(_("Last changed")),
        },
    ),
    m.ModuleSubmission: Policy(
        title=_("Submitted development tasks"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "module_id": kept(_("Module")),
            "text": personal(_("Text")),
            "word_count": kept(_("Words")),
            "submitted_at": kept(_("Submitted")),
            "course_key": kept(_("Course run")),
        },
        retention=(Retention("TASK_TEXTS", since="submitted_at", clear=("text",)),),
    ),
    m.ModuleCompletion: Policy(
        title=_("Completed modules"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "module_id": kept(_("Module")),
            "module_version": kept(_("Module version")),
            "module_title": kept(_("Module title")),
            "course_key": kept(_("Course run")),
            "completed_at": kept(_("Completed")),
        },
    ),
    m.Attendance: Policy(
        title=_("Attendance at regional meetings"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "meeting_id": kept(_("Meeting")),
            "session_id": kept(_("Session")),
            "status": kept(_("Status")),
            "method": kept(_("Recorded by")),
            "marked_by": key(_("Marked by (user id)")),
            "marked_by_name": name(_("Marked by"), of="marked_by"),
            "recorded_at": kept(_("Recorded")),
            "updated_at": kept(_("Last changed")),
        },
    ),
    m.CodeAttempt: Policy(
        title=_("Wrong check-in codes (kept only to limit guessing)"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "scope": kept(_("Meeting")),
            "created_at": kept(_("Typed")),
            "course_key": kept(_("Course run")),
        },
        on_retire=DELETE,
        retention=(Retention("WRONG_CODES", since="created_at"),),
        # The scope is written by ``MeetingCheckinBlock._attempt_scope``: "checkin|<programme>|<meeting>".
        programme=lambda programme_id: Q(scope__startswith=f"checkin|{programme_id}|"),
    ),
    m.ExamAttempt: Policy(
        title=_("Exam attempts"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "exam_id": kept(_("Exam")),
            "number": kept(_("Attempt")),
            "started_at": kept(_("Started")),
            "deadline": kept(_("Deadline")),
            "draw": personal(_("Questions drawn")),
            "answers": personal(_("Answers")),
            "saved_at": kept(_("Last saved")),
            "status": kept(_("Status")),
            "submitted_at": kept(_("Submitted")),
            "submitted_by": kept(_("Submitted by")),
            "earned": kept(_("Points")),
            "possible": kept(_("Possible points")),
            "passed": kept(_("Passed")),
            "course_key": kept(_("Course run")),
        },
        retention=(Retention("EXAM_ANSWERS", since="submitted_at", clear=("draw", "answers"),
                             only={"status": m.ExamAttempt.Status.SUBMITTED}),),
    ),
    m.ExamAccommodation: Policy(
        title=_("Extra time and exemptions at the exam"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "exam_id": kept(_("Exam")),
            "extra_minutes": kept(_("Extra minutes")),
            "extra_time_reason": personal(_("Reason for extra time")),
            "extra_time_by": key(_("Extra time granted by (user id)")),
            "extra_time_by_name": name(_("Extra time granted by"), of="extra_time_by"),
            "extra_time_at": kept(_("Extra time granted")),
            "eligibility_exempt": kept(_("Exempt from the requirements")),
            "exemption_reason": personal(_("Reason for the exemption")),
            "exemption_by": key(_("Exemption granted by (user id)")),
            "exemption_by_name": name(_("Exemption granted by"), of="exemption_by"),
            "exemption_at": kept(_("Exemption granted")),
        },
    ),
    m.Certificate: Policy(
        title=_("Certificates"),
        columns={
            "id": kept(_("Row id")),
            "code": kept(_("Certificate id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "programme_title": kept(_("Programme title")),
            "name": name(_("Holder's name")),
            "issued_at": kept(_("Issued")),
            "expires_at": kept(_("Valid until")),
            "revoked_at": kept(_("Revoked")),
            "revoked_by": key(_("Revoked by (user id)")),
            "revoked_by_name": name(_("Revoked by"), of="revoked_by"),
            "revoked_reason": personal(_("Reason for the revocation")),
            "attempt": kept(_("Exam attempt")),
        },
        # The certificate keeps its id, programme, dates and status so that a verification still
        # answers "genuine"; only who held it is gone.
        removed_name=HOLDER_NAME_REMOVED,
    ),
    m.SharedTask: Policy(
        title=_("Development tasks written together by a municipality"),
        columns={
            "id": kept(_("Row id")),
            "programme_id": kept(_("Programme")),
            "module_id": kept(_("Module")),
            "municipality": kept(_("Municipality")),
            # The municipality's joint document, written by several participants: it is not one
            # person's. When she is retired her saved versions and her name go (SharedTaskRevision)
            # and, where the current text is her save, it returns to the last version a colleague
            # saved; retention empties it in the end.
            "text": kept(_("Joint text")),
            "version": kept(_("Version")),
            "updated_at": kept(_("Last saved")),
            "submitted_at": kept(_("Submitted")),
            "submitted_version": kept(_("Submitted version")),
            "course_key": kept(_("Course run")),
        },
        subject=None,
        # Her rows: the joint tasks whose current text is her save (her other versions are in
        # SharedTaskRevision; a text a colleague saved last is the colleague's to give out).
        linked=lambda learner_key: Q(revisions__learner_key=learner_key, revisions__version=F("version")),
        before_retire=lambda learner_key: _municipalities().withdraw_from_shared_tasks(learner_key),
        retention=(Retention("TASK_TEXTS", since="updated_at", clear=("text",)),),
    ),
    m.SharedTaskRevision: Policy(
        title=_("Saved versions of a joint development task"),
        columns={
            "id": kept(_("Row id")),
            "task": kept(_("Joint task")),
            "version": kept(_("Version")),
            "learner_key": key(_LEARNER),
            "name": name(_("Saved by")),
            "text": personal(_("Text")),
            "word_count": kept(_("Words")),
            "saved_at": kept(_("Saved")),
        },
        retention=(Retention("TASK_TEXTS", since="saved_at", clear=("text",), course="task__course_key"),),
        programme=lambda programme_id: Q(task__programme_id=programme_id),
    ),
    m.SharedTaskApproval: Policy(
        title=_("Approvals of a joint development task"),
        columns={
            "id": kept(_("Row id")),
            "task": kept(_("Joint task")),
            "version": kept(_("Version")),
            "learner_key": key(_LEARNER),
            "name": name(_("Approved by")),
            "role": personal(_("Role")),
            "approved_at": kept(_("Approved")),
        },
        programme=lambda programme_id: Q(task__programme_id=programme_id),
    ),
    m.ContactListing: Policy(
        title=_("Contact list (shown to other participants by her own choice)"),
        columns={
            "id": kept(_("Row id")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "email": personal(_("E-mail address")),
            "created_at": kept(_("Joined the list")),
            "updated_at": kept(_("Last changed")),
        },
        on_retire=DELETE,
    ),
    m.BadgeCredential: Policy(
        title=_("Open Badges credentials of certificates"),
        columns={
            "id": kept(_("Row id")),
            "certificate": kept(_("Certificate")),
            "learner_key": key(_LEARNER),
            "programme_id": kept(_("Programme")),
            "key_id": kept(_("Signing key")),
            # The signed credential carries the holder's name.
            "token": personal(_("Signed credential")),
            "created_at": kept(_("Issued")),
        },
        # Retired: the credential goes (the certificate stays and still verifies without her name;
        # a credential she downloaded still verifies by its signature and the status list).
        on_retire=DELETE,
    ),
}


def _municipalities():
    from . import municipalities  # pylint: disable=import-outside-toplevel
    return municipalities


def records_models():
    """Every model of the records app, from the app registry (so a new one cannot be missed)."""
    return list(apps.get_app_config("kkn_records").get_models())


def policy_for(model):
    """The model's policy; a clear error names a model nobody declared."""
    try:
        return POLICIES[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} has no personal-data policy: declare it in kkn_xblocks/records/privacy.py"
        ) from None


def declared_models():
    """``[(model, policy)]`` for every model of the app, in registry order."""
    return [(model, policy_for(model)) for model in records_models()]


def column_names(model):
    """The model's concrete columns by field name (a foreign key by its field name, not ``_id``)."""
    return [f.name for f in model._meta.concrete_fields]  # pylint: disable=protected-access


def blank_value(model, column):
    """What a PERSONAL column holds once its data is gone: the field's default, else empty/None."""
    model_field = model._meta.get_field(column)  # pylint: disable=protected-access
    if model_field.has_default():
        return model_field.get_default()
    return None if model_field.null else ""
