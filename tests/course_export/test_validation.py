"""The validator: the sample course passes, each check fires where the fault is, unsafe archives are
refused before anything is unpacked, Studio exports pass, and the command's exit codes and JSON."""
import argparse
import io
import json
import sys
import tarfile
import types
from pathlib import Path

import pytest
from lxml import etree

from course_export import blocks, i18n, validation
from course_export.commands import validate as command
from course_export.spec import Location, SourceError, SourceProblem
from course_export.validation import validate_archive, validate_folder, validate_path
from tests.push.olx_sample import TOP, sample_archive, sample_files, write_archive

ROOT = Path(__file__).resolve().parents[2]
POLICY = "policies/2026/policy.json"
GRADING = "policies/2026/grading_policy.json"
BANK = [{"id": "q1", "type": "single", "text": "Vad står KKN för?", "points": 1,
         "options": [{"id": "a", "text": "Kulturella och kreativa näringar", "correct": True},
                     {"id": "b", "text": "Kommunala kulturnämnder", "correct": False}]}]


# --- helpers -------------------------------------------------------------------------------------
def files():
    return sample_files()[0]


def pretty(data, path):
    """Re-write one XML file with one element per line, so line numbers mean something."""
    root = etree.fromstring(data[path])
    data[path] = etree.tostring(root, pretty_print=True, encoding="utf-8")
    return data


def edit(data, path, change):
    """Apply ``change(root)`` to the XML file ``path``."""
    root = etree.fromstring(data[path])
    change(root)
    data[path] = etree.tostring(root, encoding="utf-8")
    return data


def child(root, url_name):
    return next(element for element in root if element.get("url_name") == url_name)


def policy(data, change, path=POLICY):
    value = json.loads(data[path])
    change(value)
    data[path] = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return data


def check(tmp_path, data):
    return validate_archive(write_archive(tmp_path, data))


def found(report, code, severity="error"):
    return [(p.location, p.message) for p in report.problems if p.code == code and p.severity == severity]


@pytest.fixture
def swedish():
    i18n.activate("sv")
    yield
    i18n.activate(None)


# --- the sample course -------------------------------------------------------------------------
def test_the_push_sample_is_ok_and_counted_as_studio_will_hold_it(tmp_path):
    report = validate_archive(sample_archive(tmp_path))

    assert report.ok and report.errors == []
    assert report.course_id == "course-v1:KKN+NOV101+2026"
    assert report.counts == {"course": 1, "chapter": 1, "sequential": 2, "vertical": 3, "html": 1,
                             "kkn_checkin": 1, "kkn_exam": 1, "kkn_module": 1}
    # What remains are the custom blocks the sample leaves empty: they can be completed in Studio.
    assert sorted((p.code, p.location) for p in report.warnings) == [
        ("custom-content", "vertical/u2.xml:1"), ("custom-content", "vertical/u3.xml:1")]
    assert not any(p.code == "olxcleaner" for p in report.problems)


def test_a_folder_validates_like_its_archive(tmp_path):
    archive = sample_archive(tmp_path)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    folder = tmp_path / "out" / TOP

    assert validate_folder(folder) == validate_archive(archive)
    assert validate_path(folder) == validate_path(folder / "course.xml") == validate_path(archive)


def test_a_correct_course_with_full_custom_blocks_has_no_problem_at_all(tmp_path):
    data = files()

    def fill(root):
        exam = child(root, "u3_kkn_exam_0")
        exam.set("questions", json.dumps(BANK, ensure_ascii=False))
        exam.set("draw_count", "1")
    edit(data, "vertical/u3.xml", fill)
    edit(data, "vertical/u2.xml", lambda root: child(root, "u2_kkn_checkin_0").set("sessions", json.dumps(
        [{"id": "skane-1", "region": "Skåne", "venue": "Malmö", "start": "2026-03-10T09:00:00Z",
          "end": "2026-03-10T15:00:00Z"}], ensure_ascii=False)))

    report = check(tmp_path, data)

    assert report.problems == []


# --- each check, on a minimal broken variant ---------------------------------------------------------
def test_url_names_must_be_valid_present_and_unique_per_tag(tmp_path):
    data = pretty(files(), "vertical/u1.xml")
    edit(data, "vertical/u1.xml", lambda root: child(root, "u1_kkn_module_1").set("url_name", "modul ett"))
    edit(data, "vertical/u3.xml", lambda root: child(root, "u3_kkn_exam_0").set("url_name", "u2_kkn_checkin_0"))
    edit(data, "vertical/u2.xml", lambda root: child(root, "u2_kkn_checkin_0").attrib.pop("url_name"))
    data = pretty(data, "vertical/u1.xml")

    report = check(tmp_path, data)

    errors = found(report, "url-name")
    assert [where for where, _message in errors] == ["vertical/u1.xml:3"]
    assert "“modul ett”" in errors[0][1] and "A–Z" in errors[0][1]
    # another tag may share a url_name; Studio keys blocks by type and url_name
    warnings = found(report, "url-name", "warning")
    assert [where for where, _m in warnings] == ["vertical/u2.xml:1"] and "stable url_name" in warnings[0][1]


def test_a_url_name_used_twice_by_one_tag_is_an_error_naming_both_places(tmp_path):
    data = sample_files(components={"u1": ["kkn_module"], "u2": ["kkn_module"], "u3": ["kkn_exam"]})[0]
    edit(data, "vertical/u2.xml", lambda root: child(root, "u2_kkn_module_0").set("url_name", "u1_kkn_module_0"))

    errors = found(check(tmp_path, data), "url-name")

    assert [where for where, _m in errors] == ["vertical/u2.xml:1"]
    assert "vertical/u1.xml:1" in errors[0][1]


def test_a_pointer_tag_with_more_than_url_name_is_an_error_on_its_line(tmp_path):
    data = pretty(files(), "vertical/u1.xml")
    edit(data, "vertical/u1.xml", lambda root: child(root, "u1_html_0").set("display_name", "Text"))
    data = pretty(data, "vertical/u1.xml")

    report = check(tmp_path, data)

    errors = found(report, "pointer-attributes")
    assert [where for where, _m in errors] == ["vertical/u1.xml:2"]
    assert "html/u1_html_0.xml" in errors[0][1] and "display_name" in errors[0][1]
    assert not [p for p in report.errors if p.code == "olxcleaner"]  # InvalidPointer is the same finding
    assert "html" in report.counts  # Studio imports it, as an empty block


def test_a_pointer_to_a_missing_file_is_an_error(tmp_path):
    data = files()
    edit(data, "vertical/u2.xml", lambda root: etree.SubElement(root, "kkn_module", url_name="ghost"))

    report = check(tmp_path, data)

    assert found(report, "pointer-file")[0][0] == "vertical/u2.xml:1"
    assert "kkn_module/ghost.xml" in found(report, "pointer-file")[0][1]
    assert report.counts["kkn_module"] == 1  # Studio drops it


def test_the_html_pair_must_have_its_html_file(tmp_path):
    data = files()
    del data["html/u1_html_0.html"]

    report = check(tmp_path, data)

    assert [where for where, _m in found(report, "html-pair")] == ["html/u1_html_0.xml:1"]
    assert "html/u1_html_0.html" in found(report, "html-pair")[0][1]
    assert not [p for p in report.errors if p.code == "olxcleaner"]


def test_the_hierarchy_is_strict_and_every_container_has_a_display_name(tmp_path):
    data = pretty(files(), "chapter/ch1.xml")
    edit(data, "chapter/ch1.xml", lambda root: etree.SubElement(
        root, "kkn_module", url_name="loose", display_name="Lös modul"))
    data = pretty(data, "chapter/ch1.xml")
    edit(data, "sequential/s1.xml", lambda root: root.attrib.pop("display_name"))

    report = check(tmp_path, data)

    assert [where for where, _m in found(report, "hierarchy")] == ["chapter/ch1.xml:4"]
    assert "<chapter>" in found(report, "hierarchy")[0][1] and "<sequential>" in found(report, "hierarchy")[0][1]
    assert [where for where, _m in found(report, "display-name")] == ["sequential/s1.xml:1"]


def test_course_dates_must_be_set_and_in_order(tmp_path):
    data = policy(files(), lambda value: value["course/2026"].pop("end"))
    assert [where for where, _m in found(check(tmp_path, data), "dates")] == [POLICY]

    data = policy(files(), lambda value: value["course/2026"].update(start="2027-01-01T00:00:00Z"))
    messages = found(check(tmp_path, data), "dates")
    assert [where for where, _m in messages] == [POLICY] and "after it ends" in messages[0][1]

    data = policy(files(), lambda value: value["course/2026"].update(start="next monday"))
    assert "not a date" in found(check(tmp_path, data), "dates")[0][1]


def test_subsection_dates_must_lie_inside_the_course(tmp_path):
    data = files()
    edit(data, "sequential/s1.xml", lambda root: root.set("start", "2025-12-01T08:00:00Z"))
    edit(data, "sequential/s2.xml", lambda root: root.set("due", "2027-01-01T00:00:00Z"))

    errors = found(check(tmp_path, data), "dates")

    assert [where for where, _m in errors] == ["sequential/s1.xml:1", "sequential/s2.xml:1"]
    assert "before the course starts" in errors[0][1] and "after the course ends" in errors[1][1]


def test_the_grading_policy_must_be_well_formed(tmp_path):
    def break_graders(value):
        value["GRADER"][0]["weight"] = 0.6
        value["GRADER"].append({"type": "Slutprov", "min_count": 0, "drop_count": 0, "weight": 0.3})
    data = policy(files(), break_graders, GRADING)

    errors = [message for where, message in found(check(tmp_path, data), "grader-format")]

    assert all(where == GRADING for where, _m in found(check(tmp_path, data), "grader-format"))
    assert any("appears twice" in m for m in errors) and any("min_count" in m for m in errors)
    assert any("add up to 0.9" in m for m in errors)


def test_weights_may_be_off_by_rounding(tmp_path):
    def split(value):
        value["GRADER"] = [{"type": "Slutprov", "short_label": "Prov", "min_count": 1, "drop_count": 0,
                            "weight": 0.3333},
                           {"type": "Uppgift", "short_label": "Upp", "min_count": 1, "drop_count": 0,
                            "weight": 0.6666}]
    data = policy(files(), split, GRADING)

    report = check(tmp_path, data)

    assert found(report, "grader-format") == [] and report.ok
    assert [where for where, _m in found(report, "grader-unused", "warning")] == [GRADING]


def test_graded_subsections_need_a_grader_format(tmp_path):
    data = files()
    edit(data, "sequential/s2.xml", lambda root: root.set("format", "Hemuppgift"))
    edit(data, "sequential/s1.xml", lambda root: root.set("format", "Slutprov"))

    report = check(tmp_path, data)

    errors = found(report, "graded-format")
    assert [where for where, _m in errors] == ["sequential/s2.xml:1"]
    assert "“Hemuppgift”" in errors[0][1] and "“Slutprov”" in errors[0][1]
    assert [where for where, _m in found(report, "graded-format", "warning")] == ["sequential/s1.xml:1"]


def test_custom_tags_must_be_listed_in_advanced_modules(tmp_path):
    data = policy(files(), lambda value: value["course/2026"]["advanced_modules"].remove("kkn_exam"))

    errors = found(check(tmp_path, data), "advanced-modules")

    assert [where for where, _m in errors] == [POLICY] and "kkn_exam" in errors[0][1]


def test_unknown_attributes_and_unreadable_values_on_custom_blocks_are_errors(tmp_path):
    data = pretty(files(), "vertical/u1.xml")

    def spoil(root):
        block = child(root, "u1_kkn_module_1")
        block.set("colour", "red")
        block.set("weeks", "many")
    edit(data, "vertical/u1.xml", spoil)
    data = pretty(data, "vertical/u1.xml")

    errors = found(check(tmp_path, data), "custom-attribute")

    assert [where for where, _m in errors] == ["vertical/u1.xml:3", "vertical/u1.xml:3"]
    assert any("“colour”" in m and "task_prompt" in m for _w, m in errors)
    assert any("“weeks”" in m for _w, m in errors)


def test_an_exam_of_an_archive_built_before_the_rename_still_validates(tmp_path):
    """Earlier releases wrote the exam's attempts limit as ``max_attempts`` (a platform field's name)."""
    data = files()
    edit(data, "vertical/u3.xml", lambda root: child(root, "u3_kkn_exam_0").set("max_attempts", "2"))

    report = check(tmp_path, data)

    assert found(report, "custom-attribute") == [] and found(report, "custom-roundtrip") == []
    assert [message for _where, message in found(report, "renamed-attribute", "warning")] == [
        "<kkn_exam>: “max_attempts” is what earlier releases wrote; it is read as “attempts_allowed”. Build the "
        "archive again to write the new name."]


def test_an_exam_that_cannot_work_is_an_error_naming_the_field(tmp_path):
    data = files()
    edit(data, "vertical/u3.xml", lambda root: child(root, "u3_kkn_exam_0").set(
        "questions", json.dumps([{"id": "fråga 1", "text": "?"}])))
    errors = found(check(tmp_path, data), "custom-content")
    assert [where for where, _m in errors] == ["vertical/u3.xml:1"]
    assert "questions" in errors[0][1] and "Question 1" in errors[0][1]

    data = files()

    def overdraw(root):
        exam = child(root, "u3_kkn_exam_0")
        exam.set("questions", json.dumps(BANK))
        exam.set("draw_count", "3")
    edit(data, "vertical/u3.xml", overdraw)
    errors = found(check(tmp_path, data), "custom-content")
    assert len(errors) == 1 and "draw_count" in errors[0][1] and "only 1" in errors[0][1]


def test_a_checkin_with_a_broken_session_is_an_error(tmp_path):
    data = files()
    edit(data, "vertical/u2.xml", lambda root: child(root, "u2_kkn_checkin_0").set("sessions", json.dumps(
        [{"id": "skane-1", "region": "Skåne", "venue": "Malmö", "start": "2026-03-10T15:00:00Z",
          "end": "2026-03-10T09:00:00Z"}])))

    errors = found(check(tmp_path, data), "custom-content")

    assert [where for where, _m in errors] == ["vertical/u2.xml:1"] and "sessions" in errors[0][1]


def test_a_field_that_does_not_survive_export_is_an_error(tmp_path, monkeypatch):
    block_class = blocks.block_class("kkn_module")
    real = block_class.add_xml_to_node

    def lossy(self, node):
        real(self, node)
        node.attrib.pop("module_id", None)
    monkeypatch.setattr(block_class, "add_xml_to_node", lossy)
    data = files()
    edit(data, "vertical/u1.xml", lambda root: child(root, "u1_kkn_module_1").set("module_id", "modul-2"))

    errors = found(check(tmp_path, data), "custom-roundtrip")

    assert [where for where, _m in errors] == ["vertical/u1.xml:1"]
    assert "module_id" in errors[0][1] and '"modul-2"' in errors[0][1]


def test_olxcleaner_findings_are_reported_with_their_level_and_a_fix(tmp_path):
    data = files()
    data["vertical/u2.xml"] = b"<vertical display_name='Enhet u2'><kkn_checkin"
    policy(data, lambda value: value.update(GRADE_CUTOFFS={"Pass": 1.5}), GRADING)

    report = check(tmp_path, data)

    by_file = {p.location: p for p in report.problems if p.code == "olxcleaner"}
    assert by_file["vertical/u2.xml"].severity == "error" and "InvalidXML" in by_file["vertical/u2.xml"].message
    assert "Fix the XML syntax" in by_file["vertical/u2.xml"].message
    assert by_file[GRADING].severity == "error" and "GRADE_CUTOFFS" in by_file[GRADING].message
    assert "kkn_checkin" not in report.counts  # the unit that could not be read is not counted


def test_asset_names_with_swedish_letters_are_a_warning(tmp_path):
    data = files()
    data["static/bild på kursen.png"] = b"\x89PNG"

    report = check(tmp_path, data)

    assert report.ok and [w for w, _m in found(report, "asset-name", "warning")] == ["static/bild på kursen.png"]


# --- Studio exports ------------------------------------------------------------------------------
def studio_export():
    """The sample as Studio exports it: custom blocks and components as pointer + file, a wiki, quoted
    dates in XML, drafts/, about/, info/, static/, tabs/, assets/ and policies/assets.json."""
    data = files()
    data["course/2026.xml"] = (b'<course display_name="N\xc3\xa4ringslivsutveckling" language="sv">'
                               b'<chapter url_name="ch1"/><wiki slug="KKN.NOV101.2026"/></course>')
    module = ('<kkn_module xblock-family="xblock.v1" display_name="Modul 1" module_id="modul-1" '
              'programme_modules="[&quot;modul-1&quot;]"/>')
    data["kkn_module/5f3c2a.xml"] = module.encode()
    data["vertical/u1.xml"] = (b'<vertical display_name="Enhet 1"><html url_name="u1_html_0"/>'
                               b'<kkn_module url_name="5f3c2a"/><problem url_name="p1"/><video url_name="v1"/>'
                               b'<html url_name="h2" display_name="Inline" filename="h2"/></vertical>')
    data["html/h2.html"] = '<p>Se <img src="/static/images/karta.png" alt="Karta"/></p>'.encode()
    data["problem/p1.xml"] = ('<problem display_name="Övning" max_attempts="2"><multiplechoiceresponse>'
                              '<choicegroup type="MultipleChoice"><choice correct="true">Ja</choice>'
                              '<choice correct="false">Nej</choice></choicegroup></multiplechoiceresponse>'
                              '</problem>').encode()
    data["video/v1.xml"] = b'<video display_name="Film" youtube_id_1_0="dQw4w9WgXcQ"/>'
    edit(data, "sequential/s2.xml", lambda root: root.set("due", '"2026-11-30T23:00:00+00:00"'))
    data["drafts/vertical/d1.xml"] = b'<vertical display_name="Utkast" parent_url="x" index_in_children_list="0"/>'
    data["policies/assets.json"] = b"{}"
    data["about/overview.html"] = "<section><h2>Om kursen</h2></section>".encode()
    data["about/short_description.html"] = "Kort beskrivning".encode()
    data["info/updates.html"] = b"<ol></ol>"
    data["info/updates.items.json"] = b"[]"
    data["info/handouts.html"] = b"<ol></ol>"
    data["static/images/karta.png"] = b"\x89PNG"
    data["tabs/syllabus.html"] = b"<p>Kursplan</p>"
    data["assets/assets.xml"] = b"<assets/>"
    return data


def test_a_studio_export_validates(tmp_path):
    report = check(tmp_path, studio_export())

    assert report.ok, [str(p) for p in report.errors]
    assert report.counts == {"course": 1, "chapter": 1, "sequential": 2, "vertical": 3, "html": 2,
                             "kkn_checkin": 1, "kkn_exam": 1, "kkn_module": 1, "problem": 1, "video": 1}
    assert not any(p.code == "olxcleaner" for p in report.problems), [str(p) for p in report.problems]


def test_a_studio_export_with_a_date_outside_the_course_is_still_caught(tmp_path):
    data = studio_export()
    edit(data, "sequential/s2.xml", lambda root: root.set("due", '"2027-01-01T00:00:00+00:00"'))

    assert [where for where, _m in found(check(tmp_path, data), "dates")] == ["sequential/s2.xml:1"]


# --- unsafe and unreadable archives --------------------------------------------------------------
def raw_archive(path, entries, mode="w:gz"):
    """An archive of ``(TarInfo, bytes or None)`` entries, for shapes write_archive will not make."""
    with tarfile.open(path, mode) as tar:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def entry(name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info, (data if kind == tarfile.REGTYPE else None)


def sample_entries():
    return [entry(f"{TOP}/{path}", data) for path, data in sorted(files().items())]


@pytest.fixture
def no_extraction(monkeypatch):
    def refuse(*_args):
        raise AssertionError("an unsafe archive was extracted")
    monkeypatch.setattr(validation, "_extract", refuse)


@pytest.mark.parametrize("bad, words", [
    (entry("../evil.txt", b"x"), "climbs out"),
    (entry(f"{TOP}/../../evil.txt", b"x"), "climbs out"),
    (entry("/tmp/evil.txt", b"x"), "absolute path"),
    (entry(f"{TOP}/static/link", kind=tarfile.SYMTYPE, link="/etc/passwd"), "link"),
    (entry(f"{TOP}/static/hard", kind=tarfile.LNKTYPE, link=f"{TOP}/course.xml"), "link"),
    (entry(f"{TOP}/static/dev", kind=tarfile.CHRTYPE), "device"),
    (entry(f"{TOP}/second/course.xml", b"<course/>"), "exactly one course.xml"),
    (entry("other/readme.txt", b"x"), "several top folders"),
    (entry("readme.txt", b"x"), "outside the course's top folder"),
    (entry(f"{TOP}/course.xml", b"<course/>"), "twice"),
])
def test_unsafe_archives_are_refused_before_anything_is_written(tmp_path, no_extraction, bad, words):
    archive = raw_archive(tmp_path / "kurs.tar.gz", sample_entries() + [bad])
    before = sorted(tmp_path.parent.rglob("evil*"))

    report = validate_archive(archive)

    assert not report.ok
    assert [p.code for p in report.problems] == ["archive-member"] and words in report.problems[0].message
    assert report.problems[0].location == "kurs.tar.gz"
    assert sorted(tmp_path.parent.rglob("evil*")) == before and not Path("/tmp/evil.txt").exists()


def test_an_archive_larger_than_the_limit_is_refused(tmp_path, no_extraction):
    archive = sample_archive(tmp_path, extra_files={"static/film.bin": b"0" * 5000})

    report = validate_archive(archive, max_bytes=4000)

    assert [p.code for p in report.problems] == ["archive-member"] and "more than" in report.problems[0].message


@pytest.mark.parametrize("content", [b"this is not an archive", b"\x1f\x8b\x08\x00garbage", b""])
def test_a_file_that_is_not_a_gzip_archive_gives_an_error_not_an_exception(tmp_path, content):
    archive = tmp_path / "kurs.tar.gz"
    archive.write_bytes(content)

    report = validate_archive(archive)

    assert not report.ok and report.problems[0].code in ("archive", "archive-member")
    assert report.problems[0].location == "kurs.tar.gz"


def test_a_truncated_archive_gives_an_error(tmp_path):
    archive = sample_archive(tmp_path, extra_files={"static/film.bin": bytes(range(256)) * 4000})
    archive.write_bytes(archive.read_bytes()[:2000])

    report = validate_archive(archive)

    assert [p.code for p in report.problems] == ["archive"] and "not a readable" in report.problems[0].message


def test_plain_tar_and_dot_slash_names_are_accepted(tmp_path):
    entries = [entry(f"./{TOP}/{path}", data) for path, data in sorted(files().items())]
    archive = raw_archive(tmp_path / "kurs.tar", entries, mode="w")

    assert validate_archive(archive).ok


# --- dispatch ------------------------------------------------------------------------------------
def test_paths_that_are_not_courses_are_refused(tmp_path):
    with pytest.raises(validation.NotACourse, match="does not exist"):
        validate_path(tmp_path / "missing")
    with pytest.raises(validation.NotACourse, match="neither course.xml"):
        validate_path(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(validation.NotACourse, match="is not a course"):
        validate_path(tmp_path / "notes.txt")


def test_a_course_source_is_built_then_validated(tmp_path, monkeypatch):
    source = tmp_path / "source"
    source.mkdir()
    (source / "course.yaml").write_text("title: Kurs\n")
    built = {}

    def build(src, out, cache=True):  # pylint: disable=unused-argument
        built["source"], built["out"] = src, out
        return types.SimpleNamespace(archive=sample_archive(out), manifest=None, course=None)
    monkeypatch.setitem(sys.modules, "course_export.build", types.SimpleNamespace(build=build))

    report = validate_path(source)

    assert report.ok and report.course_id == "course-v1:KKN+NOV101+2026"
    assert built["source"] == source and not built["out"].exists()  # built in a temporary folder


def test_the_scaffold_source_builds_into_a_course_without_any_problem():
    from course_export.commands.new import TEMPLATE  # pylint: disable=import-outside-toplevel

    report = validate_path(TEMPLATE)

    assert report.problems == [] and report.counts["course"] == 1 and report.course_id.startswith("course-v1:")


def test_source_problems_become_errors_with_their_location(tmp_path, monkeypatch):
    (tmp_path / "course.yaml").write_text("title: Kurs\n")

    def build(_src, _out, cache=True):  # pylint: disable=unused-argument
        raise SourceError([SourceProblem(Location("modules/m1.md", 4, "title"), "The title is empty.",
                                         "Write a title.")])
    monkeypatch.setitem(sys.modules, "course_export.build", types.SimpleNamespace(build=build))

    report = validate_path(tmp_path / "course.yaml")

    assert [(p.severity, p.code, p.location, p.message) for p in report.problems] == [
        ("error", "source", "modules/m1.md:4 (title)", "The title is empty. Write a title.")]


# --- the command ---------------------------------------------------------------------------------
def run_command(*argv):
    parser = argparse.ArgumentParser(prog="kkn-course")
    command.register(parser.add_subparsers(dest="command"))
    options = parser.parse_args(["validate", *map(str, argv)])
    stdout, stderr = io.StringIO(), io.StringIO()
    code = options.func(options, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def test_the_command_exits_0_when_ready_with_a_summary(tmp_path):
    code, out, _err = run_command(sample_archive(tmp_path))

    assert code == 0
    assert "warning vertical/u3.xml:1: <kkn_exam>" in out
    assert "course-v1:KKN+NOV101+2026: 1 course, 1 chapter, 2 sequential, 3 vertical," in out
    assert "0 errors, 2 warnings." in out and "Ready for import." in out


def test_the_command_exits_1_on_errors(tmp_path):
    data = policy(files(), lambda value: value["course/2026"].pop("end"))

    code, out, _err = run_command(write_archive(tmp_path, data))

    assert code == 1 and f"error {POLICY}: The course has no end date" in out and "1 error," in out


def test_the_command_exits_2_for_what_is_not_a_course(tmp_path):
    code, out, err = run_command(tmp_path / "missing.tar.gz")
    assert code == 2 and out == "" and "does not exist" in err

    code, out, _err = run_command(tmp_path, "--json")
    assert code == 2 and json.loads(out)["problems"][0]["code"] == "not-a-course"


def test_the_command_prints_json(tmp_path):
    code, out, _err = run_command(sample_archive(tmp_path), "--json")

    payload = json.loads(out)
    assert code == 0 and payload["ok"] is True and payload["course_id"] == "course-v1:KKN+NOV101+2026"
    assert payload["counts"]["vertical"] == 3
    assert set(payload["problems"][0]) == {"severity", "code", "location", "message"}


# --- Swedish -------------------------------------------------------------------------------------
def test_messages_are_swedish_when_swedish_is_active(tmp_path, swedish):  # pylint: disable=unused-argument
    data = policy(files(), lambda value: value["course/2026"]["advanced_modules"].remove("kkn_exam"))
    edit(data, "vertical/u3.xml", lambda root: child(root, "u3_kkn_exam_0").set("draw_count", "x"))

    report = check(tmp_path, data)
    code, out, _err = run_command(write_archive(tmp_path, data, "kurs2"))

    messages = " ".join(p.message for p in report.problems)
    assert "advanced_modules" in messages and "listar" in messages
    assert "Provet" in messages or "frågebank" in messages.lower()  # the block's own catalog, in Swedish too
    assert code == 1 and "fel " in out and "Inte redo för import" in out
