"""course_export: a course written as plain files -> typed spec -> OLX -> .tar.gz -> Studio.

The Python API (the ``kkn-course`` CLI is a thin layer over it) is documented in
``docs/course-source.md``.
"""
