"""A ``kkn-course`` run imports only the command it runs: ``build`` loads neither the preview server,
nor the Studio client, nor the credential signing library (process start-up is part of every build)."""
import pytest

from course_export.cli import main

from .conftest import in_fresh_process

NOT_FOR_BUILD = ("course_export.push", "course_export.studio_client", "course_export.commands.preview",
                 "course_export.preview", "requests", "joserfc", "cryptography")


def test_build_imports_neither_preview_nor_push_nor_signing(course_source, tmp_path):
    code, modules = in_fresh_process(
        "from course_export.cli import main\n"
        f"code = main(['build', {str(course_source)!r}, '--out', {str(tmp_path / 'out')!r}])", "code")
    assert code == 0
    assert "course_export.commands.build" in modules and "kkn_xblocks.exam" in modules  # the blocks wrote their OLX
    assert not [m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_FOR_BUILD)]


def test_the_whole_command_line_is_listed_without_a_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("new", "build", "validate", "preview", "push", "docs"))


def test_a_mistyped_command_is_named_with_the_commands_there_are(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["bild"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "'bild'" in err and "'build'" in err and "'preview'" in err
