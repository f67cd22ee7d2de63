"""``kkn-course``: the command line over course_export's Python API.

Each command lives in its own module with a ``register(subparsers)`` that adds its parser and sets
``func`` to a ``run(options) -> exit code``; this module only assembles them.
"""
import argparse
import importlib
import sys

from .i18n import _

COMMANDS = ("new", "build", "validate", "preview", "push", "docs")


def _command_module(name):
    # new/build/validate/preview/docs live in course_export.commands; push is a module of its own.
    if name == "push":
        return importlib.import_module("course_export.push")
    return importlib.import_module(f"course_export.commands.{name}")


def parser():
    top = argparse.ArgumentParser(
        prog="kkn-course",
        description=_("Build, check, preview and import a course written as YAML and Markdown files."))
    subparsers = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        _command_module(name).register(subparsers)
    return top


def main(argv=None):
    options = parser().parse_args(argv)
    try:
        return options.func(options)
    except KeyboardInterrupt:
        sys.stderr.write(_("Interrupted.") + "\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
