"""The build pipeline: course source -> checked spec -> OLX tree -> archive + manifest.

    build(source, out_dir) -> BuildResult

A plain pipeline (as mkdocs builds a site): read and check everything first, then write. The
archive and its manifest appear only when the whole build has succeeded; a source with problems
raises ``SourceError`` and leaves ``out_dir`` as it was.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .archive import write_archive
from .cache import CACHE_FOLDER, SourceCache
from .olx import TOP, olx_files, write_tree
from .source import read_course
from .spec import Course


@dataclass(frozen=True)
class BuildResult:
    course: Course
    archive: Path  # <out_dir>/<org>-<number>-<run>.tar.gz
    manifest: Path  # <out_dir>/<org>-<number>-<run>.manifest.json
    tree: Path | None = None  # the OLX folder, when kept


def archive_name(course: Course):
    return f"{course.org}-{course.number}-{course.run}"


def build(source, out_dir, keep_tree=None, cache=True) -> BuildResult:
    """Build the course in ``source`` into ``out_dir``; ``keep_tree`` is a folder to keep the OLX in.

    Everything that can fail comes first (reading, the kept tree); the archive and then its manifest
    are written last, so a manifest never describes another archive. With ``cache``, what reading
    the source cost is kept in ``out_dir/.kkn-cache`` (safe to delete), so the next build re-reads
    and re-renders only the files that changed; the archive's bytes are the same either way.
    """
    out_dir = Path(out_dir)
    kept = SourceCache.load(out_dir / CACHE_FOLDER) if cache else None
    course = read_course(source, cache=kept)
    files = olx_files(course)
    tree = _keep_tree(course, files, keep_tree) if keep_tree is not None else None
    out_dir.mkdir(parents=True, exist_ok=True)
    name = archive_name(course)
    manifest_path = out_dir / f"{name}.manifest.json"
    manifest_path.unlink(missing_ok=True)  # an old manifest must not outlive its archive
    archive = write_archive(files, out_dir / f"{name}.tar.gz", top=TOP)
    manifest = write_manifest(course, archive, manifest_path)
    del files  # the OLX in memory: not needed while the cache is written
    if kept is not None:
        kept.save()
    return BuildResult(course, archive, manifest, tree)


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


def manifest_of(course: Course, archive: Path):
    """What the build produced, for ``kkn-course push`` to compare with what Studio imported."""
    digest = hashlib.sha256()
    with open(archive, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {
        "course_id": course.course_id,
        "archive": archive.name,
        "sha256": digest.hexdigest(),
        "bytes": archive.stat().st_size,
        "counts": course.counts(),
        "graded_subsections": course.graded_subsections(),
    }


def write_manifest(course: Course, archive: Path, path: Path) -> Path:
    data = json.dumps(manifest_of(course, archive), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text(data, encoding="utf-8")
    os.replace(temporary, path)
    return path
