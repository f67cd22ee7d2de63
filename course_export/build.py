"""The build pipeline: course source -> checked spec -> OLX tree -> archive + manifest.

    build(source, out_dir) -> BuildResult                        the programme as one course
    build_programme(source, out_dir) -> ProgrammeResult          packaged as course.yaml says

A plain pipeline (as mkdocs builds a site): read and check everything first, then write. The
archive and its manifest appear only when the whole build has succeeded; a source with problems
raises ``SourceError`` and leaves ``out_dir`` as it was.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from .archive import write_archive
from .atomic import write_atomic
from .i18n import _
from .cache import CACHE_FOLDER, SourceCache
from .olx import TOP, olx_files, write_tree
from .source import read_programme
from .spec import Course, Programme


@dataclass(frozen=True)
class BuildResult:
    course: Course
    archive: Path  # <out_dir>/<org>-<number>-<run>.tar.gz
    manifest: Path  # <out_dir>/<org>-<number>-<run>.manifest.json
    tree: Path | None = None  # the OLX folder, when kept


def archive_name(course: Course):
    return f"{course.org}-{course.number}-{course.run}"


def build(source, out_dir, keep_tree=None, cache=True) -> BuildResult:
    """Build the source in ``source`` as one course into ``out_dir`` (whatever its packaging);
    ``keep_tree`` is a folder to keep the OLX in, ``cache`` as for ``build_programme``."""
    return build_programme(source, out_dir, "course", keep_tree, cache).courses[0]


def _write(course, files, out_dir, tree, cache=None):
    out_dir.mkdir(parents=True, exist_ok=True)
    name = archive_name(course)
    manifest_path = out_dir / f"{name}.manifest.json"
    manifest_path.unlink(missing_ok=True)  # an old manifest must not outlive its archive
    archive = write_archive(files, out_dir / f"{name}.tar.gz", top=TOP, cache=cache)
    manifest = write_manifest(course, archive, manifest_path)
    return BuildResult(course, archive, manifest, tree)


@dataclass(frozen=True)
class ProgrammeResult:
    programme: Programme
    courses: tuple[BuildResult, ...]
    manifest: Path | None  # <out_dir>/<programme id>.programme.json (packaging: modules)


def programme_manifest_name(programme: Programme):
    return f"{programme.id}.programme.json"


def build_programme(source, out_dir, packaging=None, keep_tree=None, cache=True) -> ProgrammeResult:
    """Build every course of the programme in ``source``; with ``packaging: modules`` also the
    programme manifest, which ``kkn-course push`` and ``validate`` take to handle all courses.

    As for one course: everything is read and made in memory first; the programme manifest is
    written last (and removed first), so it only ever lists archives of one and the same build.

    Everything that can fail comes first (reading, the kept tree); each archive and then its
    manifest are written last, so a manifest never describes another archive. With ``cache``, what
    reading the source cost is kept in ``out_dir/.kkn-cache`` (safe to delete), so the next build
    re-reads and re-renders only the files that changed; the archives' bytes are the same either way.
    """
    out_dir = Path(out_dir)
    kept = SourceCache.load(out_dir / CACHE_FOLDER) if cache else None
    try:
        result = _build_programme(source, out_dir, packaging, keep_tree, kept)
    except BaseException:
        if kept is not None:
            kept.discard()  # what this build wrote of the cache goes: the output folder stays as it was
        raise
    if kept is not None:
        kept.save()
    return result


def _build_programme(source, out_dir, packaging, keep_tree, kept):
    programme = read_programme(source, packaging, cache=kept)
    made = [(course, olx_files(course, cache=kept)) for course in programme.courses]
    if programme.packaging == "course":
        course, files = made[0]
        tree = _keep_tree(course, files, keep_tree) if keep_tree is not None else None
        return ProgrammeResult(programme, (_write(course, files, out_dir, tree, kept),), None)
    trees = [_keep_tree(course, files, Path(keep_tree) / archive_name(course)) if keep_tree is not None
             else None for course, files in made]
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / programme_manifest_name(programme)
    manifest_path.unlink(missing_ok=True)
    results = tuple(_write(course, files, out_dir, tree, kept) for (course, files), tree in zip(made, trees))
    return ProgrammeResult(programme, results, _write_json(programme_manifest_of(programme, results), manifest_path))


def programme_manifest_of(programme: Programme, results):
    """Every course of the programme: its id, what it is, its archive with sha256 and counts."""
    courses = []
    for result in results:
        entry = json.loads(result.manifest.read_text(encoding="utf-8"))
        courses.append({"course_id": entry["course_id"], "kind": result.course.kind,
                        "module_id": result.course.module_id, "archive": entry["archive"],
                        "manifest": result.manifest.name, "sha256": entry["sha256"], "bytes": entry["bytes"],
                        "counts": entry["counts"]})
    return {"programme_id": programme.id, "title": programme.title, "packaging": programme.packaging,
            "courses": courses}


class TreeRefused(ValueError):
    """``keep_tree`` would overwrite something that is not an OLX tree this builder wrote."""


def _keep_tree(course, files, keep_tree):
    """Replace ``keep_tree/course`` with the course's OLX; only ever replace an OLX tree."""
    tree = Path(keep_tree).resolve() / TOP
    source = course.source.resolve()
    if tree == source or tree in source.parents:  # replacing it would delete the source
        raise TreeRefused(tree)
    if tree.exists():
        if not (tree / "course.xml").is_file() or (tree / "course.yaml").exists():
            raise TreeRefused(tree)
        shutil.rmtree(tree)
    write_tree(course, tree.parent, files)
    return tree


def sha256_of(path):
    """The file's SHA-256 (hex), read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_of(course: Course, archive: Path):
    """What the build produced, for ``kkn-course push`` to compare with what Studio imported."""
    return {
        "course_id": course.course_id,
        "archive": archive.name,
        "sha256": sha256_of(archive),
        "bytes": archive.stat().st_size,
        "counts": course.counts(),
        "graded_subsections": course.graded_subsections(),
    }


def write_manifest(course: Course, archive: Path, path: Path) -> Path:
    return _write_json(manifest_of(course, archive), path)


def _write_json(value, path: Path) -> Path:
    return write_atomic(path, (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))


class NotAProgramme(ValueError):
    """The path is no programme manifest (nor a folder holding exactly one); the message says why."""


def programme_manifest_path(path):
    """The programme manifest ``path`` names: the file itself, or the one in a build folder; None when
    ``path`` is neither (then it is one course)."""
    path = Path(path)
    if path.is_file() and path.name.endswith(".programme.json"):
        return path
    if path.is_dir() and not (path / "course.xml").exists() and not (path / "course.yaml").exists():
        found = sorted(path.glob("*.programme.json"))
        if len(found) > 1:
            raise NotAProgramme(_("{folder} holds several programme manifests ({names}). Name the one to use.").format(
                folder=path, names=", ".join(p.name for p in found)))
        return found[0] if found else None
    return None


def load_programme_manifest(path):
    """The programme manifest's courses, each with its archive's path: ``(data, [(entry, archive)])``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        courses = data["courses"]
        entries = [(entry, path.parent / entry["archive"]) for entry in courses
                   if isinstance(entry["course_id"], str) and isinstance(entry["archive"], str)]
        if not courses or len(entries) != len(courses) or any(Path(e["archive"]).name != e["archive"]
                                                               for e, _a in entries):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise NotAProgramme(_("{path} is not a programme manifest written by kkn-course build. Build the programme "
                              "again (kkn-course build SOURCE).").format(path=path)) from None
    return data, entries
