"""The only door to the programme record. Blocks call these functions; nothing else imports models.

Every write is safe under concurrency: rows are created through unique constraints (a losing
concurrent insert re-reads the winner's row), and state changes are conditional updates.
Functions take and return plain values (strings, datetimes, small dataclasses), never requests.
"""
# Each part of the record lives in its own module; this one only gathers them, so blocks have one
# door and no part imports another through it.
from .participation import (  # noqa: F401  pylint: disable=unused-import
    join_programme, names_of, rename_participant,
)
from .modules import (  # noqa: F401  pylint: disable=unused-import
    CompletedModule, ModuleReportRow, Progress, module_report, programme_progress, record_completion,
    submit_task, submitted_task,
)
from .attendance import (  # noqa: F401  pylint: disable=unused-import
    AttendanceRecord, CheckInResult, Profile, RosterEntry, attendance_for, attended_meeting_count, check_in,
    check_in_with_rows, get_profile, guarded_code_check, is_participant, mark_attendance, save_profile, session_roster,
    wrong_code_count,
)
from .exams import (  # noqa: F401  pylint: disable=unused-import
    BY_DEADLINE, BY_LEARNER, NO_ACCOMMODATION, Accommodation, Attempt, OverviewRow, accommodation_for, as_finalised,
    attempt, attempts_of, exam_overview, finalise_attempt, grant_extra_time, overdue_attempts, save_answers,
    set_exemption, start_attempt,
)
from .certificates import (  # noqa: F401  pylint: disable=unused-import
    CertificateRecord, certificate_of, certificates_of_programme, find_certificate, issue_certificate,
    revoke_certificate,
)
from .retirement import Retired, retire_learner  # noqa: F401  pylint: disable=unused-import
from .extract import (  # noqa: F401  pylint: disable=unused-import
    as_document, as_json, extract_learner, file_stem as extract_file_stem,
)
from .retention import (  # noqa: F401  pylint: disable=unused-import
    DEFAULT_DAYS, Removed, RetentionSettingError, apply_retention, draft_retention_days, draft_run_end,
)
from .course_runs import (  # noqa: F401  pylint: disable=unused-import
    CourseRunEndError, run_ends as course_run_ends,
)
from .municipalities import (  # noqa: F401  pylint: disable=unused-import
    Approval, Contact, Member, OverviewFacts, Revision, SaveOutcome, SharedTaskState, approve_shared_task,
    contact_choice, contact_list, join_contact_list, leave_contact_list, municipality_members, overview_facts,
    save_shared_task, shared_task, shared_task_history, shared_tasks_of_module,
)
from .credentials import (  # noqa: F401  pylint: disable=unused-import
    AchievementTexts, credential_of, is_configured as badges_configured,
    may_carry_credential_record, NotConfigured as BadgesNotConfigured,
)
from .openbadges import badge_image, with_jwt_proof  # noqa: F401  pylint: disable=unused-import
