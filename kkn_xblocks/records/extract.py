"""Register extract (GDPR art. 15): everything the programme record holds about one person.

Walks ``privacy.POLICIES``: every table, every row with her learner key in any key column (as a
learner, or as the staff member who marked, granted or revoked something), every column. Two
renderings of the one extract: JSON for machines, and a readable document in Swedish.
"""
import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import translation

from kkn_xblocks import clock
from kkn_xblocks.catalog import translations

from .privacy import column_names, declared_models

DOCUMENT_LANGUAGE = "sv"
DOCUMENT_TIME_ZONE = "Europe/Stockholm"


def _(text):
    return text


def extract_learner(learner_key, programme_id=None, now=None):
    """``{"learner_key", "made_at", "programme_id", "tables": [{"table", "title", "columns", "rows"}]}``.

    Every table of the record is listed, with no rows where it holds nothing about her, so the
    reader sees what was looked at. ``programme_id`` limits the rows to one programme (staff of a
    programme see their programme only); None means the whole record (the operator's command).
    """
    learner_key = str(learner_key).strip()
    if not learner_key:
        raise ValueError("a learner key is needed")
    tables = []
    for model, policy in declared_models():
        columns = column_names(model)
        mine = Q(pk__in=[])  # a table with no key column holds nothing about anyone in particular
        for key_column in policy.keys():
            mine |= Q(**{key_column: learner_key})
        if policy.linked is not None:
            mine |= policy.linked(learner_key)
        rows = model.objects.filter(mine).distinct()
        if programme_id is not None:
            rows = rows.filter(policy.programme(programme_id))
        tables.append({
            "table": model._meta.db_table,  # pylint: disable=protected-access
            "title": policy.title,
            "columns": {c: policy.columns[c].label for c in columns},
            "rows": [_plain(row) for row in rows.order_by("pk").values(*columns)],
        })
    return {
        "learner_key": learner_key,
        "made_at": (now or clock.now()).isoformat(),
        "programme_id": programme_id,
        "tables": tables,
    }


def file_stem(learner_key):
    """A file name for the extract that is safe on any system (``local:3`` -> ``registerutdrag-local_3``)."""
    return "registerutdrag-" + re.sub(r"[^A-Za-z0-9_-]", "_", learner_key)


def _plain(row):
    return {k: v.isoformat() if isinstance(v, (datetime, date)) else v for k, v in row.items()}


def as_json(extract):
    return json.dumps(extract, ensure_ascii=False, indent=2, sort_keys=False)


def as_document(extract):
    """The extract as a readable Swedish text document (Markdown, reads as plain text)."""
    gettext = translations(DOCUMENT_LANGUAGE).gettext
    kinds = _column_kinds()
    lines = [
        "# " + gettext(_("Register extract from the programme record")),
        "",
        gettext(_("This is everything the programme record holds about the person with the learner key "
                  "{key}, as a learner or as staff.")).format(key=extract["learner_key"]),
        gettext(_("Made: {time}.")).format(time=_time_text(extract["made_at"])),
    ]
    if extract["programme_id"] is not None:
        lines.append(gettext(_("Only the programme {programme} is included.")).format(
            programme=extract["programme_id"]))
    lines.append(gettext(_("The same content as JSON (machine-readable) is delivered with this document.")))
    for table in extract["tables"]:
        rows = table["rows"]
        lines += ["", f"## {gettext(table['title'])}", ""]
        if not rows:
            lines.append(gettext(_("Nothing is stored about you here.")))
            continue
        for number, row in enumerate(rows, 1):
            if number > 1:
                lines.append("")
            lines.append("### " + gettext(_("Row {number}")).format(number=number))
            for column, value in row.items():
                shown = _value_text(value, kinds.get((table["table"], column)), gettext)
                lines.append(f"- {gettext(table['columns'][column])}: {shown}")
    return "\n".join(lines).rstrip() + "\n"


_TIME = "time"


def _column_kinds():
    """``{(table, column): _TIME or {value: English choice label}}`` for columns shown specially."""
    kinds = {}
    with translation.override("en"):
        for model, _policy in declared_models():
            for model_field in model._meta.concrete_fields:  # pylint: disable=protected-access
                where = (model._meta.db_table, model_field.name)  # pylint: disable=protected-access
                if model_field.choices:
                    kinds[where] = {value: str(label) for value, label in model_field.flatchoices}
                elif model_field.get_internal_type() == "DateTimeField":
                    kinds[where] = _TIME
    return kinds


def _value_text(value, kind, gettext):
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return gettext(_("Yes") if value else _("No"))
    if kind == _TIME:
        return _time_text(value)
    if isinstance(kind, dict) and value in kind:
        return gettext(kind[value])
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).replace("\n", "\n  ")


def _time_text(iso):
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(DOCUMENT_TIME_ZONE))
    return moment.strftime("%Y-%m-%d %H:%M")
