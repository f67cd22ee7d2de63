"""The ``kkn-course`` commands, one module each, registered by :mod:`course_export.cli`."""
