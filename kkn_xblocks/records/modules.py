"""The modules in the programme record: submitted tasks, completions, progress and the staff report."""
from dataclasses import dataclass
from datetime import datetime

from kkn_xblocks import clock

from .models import ModuleCompletion, ModuleSubmission
from .participation import names_of
from .rows import create_once, run_of


@dataclass(frozen=True)
class CompletedModule:
    module_id: str
    title: str
    version: str
    completed_at: datetime


@dataclass(frozen=True)
class Progress:
    """A learner's progress through a programme's modules."""

    module_ids: tuple
    completed: tuple  # CompletedModule, in programme order

    @property
    def done(self):
        return len(self.completed)

    @property
    def total(self):
        return len(self.module_ids)

    @property
    def missing(self):
        done = {c.module_id for c in self.completed}
        return tuple(m for m in self.module_ids if m not in done)

    def is_complete(self, module_id):
        return any(c.module_id == module_id for c in self.completed)


def submit_task(learner_key, programme_id, module_id, text, word_count, when=None, course_key=""):
    """Store the learner's submitted development task text (the latest submission wins).
    ``course_key``: the course run it was written in, which retention counts from."""
    when = when or clock.now()
    values = {"text": text, "word_count": word_count, "submitted_at": when, **run_of(course_key)}
    row, created = create_once(
        ModuleSubmission, values, learner_key=learner_key, programme_id=programme_id, module_id=module_id,
    )
    if not created:
        ModuleSubmission.objects.filter(pk=row.pk).update(**values)
    return when


def submitted_task(learner_key, programme_id, module_id):
    """The learner's submitted task as ``(text, submitted_at)``, or None."""
    row = (
        ModuleSubmission.objects.filter(learner_key=learner_key, programme_id=programme_id, module_id=module_id)
        .values_list("text", "submitted_at")
        .first()
    )
    return tuple(row) if row else None


def record_completion(learner_key, programme_id, module_id, module_version, module_title="", course_key="",
                      when=None):
    """Record that the learner completed the module. Idempotent: returns ``(completed_at, created)``;
    a second call (or fifty concurrent ones) leaves the first completion untouched."""
    row, created = create_once(
        ModuleCompletion,
        {
            "module_version": module_version,
            "module_title": module_title[:255],
            "course_key": course_key[:255],
            "completed_at": when or clock.now(),
        },
        learner_key=learner_key, programme_id=programme_id, module_id=module_id,
    )
    return row.completed_at, created


def programme_progress(learner_key, programme_id, module_ids):
    """The learner's progress over ``module_ids`` (the programme's modules, in order): one query,
    whatever the number of modules."""
    module_ids = tuple(module_ids)
    rows = ModuleCompletion.objects.filter(
        learner_key=learner_key, programme_id=programme_id, module_id__in=module_ids
    ).values_list("module_id", "module_title", "module_version", "completed_at")
    by_id = {r[0]: CompletedModule(*r) for r in rows}
    return Progress(module_ids=module_ids, completed=tuple(by_id[m] for m in module_ids if m in by_id))


@dataclass(frozen=True)
class ModuleReportRow:
    learner_key: str
    name: str
    submitted_at: datetime | None
    word_count: int | None
    completed_at: datetime | None


def module_report(programme_id, module_id):
    """Everyone who submitted or completed the module, for the staff view: three queries."""
    subs = {
        k: (at, words)
        for k, at, words in ModuleSubmission.objects.filter(programme_id=programme_id, module_id=module_id)
        .values_list("learner_key", "submitted_at", "word_count")
    }
    done = dict(
        ModuleCompletion.objects.filter(programme_id=programme_id, module_id=module_id)
        .values_list("learner_key", "completed_at")
    )
    keys = sorted(set(subs) | set(done))
    names = names_of(programme_id, keys)
    rows = [
        ModuleReportRow(
            learner_key=k,
            name=names.get(k, ""),
            submitted_at=subs.get(k, (None, None))[0],
            word_count=subs.get(k, (None, None))[1],
            completed_at=done.get(k),
        )
        for k in keys
    ]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.learner_key))
