"""``manage.py lms kkn_retire_learner <learner key>``: what the LMS retirement pipeline does to the
programme record, for operators who do not run the pipeline."""
from django.core.management.base import BaseCommand

from kkn_xblocks.records import api

from .. import _, checked_key, gettext, learner_key_argument, ngettext, table_title


class Command(BaseCommand):
    help = "Remove one learner's personal data from the programme record (account retirement)."

    def add_arguments(self, parser):
        learner_key_argument(parser)

    def handle(self, *args, **options):
        key = checked_key(options["learner_key"])
        done = api.retire_learner(key)
        if not done.found:
            self.stdout.write(gettext(_("The programme record holds nothing about {key}. Nothing was changed."))
                              .format(key=key))
            return
        for table, rows in sorted(done.deleted.items()):
            self.stdout.write(ngettext("{table}: {rows} row deleted", "{table}: {rows} rows deleted", rows).format(
                table=table_title(table), rows=rows))
        for table, rows in sorted(done.stripped.items()):
            self.stdout.write(ngettext("{table}: {rows} row stripped of personal data",
                                       "{table}: {rows} rows stripped of personal data", rows).format(
                table=table_title(table), rows=rows))
        self.stdout.write(gettext(_("{key} is retired from the programme record.")).format(key=key))
