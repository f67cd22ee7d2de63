"""The local preview of a course source: outline, units with live blocks, assets, reload on change."""
import pytest

from course_export.preview import views

from .conftest import edit


@pytest.fixture
def preview(course_source, monkeypatch, db, client):  # pylint: disable=unused-argument
    monkeypatch.setenv("KKN_PREVIEW_SOURCE", str(course_source))
    monkeypatch.setattr(views, "_state", views.fresh_state())
    return client


def test_start_page_opens_the_course(preview):
    response = preview.get("/")
    assert response.status_code == 302 and response["Location"] == "/kurs/"


def test_home_shows_outline_and_about_in_swedish(preview):
    page = preview.get("/kurs/").content.decode()
    assert '<html lang="sv">' in page
    assert "Kursöversikt" in page and "Regionala träffar" in page
    for unit in ("u-modul-1", "modul-1-fordjupning", "u-starttraff", "u-slutprov"):
        assert f'href="/kurs/{unit}/?student=student_1"' in page
    assert "18 januari 2027" in page and "Kostnadsfri" in page


def test_unit_renders_the_live_module_block_for_the_chosen_learner(preview):
    page = preview.get("/kurs/u-modul-1/?student=student_2").content.decode()
    assert "data-block-type='kkn_module'" in page and "0 av 1 modul klar" in page
    assert "studentId = 'student_2'" in page
    assert 'aria-current="page"' in page
    assert 'rel="next"' in page and "/kurs/modul-1-fordjupning/" in page


def test_blocks_in_the_preview_keep_learner_state(preview):
    """A handler call through the workbench changes what the next page view shows."""
    page = preview.get("/kurs/u-modul-1/?student=student_3").content.decode()
    usage = page.split("data-usage='", 1)[1].split("'", 1)[0]
    response = preview.post(f"/handler/{usage}/save_draft/?student=student_3", data='{"text": "Mitt utkast"}',
                            content_type="application/json")
    assert response.status_code == 200
    assert "Mitt utkast" in preview.get("/kurs/u-modul-1/?student=student_3").content.decode()
    assert "Mitt utkast" not in preview.get("/kurs/u-modul-1/?student=student_1").content.decode()


def test_pages_and_problems_are_shown_as_the_lms_would(preview):
    page = preview.get("/kurs/modul-1-fordjupning/").content.decode()
    # the page's title is the unit's heading, not repeated above its text
    assert "<h1>Fördjupning</h1>" in page and "<h2>Fördjupning</h2>" not in page and "<code>static/</code>" in page
    assert 'type="radio" name="modul-1-fordjupning-2"' in page
    assert "Visa svaret" in page


def test_exam_links_to_modules_work_in_the_preview(preview):
    response = preview.get("/courses/course-v1:MinOrg+KURS101+2027/jump_to_id/modul-1?student=student_2")
    assert response.status_code == 302 and response["Location"] == "/kurs/u-modul-1/?student=student_2"


def test_course_assets_are_served_as_static(preview):
    response = preview.get("/static/logo.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert preview.get("/static/saknas.png").status_code == 404


def test_an_edit_is_shown_on_the_next_page_view(preview, course_source):
    assert "Den första modulen" in preview.get("/kurs/").content.decode()
    edit(course_source / "modules/01-forsta-modulen/module.yaml", "title: Den första modulen", "title: Modul ett")
    assert "Modul ett" in preview.get("/kurs/").content.decode()


def test_a_reload_loads_again_only_the_blocks_that_changed(preview, course_source, monkeypatch):
    """Loading a block writes all its fields to the workbench's database: unchanged blocks keep theirs."""
    import workbench.scenarios
    loaded = []
    original = workbench.scenarios.Scenario

    def counting(description, usage_id, xml):  # the preview names each block "<course id> <tag> <url_name>"
        if description.startswith("course-v1:"):
            _course, tag, url_name = description.split(" ")
            loaded.append(f"kkn-course.{tag}.{url_name}")
        return original(description, usage_id, xml)
    monkeypatch.setattr(workbench.scenarios, "Scenario", counting)
    preview.get("/kurs/")
    assert len(loaded) >= 3  # the module, the meeting and the exam
    loaded.clear()
    edit(course_source / "modules/01-forsta-modulen/module.yaml", "title: Den första modulen", "title: Modul ett")
    assert "Modul ett" in preview.get("/kurs/").content.decode()
    # the title is the module block's display name; the exam lists the modules by title, and the
    # meeting's programme overview does too
    assert sorted(loaded) == ["kkn-course.kkn_checkin.starttraff", "kkn-course.kkn_exam.slutprov",
                              "kkn-course.kkn_module.modul-1"]
    loaded.clear()
    page = course_source / "modules/01-forsta-modulen/fordjupning.md"  # a page of a unit: no block's
    page.write_text(page.read_text(encoding="utf-8") + "\nEn helt ny rad.\n", encoding="utf-8")
    assert "En helt ny rad." in preview.get("/kurs/modul-1-fordjupning/").content.decode()
    assert loaded == []


def test_a_broken_source_shows_its_problems_not_an_error(preview, course_source):
    edit(course_source / "course.yaml", "pacing: self", "pacing: ibland")
    response = preview.get("/kurs/")
    page = response.content.decode()
    assert response.status_code == 200 and "Kurskällan har fel" in page
    assert "course.yaml:9 (pacing)" in page
    assert preview.get("/kurs/u-modul-1/").status_code == 302


def test_a_page_it_cannot_read_is_a_problem_in_the_preview_not_an_error(preview, course_source, unreadable_page):
    """The author saved a page the preview may not read: the preview names it, in Swedish."""
    page = unreadable_page
    edit(page, "\n", "\n\n")  # saved again: the preview reads the source anew
    response = preview.get("/kurs/")
    text = response.content.decode()
    assert response.status_code == 200 and "Kurskällan har fel" in text
    assert f"Filen {page.relative_to(course_source).as_posix()} går inte att läsa: Permission denied." in text


def test_unknown_unit_is_404(preview):
    assert preview.get("/kurs/finns-inte/").status_code == 404


def test_a_setting_the_author_removes_falls_back_to_the_blocks_default(preview, course_source):
    from workbench.runtime import WorkbenchRuntime
    meeting = course_source / "meetings/01-starttraff.yaml"
    edit(meeting, "required_roles:", "late_after_minutes: 5\nrequired_roles:")
    preview.get("/kurs/")
    assert WorkbenchRuntime("student_1").get_block(views.current().usages["starttraff"]).late_after_minutes == 5
    edit(meeting, "late_after_minutes: 5\n", "")
    preview.get("/kurs/")
    assert WorkbenchRuntime("student_1").get_block(views.current().usages["starttraff"]).late_after_minutes == 10


def test_preview_command_says_when_the_port_is_taken(course_source, capsys):
    import socket

    from course_export.cli import main
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["preview", str(course_source), "--port", str(port)]) == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_preview_command_lists_source_problems(course_source, capsys):
    from course_export.cli import main
    edit(course_source / "course.yaml", "pacing: self", "pacing: ibland")
    assert main(["preview", str(course_source)]) == 1
    assert "course.yaml:9 (pacing)" in capsys.readouterr().err


def test_a_dangling_editor_lock_file_does_not_break_the_preview(preview, course_source):
    (course_source / "modules/01-forsta-modulen/.#introduktion.md").symlink_to("user@host.1234")
    assert preview.get("/kurs/").status_code == 200


def test_course_files_never_run_as_pages_of_the_site(preview):
    response = preview.get("/static/logo.svg")
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_jump_to_a_subsection(preview):
    response = preview.get("/courses/course-v1:MinOrg+KURS101+2027/jump_to_id/s-slutprov")
    assert response.status_code == 302 and response["Location"].startswith("/kurs/u-slutprov/")


def test_preview_command_refuses_an_impossible_port(course_source, capsys):
    from course_export.cli import main
    with pytest.raises(SystemExit) as raised:
        main(["preview", str(course_source), "--port", "99999"])
    assert raised.value.code == 2 and "a port is a number from 1 to 65535" in capsys.readouterr().err
