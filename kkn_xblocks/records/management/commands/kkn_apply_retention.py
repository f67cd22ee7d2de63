"""``manage.py lms kkn_apply_retention``: delete what is past its retention time. Safe to run daily
from cron; prints one line per rule, with what it removed."""
from django.core.management.base import BaseCommand, CommandError

from kkn_xblocks.records import api

from .. import _, column_labels, gettext, ngettext, table_title


class Command(BaseCommand):
    help = ("Delete programme-record data that is past its retention time (KKN_RECORDS_RETENTION_DAYS), counted "
            "from the end of its course run (KKN_COURSE_RUN_ENDS, the LMS's course end date) when known.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only print what would be removed")

    def handle(self, *args, **options):
        try:
            done = api.apply_retention(dry_run=options["dry_run"])
        except api.RetentionSettingError as error:
            raise CommandError(gettext(_(
                "KKN_RECORDS_RETENTION_DAYS is wrong at '{name}' ({value!r}): give a dict of whole days from 0 to "
                "3650 for the keys {keys}. Nothing was removed."
            )).format(name=error.name, value=error.value, keys=", ".join(sorted(api.DEFAULT_DAYS)))) from error
        except api.CourseRunEndError as error:
            raise CommandError(gettext(_(
                "KKN_COURSE_RUN_ENDS is wrong at '{key}' ({value!r}): give a dict of course keys and the dates "
                "their runs end, such as {{\"course-v1:Org+Course+Run\": \"2027-06-30\"}}. Nothing was removed."
            )).format(key=error.key, value=error.value)) from error
        for rule in done:
            if rule.cleared and options["dry_run"]:
                text = ngettext("{model}: {rows} row older than {days} days would have {columns} removed",
                                "{model}: {rows} rows older than {days} days would have {columns} removed", rule.rows)
            elif rule.cleared:
                text = ngettext("{model}: {rows} row older than {days} days had {columns} removed",
                                "{model}: {rows} rows older than {days} days had {columns} removed", rule.rows)
            elif options["dry_run"]:
                text = ngettext("{model}: {rows} row older than {days} days would be deleted",
                                "{model}: {rows} rows older than {days} days would be deleted", rule.rows)
            else:
                text = ngettext("{model}: {rows} row older than {days} days deleted",
                                "{model}: {rows} rows older than {days} days deleted", rule.rows)
            self.stdout.write(text.format(model=table_title(rule.model), rows=rule.rows, days=rule.days,
                                          columns=column_labels(rule.model, rule.cleared)))
            self._counted_from(rule)

    def _counted_from(self, rule):
        """Which date the time counted from, where it was not the run's end."""
        if rule.own_date:
            self.stdout.write(ngettext(
                "{model}: {rows} row counted from its own date, as the end of its course run is unknown",
                "{model}: {rows} rows counted from their own date, as the end of their course run is unknown",
                rule.own_date).format(model=table_title(rule.model), rows=rule.own_date))
        if rule.waiting:
            self.stdout.write(ngettext(
                "{model}: {rows} row kept until {days} days after its course run ends",
                "{model}: {rows} rows kept until {days} days after their course run ends",
                rule.waiting).format(model=table_title(rule.model), rows=rule.waiting, days=rule.days))
