"""``manage.py lms kkn_register_extract <learner key> --output <folder>``: everything the programme
record holds about one person, as JSON and as a readable Swedish document (GDPR art. 15)."""
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kkn_xblocks.records import api

from .. import _, checked_key, gettext, learner_key_argument, ngettext


def write_whole(path, text):
    """Write through a temporary file and rename: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".kkn-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Write a learner's register extract (JSON and a Swedish document) from the programme record."

    def add_arguments(self, parser):
        learner_key_argument(parser)
        parser.add_argument("--output", required=True, help="folder to write the two files into")
        parser.add_argument("--programme", default=None, help="only this programme id (default: all)")

    def handle(self, *args, **options):
        key = checked_key(options["learner_key"])
        folder = Path(options["output"])
        if not folder.is_dir():
            raise CommandError(gettext(_("The folder {folder} does not exist. Create it or give another --output."))
                               .format(folder=folder))
        extract = api.extract_learner(key, programme_id=options["programme"])
        stem = api.extract_file_stem(key)
        paths = (folder / f"{stem}.json", folder / f"{stem}.md")
        write_whole(paths[0], api.as_json(extract))
        write_whole(paths[1], api.as_document(extract))
        rows = sum(len(table["rows"]) for table in extract["tables"])
        self.stdout.write(ngettext("{rows} row from {tables} tables written to {json} and {document}",
                                   "{rows} rows from {tables} tables written to {json} and {document}", rows).format(
            rows=rows, tables=len(extract["tables"]), json=paths[0], document=paths[1]))
