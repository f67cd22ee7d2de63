"""A small OLX course archive with its build manifest, written the way the design's OLX rules say.

For push tests that need an archive with a particular flaw (another course key, a changed file, a
missing manifest) without going through the whole builder.
"""
import gzip
import hashlib
import io
import json
import tarfile
from collections import Counter

from lxml import etree

TOP = "course"


def _xml(element):
    return etree.tostring(element, xml_declaration=False, encoding="utf-8")


def sample_files(org="KKN", number="NOV101", run="2026", components=None):
    """``{path: bytes}`` of a course with one chapter, two subsections (one graded), three units."""
    components = components or {"u1": ["html", "kkn_module"], "u2": ["kkn_checkin"], "u3": ["kkn_exam"]}
    files = {}
    files["course.xml"] = _xml(etree.Element("course", url_name=run, org=org, course=number))
    course = etree.Element("course", display_name="Näringslivsutveckling")
    etree.SubElement(course, "chapter", url_name="ch1")
    files[f"course/{run}.xml"] = _xml(course)
    chapter = etree.Element("chapter", display_name="Modul 1")
    etree.SubElement(chapter, "sequential", url_name="s1")
    etree.SubElement(chapter, "sequential", url_name="s2")
    files["chapter/ch1.xml"] = _xml(chapter)
    units = {"s1": ["u1", "u2"], "s2": ["u3"]}
    for seq, seq_units in units.items():
        attrs = {"display_name": f"Avsnitt {seq}"}
        if seq == "s2":
            attrs.update(graded="true", format="Slutprov")
        sequential = etree.Element("sequential", **attrs)
        for unit in seq_units:
            etree.SubElement(sequential, "vertical", url_name=unit)
        files[f"sequential/{seq}.xml"] = _xml(sequential)
    for unit, kinds in components.items():
        vertical = etree.Element("vertical", display_name=f"Enhet {unit}")
        for index, kind in enumerate(kinds):
            name = f"{unit}_{kind}_{index}"
            if kind == "html":
                etree.SubElement(vertical, "html", url_name=name)
                files[f"html/{name}.xml"] = _xml(etree.Element("html", filename=name, display_name="Text"))
                files[f"html/{name}.html"] = "<p>Hej på dig</p>".encode("utf-8")
            else:
                etree.SubElement(vertical, kind, url_name=name, display_name=kind)
        files[f"vertical/{unit}.xml"] = _xml(vertical)
    policy = {f"course/{run}": {"display_name": "Näringslivsutveckling", "start": "2026-01-12T08:00:00Z",
                                "end": "2026-12-18T16:00:00Z",
                                "advanced_modules": ["kkn_module", "kkn_checkin", "kkn_exam"],
                                "course_image": "kursbild.png"}}
    files[f"policies/{run}/policy.json"] = json.dumps(policy, ensure_ascii=False, sort_keys=True).encode("utf-8")
    files["static/kursbild.png"] = b"\x89PNG\r\n\x1a\n"  # olxcleaner checks that the course image exists
    grading = {"GRADER": [{"type": "Slutprov", "short_label": "Prov", "min_count": 1, "drop_count": 0, "weight": 1.0}],
               "GRADE_CUTOFFS": {"Pass": 0.7}}
    files[f"policies/{run}/grading_policy.json"] = json.dumps(grading, sort_keys=True).encode("utf-8")
    counts = Counter({"chapter": 1, "sequential": 2, "vertical": len(components)})
    for kinds in components.values():
        counts.update(kinds)
    graded = [{"url_name": "s2", "format": "Slutprov"}]
    return files, dict(counts), graded


def write_archive(directory, files, name="kurs"):
    """A deterministic .tar.gz of ``files`` under one top folder; returns its path."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folders = sorted({"/".join(path.split("/")[:i]) for path in files for i in range(1, path.count("/") + 1)})
        for folder in [""] + folders:
            info = tarfile.TarInfo(f"{TOP}/{folder}".rstrip("/"))
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        for path in sorted(files):
            info = tarfile.TarInfo(f"{TOP}/{path}")
            info.size, info.mode, info.mtime = len(files[path]), 0o644, 0
            tar.addfile(info, io.BytesIO(files[path]))
    archive = directory / f"{name}.tar.gz"
    with open(archive, "wb") as handle:
        with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, filename="", compresslevel=1) as gz:
            gz.write(raw.getvalue())
    return archive


def write_manifest(archive, course_id, counts, graded):
    data = archive.read_bytes()
    manifest = {"course_id": course_id, "archive": archive.name, "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data), "counts": counts, "graded_subsections": graded}
    path = archive.with_name(archive.name[: -len(".tar.gz")] + ".manifest.json")
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def sample_archive(directory, course_id="course-v1:KKN+NOV101+2026", name="kurs", extra_files=None, **kwargs):
    """Write the sample archive and its manifest into ``directory``; returns the archive path.

    ``extra_files`` (``{path: bytes}``) are added as they are, e.g. a large ``static/`` file.
    """
    org, number, run = course_id.split(":", 1)[1].split("+")
    files, counts, graded = sample_files(org, number, run, **kwargs)
    files.update(extra_files or {})
    archive = write_archive(directory, files, name)
    write_manifest(archive, course_id, counts, graded)
    return archive
