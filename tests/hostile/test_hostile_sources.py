"""Hostile course sources, archives and preview requests of issue 14: each a problem said in words,
in bounded memory, never a traceback, a crash or Django's debug page."""
import gzip
import json
import subprocess
import sys
import tarfile
import textwrap

import pytest

from course_export.source import read_course
from course_export.spec import SourceError
from course_export.validation import MAX_LISTED_MEMBER_PROBLEMS, MAX_MEMBERS
from course_export.preview import views

from ..course_export.conftest import course_source, edit, english  # noqa: F401  pylint: disable=unused-import

PEAK_LIMIT_KB = 200 * 1024


def _header(name, kind, linkname=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mtime = kind, linkname, 0
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _repeated_members(path, header, count, per_chunk=10_000):
    """A .tar.gz of ``count`` copies of one member header, made fast: gzip allows concatenated
    members, so one compressed chunk is written ``count / per_chunk`` times."""
    chunk = gzip.compress(header * per_chunk, compresslevel=9, mtime=0)
    with open(path, "wb") as out:
        for _ in range(count // per_chunk):
            out.write(chunk)
        out.write(gzip.compress(b"\0" * 1024, mtime=0))
    return path


def _validate_in_child(archive):
    """Validate ``archive`` in a fresh Python; its problems and its peak memory (KB) from ``resource``.

    Linux keeps ``ru_maxrss`` across fork and exec, so a process started straight from this test
    process (hundreds of MB after a long suite) would report the test's size. A small fresh Python
    therefore starts the validating one and reads its peak with ``RUSAGE_CHILDREN``.
    """
    validate = textwrap.dedent("""
        import json, sys
        from course_export.validation import validate_archive
        report = validate_archive(sys.argv[1])
        print(json.dumps([p.message for p in report.problems]))
    """)
    measure = textwrap.dedent("""
        import json, resource, subprocess, sys
        done = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr[-2000:])
        print(json.dumps({"messages": json.loads(done.stdout),
                          "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
    """)
    done = subprocess.run([sys.executable, "-c", measure, validate, str(archive)], capture_output=True, text=True,
                          check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("what,header,count", [
    ("3 M './' entries", _header("./", tarfile.DIRTYPE), 3_000_000),
    ("300 k symlinks", _header("kurs/lank", tarfile.SYMTYPE, "../../etc/passwd"), 300_000),
])
def test_hostile_archives_are_validated_in_bounded_memory(tmp_path, what, header, count):
    archive = _repeated_members(tmp_path / "fientlig.tar.gz", header, count)
    result = _validate_in_child(archive)
    assert result["peak_kb"] < PEAK_LIMIT_KB, f"{what}: {result['peak_kb'] // 1024} MB"
    assert f"more than {MAX_MEMBERS} files" in result["messages"][-1]
    assert len(result["messages"]) <= MAX_LISTED_MEMBER_PROBLEMS + 2


def test_refused_members_are_summed_up_not_listed(tmp_path):
    from course_export.validation import validate_archive

    archive = _repeated_members(tmp_path / "lankar.tar.gz", _header("kurs/lank", tarfile.SYMTYPE, "x"), 1000,
                                per_chunk=1000)
    messages = [p.message for p in validate_archive(archive).problems]
    assert sum("is a link or a device file" in m for m in messages) == MAX_LISTED_MEMBER_PROBLEMS
    assert f"{1000 - MAX_LISTED_MEMBER_PROBLEMS} more archive members are refused" in " ".join(messages)


def test_a_huge_extended_header_is_refused_before_it_is_read(tmp_path):
    from course_export.validation import validate_archive

    info = tarfile.TarInfo("././@LongLink")
    info.type, info.size = tarfile.GNUTYPE_LONGNAME, 2 * 1024 ** 3
    archive = tmp_path / "langt-namn.tar.gz"
    archive.write_bytes(gzip.compress(info.tobuf(format=tarfile.USTAR_FORMAT) + b"a" * 10_000, mtime=0))
    report = validate_archive(archive)
    assert [p.message for p in report.problems][0].startswith("The file is not a readable .tar.gz archive")


def _alias_bomb(levels=9):
    lines = ['a0: &a0 ["ha"]'] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]"
                                  for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _problems(folder):
    with pytest.raises(SourceError) as caught:
        read_course(folder)
    return caught.value.problems


@pytest.mark.parametrize("where", ["key", "start"])
def test_a_yaml_alias_bomb_is_refused(course_source, where):  # noqa: F811
    course_yaml = course_source / "course.yaml"
    if where == "key":
        course_yaml.write_text(_alias_bomb(10) + "? *a10\n: 1\n" + course_yaml.read_text(encoding="utf-8"),
                               encoding="utf-8")
    else:
        edit(course_yaml, "start: ", _alias_bomb(10) + "start: *a10\nstart_was: ")
    found = _problems(course_source)
    assert any(p.location.file == "course.yaml" and "YAML aliases" in p.message for p in found)


@pytest.mark.parametrize("text", ["x: " + "[" * 50_000 + "]" * 50_000, "x:\n" + "".join(
    "  " * i + f"k{i}:\n" for i in range(1, 1000))])
def test_deep_nesting_is_refused_before_the_c_loader(course_source, text):  # noqa: F811
    """50,000 levels killed the process (SIGSEGV in libyaml's composer); run in a child to prove it lives."""
    (course_source / "meetings").mkdir(exist_ok=True)
    target = course_source / "course.yaml"
    target.write_text(target.read_text(encoding="utf-8") + text + "\n", encoding="utf-8")
    script = textwrap.dedent("""
        import sys
        from course_export import i18n
        from course_export.source import read_course
        from course_export.spec import SourceError
        i18n.activate("en")
        try:
            read_course(sys.argv[1])
        except SourceError as error:
            print("\\n".join(p.message for p in error.problems))
    """)
    done = subprocess.run([sys.executable, "-c", script, str(course_source)], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nest more than 50 levels deep" in done.stdout


def test_a_key_that_is_a_list_is_a_problem(course_source):  # noqa: F811
    target = course_source / "course.yaml"
    target.write_text("? [a, b]\n: 1\n" + target.read_text(encoding="utf-8"), encoding="utf-8")
    found = _problems(course_source)
    assert any("a key must be a plain word" in p.message for p in found)


# --- the preview --------------------------------------------------------------------------------

@pytest.fixture
def preview(course_source, monkeypatch, db, client):  # noqa: F811  pylint: disable=unused-argument
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(course_source))
    monkeypatch.setitem(views._state, "loaded", None)  # pylint: disable=protected-access
    return client


def test_the_preview_reload_survives_deep_nesting(preview, course_source):  # noqa: F811
    assert preview.get("/kurs/").status_code == 200
    target = course_source / "course.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "x: " + "[" * 50_000 + "]" * 50_000 + "\n",
                      encoding="utf-8")
    page = preview.get("/kurs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "nest more than 50 levels deep" in text or "nästlade i mer än 50 nivåer" in text


@pytest.mark.parametrize("url", ["/reset_state", "/admin/", "/userlist/", "/view/kkn_module.0/",
                                 "/aside_handler/x/y/"])
def test_unused_workbench_routes_are_gone(preview, url):
    response = preview.get(url, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_a_cross_site_reset_wipes_nothing(preview, wb):
    from kkn_xblocks.records.models import ModuleSubmission

    from .harness import first_scenario_usage

    usage = first_scenario_usage(wb, "kkn_module")
    assert wb.post(usage, "save_draft", {"text": "Mitt utkast"})[0] == 200
    preview.get("/reset_state", HTTP_REFERER="https://evil.example/")
    assert wb.block(usage).draft == "Mitt utkast"
    assert ModuleSubmission.objects.count() == 0  # untouched, and nothing else appeared


@pytest.mark.parametrize("path", ["/static/..%2f..%2fetc/passwd", "/static/a/../../settings.py", "/static/%00",
                                  "/static/%ff%fe", "/static/" + "a" * 5000, "/static/djpyfs/../../x"])
def test_malformed_static_paths_get_our_swedish_page(preview, path):
    response = preview.get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "Sidan finns inte" in page and "Tillbaka till kursen" in page
    assert "SECRET_KEY" not in page and "Traceback" not in page and "DEBUG" not in page


def test_a_server_error_gets_our_swedish_page(preview, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "_need_course", broken)
    preview.raise_request_exception = False
    response = preview.get("/kurs/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Något gick fel" in page and "boom" not in page and "Traceback" not in page


def test_a_cross_site_handler_call_gets_our_swedish_page(preview, wb):
    from django.test import Client

    from .harness import first_scenario_usage

    usage = first_scenario_usage(wb, "kkn_module")
    response = Client(enforce_csrf_checks=True).post(f"/handler/{usage}/save_draft/?student=student_1",
                                                     data='{"text": "x"}', content_type="application/json")
    assert response.status_code == 403
    assert "Inte tillåtet" in response.content.decode()


def test_the_runtime_static_files_are_still_served(preview):
    response = preview.get("/static/workbench/css/workbench.css")
    assert response.status_code == 200
