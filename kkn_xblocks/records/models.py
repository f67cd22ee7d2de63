"""The programme record: facts that span blocks, learners and course runs.

XBlock user state is one JSON row per learner per block and cannot answer "has this learner
completed every module of the programme?" or "did both managers of this municipality attend?".
Those facts live here, in small tables whose unique constraints make duplicates impossible even
under concurrent requests. Blocks never touch these models directly: they go through ``api.py``.

A learner is identified by ``learner_key`` (see ``kkn_xblocks.identity``), a programme by the
``programme_id`` every block of the programme shares, whatever course run it sits in.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_LENGTH = 64


class Participation(models.Model):
    """A learner taking part in a programme, with the profile the meetings need."""

    class Role(models.TextChoices):
        CULTURE = "culture", _("Culture")
        BUSINESS = "business", _("Business development")
        TOURISM = "tourism", _("Tourism")
        OTHER = "other", _("Other")

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    # The name shown on rosters and certificates; refreshed from the runtime when she acts.
    name = models.CharField(max_length=255, blank=True)
    municipality = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    region = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner_key", "programme_id"], name="kkn_participation_once"),
        ]
        indexes = [models.Index(fields=["programme_id", "region"], name="kkn_part_prog_region")]

    def __str__(self):
        return f"{self.learner_key} in {self.programme_id}"


class ModuleSubmission(models.Model):
    """The learner's development task for one module (the latest submitted text)."""

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    module_id = models.CharField(max_length=KEY_LENGTH)
    text = models.TextField()
    word_count = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    # The course run the row was written in: retention counts from the run's end (blank in rows
    # written before migration 0004, which fall back to their own date).
    course_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_key", "programme_id", "module_id"], name="kkn_submission_once"
            ),
        ]
        indexes = [models.Index(fields=["programme_id", "module_id"], name="kkn_sub_prog_module")]


class ModuleCompletion(models.Model):
    """A module completed by a learner. Recorded once; never changed afterwards."""

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    module_id = models.CharField(max_length=KEY_LENGTH)
    module_version = models.CharField(max_length=32)
    module_title = models.CharField(max_length=255, blank=True)
    course_key = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_key", "programme_id", "module_id"], name="kkn_completion_once"
            ),
        ]
        indexes = [models.Index(fields=["programme_id", "module_id"], name="kkn_comp_prog_module")]


class Attendance(models.Model):
    """A learner's attendance at one regional session of a meeting."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    class Method(models.TextChoices):
        CODE = "code", _("Check-in code")
        STAFF = "staff", _("Marked by staff")

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    meeting_id = models.CharField(max_length=KEY_LENGTH)
    session_id = models.CharField(max_length=KEY_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    # learner_key and name of the staff member who marked it; empty for a self check-in. The name
    # is kept because staff usually have no Participation row to look it up in.
    marked_by = models.CharField(max_length=KEY_LENGTH, blank=True)
    marked_by_name = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_key", "programme_id", "meeting_id", "session_id"],
                name="kkn_attendance_once",
            ),
        ]
        indexes = [
            models.Index(fields=["programme_id", "meeting_id", "session_id"], name="kkn_att_session"),
            models.Index(fields=["learner_key", "programme_id"], name="kkn_att_learner"),
        ]


class CodeAttempt(models.Model):
    """A refused check-in code, kept only to rate-limit guessing (no IP, no location)."""

    learner_key = models.CharField(max_length=KEY_LENGTH)
    scope = models.CharField(max_length=255)  # programme and meeting the code was typed for
    created_at = models.DateTimeField()
    # The course run the row was written in: retention counts from the run's end (blank in rows
    # written before migration 0004, which fall back to their own date).
    course_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["learner_key", "scope", "created_at"], name="kkn_codeattempt_window")]


class ExamAttempt(models.Model):
    """One attempt at the final exam. The draw and answers live here so that two concurrent
    submits can be told apart by a conditional update (see ``records.exams.finalise_attempt``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    exam_id = models.CharField(max_length=KEY_LENGTH)
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # Start + time limit + the learner's extra time; null when the exam has no time limit.
    deadline = models.DateTimeField(null=True, blank=True)
    draw = models.JSONField(default=list)  # [{"id": question id, "options": [option ids in shown order]}]
    answers = models.JSONField(default=dict)  # {question id: [option ids]}
    saved_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # "learner" (she submitted) or "deadline" (the time ran out and her saved answers were graded).
    submitted_by = models.CharField(max_length=10, blank=True)
    earned = models.FloatField(null=True, blank=True)
    possible = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    # The course run the row was written in: retention counts from the run's end (blank in rows
    # written before migration 0004, which fall back to their own date).
    course_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_key", "programme_id", "exam_id", "number"], name="kkn_attempt_number_once"
            ),
        ]
        indexes = [models.Index(fields=["programme_id", "exam_id", "status"], name="kkn_attempt_exam")]


class ExamAccommodation(models.Model):
    """What staff granted one learner for one exam: extra time and/or an eligibility exemption,
    each with who granted it, when and why (the two are decided separately, so each keeps its own)."""

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    exam_id = models.CharField(max_length=KEY_LENGTH)
    extra_minutes = models.PositiveIntegerField(default=0)
    extra_time_reason = models.CharField(max_length=500, blank=True)
    extra_time_by = models.CharField(max_length=KEY_LENGTH, blank=True)
    extra_time_by_name = models.CharField(max_length=255, blank=True)
    extra_time_at = models.DateTimeField(null=True, blank=True)
    eligibility_exempt = models.BooleanField(default=False)
    exemption_reason = models.CharField(max_length=500, blank=True)
    exemption_by = models.CharField(max_length=KEY_LENGTH, blank=True)
    exemption_by_name = models.CharField(max_length=255, blank=True)
    exemption_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_key", "programme_id", "exam_id"], name="kkn_accommodation_once"
            ),
        ]
        indexes = [models.Index(fields=["programme_id", "exam_id"], name="kkn_accommodation_exam")]


class Certificate(models.Model):
    """A programme certificate. ``code`` is the public, unguessable id anyone can verify
    (canonical form, see ``kkn_xblocks.certificates``)."""

    code = models.CharField(max_length=40, unique=True)
    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    programme_title = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=KEY_LENGTH, blank=True)
    revoked_by_name = models.CharField(max_length=255, blank=True)
    revoked_reason = models.CharField(max_length=500, blank=True)
    attempt = models.ForeignKey(ExamAttempt, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner_key", "programme_id"], name="kkn_certificate_once"),
        ]


# --- Municipalities as the unit (issue 13) ------------------------------------------------------

MUNICIPALITY_LENGTH = 100  # Participation.municipality


class SharedTask(models.Model):
    """A module's development task written together by the participants of one municipality.

    Personal data: ``text`` is written by the municipality's participants (their own words about
    their work); who wrote which version is in ``SharedTaskRevision``. ``version`` rises by one on
    every save; a save names the version it started from and is refused (not lost) when another
    save came first. ``submitted_at`` is set once every required role approved ``submitted_version``.
    """

    programme_id = models.CharField(max_length=KEY_LENGTH)
    module_id = models.CharField(max_length=KEY_LENGTH)
    municipality = models.CharField(max_length=MUNICIPALITY_LENGTH)
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_version = models.PositiveIntegerField(null=True, blank=True)
    # The course run the row was written in: retention counts from the run's end (blank in rows
    # written before migration 0004, which fall back to their own date).
    course_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme_id", "module_id", "municipality"], name="kkn_shared_task_once"),
        ]


class SharedTaskRevision(models.Model):
    """One save of a shared task: the whole text as saved, by whom and when (the history).

    Personal data: ``learner_key`` and ``name`` of the participant who saved, the text she saved
    and ``saved_at``. One row per version (unique), so two saves can never both become version N.
    """

    task = models.ForeignKey(SharedTask, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    learner_key = models.CharField(max_length=KEY_LENGTH)
    name = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    word_count = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="kkn_shared_revision_once"),
        ]


class SharedTaskApproval(models.Model):
    """A participant's approval of one version of her municipality's shared task.

    Personal data: ``learner_key``, ``name`` and ``role`` of the participant and ``approved_at``.
    An approval counts only for the version it names: a later save needs new approvals.
    """

    task = models.ForeignKey(SharedTask, on_delete=models.CASCADE, related_name="approvals")
    version = models.PositiveIntegerField()
    learner_key = models.CharField(max_length=KEY_LENGTH)
    name = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=20, blank=True)
    approved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "version", "learner_key"], name="kkn_shared_approval_once"),
        ]


class ContactListing(models.Model):
    """A participant's own choice to appear in the programme's contact list ("kontaktytor").

    Personal data: ``learner_key`` and, only if she chose to share it, ``email``. Her name,
    municipality, role and region are read from her ``Participation`` when the list is shown, so
    they are never copied. The row exists only while she opts in; withdrawing deletes it.
    """

    learner_key = models.CharField(max_length=KEY_LENGTH)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner_key", "programme_id"], name="kkn_contact_once"),
        ]
        indexes = [models.Index(fields=["programme_id"], name="kkn_contact_programme")]


class BadgeCredential(models.Model):
    """The Open Badges 3.0 credential issued for a certificate (see ``records.credentials``): the
    signed compact JWS, kept so that the learner always downloads the same credential. It holds
    the holder's name (inside the signed token) and nothing else about her; ``learner_key`` and
    ``programme_id`` repeat the certificate's so that retirement and extracts find the row."""

    certificate = models.OneToOneField(Certificate, on_delete=models.CASCADE, related_name="badge")
    learner_key = models.CharField(max_length=KEY_LENGTH, db_index=True)
    programme_id = models.CharField(max_length=KEY_LENGTH)
    key_id = models.CharField(max_length=64)
    token = models.TextField()
    created_at = models.DateTimeField()
