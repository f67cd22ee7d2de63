"""A ``kkn-course`` run imports only the command it runs: ``build`` loads neither the preview server,
nor the Studio client, nor the credential signing library, nor what the blocks need only to render
(Mako, Pygments), nor a C declaration parser (process start-up is part of every build)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_export.cli import main

from .conftest import in_fresh_process

NOT_FOR_BUILD = ("course_export.push", "course_export.studio_client", "course_export.commands.preview",
                 "course_export.preview", "requests", "joserfc", "cryptography", "mako", "pygments", "pycparser",
                 "django.contrib.auth", "django.contrib.contenttypes")


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


@pytest.mark.parametrize("broken", [False, True])
def test_the_build_program_ends_with_its_code_and_all_its_output(course_source, tmp_path, broken):
    """``kkn-course build`` ends its process without tearing the interpreter down: its output,
    written to pipes (block-buffered), still arrives whole, its exit code is the build's, and every
    file it wrote is complete: the archive, manifest and OLX tree as a build in this process writes
    them, each JSON file it left (the manifest, the cache) whole."""
    if broken:
        (course_source / "course.yaml").write_text("title: [\n", encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-m", "course_export.cli", "build", str(course_source), "-o",
                           str(tmp_path / "out"), "--tree", str(tmp_path / "tree"), "--json"],
                          capture_output=True, text=True, check=False, env={**environment, "KKN_LANGUAGE": "en"})
    outcome = json.loads(done.stdout)
    if broken:
        assert done.returncode == 1 and not outcome["ok"] and "not valid YAML" in outcome["problems"][0]["message"]
        assert not (tmp_path / "out").exists()
        return
    assert done.returncode == 0 and outcome["ok"]
    assert main(["build", str(course_source), "-o", str(tmp_path / "here"), "--tree", str(tmp_path / "here-tree"),
                 "--json"]) == 0
    for name in (Path(outcome["archive"]).name, Path(outcome["manifest"]).name):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    tree = {path.relative_to(tmp_path / "tree"): path.read_bytes()
            for path in (tmp_path / "tree").rglob("*") if path.is_file()}
    assert tree and tree == {path.relative_to(tmp_path / "here-tree"): path.read_bytes()
                             for path in (tmp_path / "here-tree").rglob("*") if path.is_file()}
    written = [path for path in (tmp_path / "out").rglob("*.json") if path.is_file()]
    assert written  # the manifest, and the cache where it is kept as JSON
    for path in written:
        json.loads(path.read_text(encoding="utf-8"))
