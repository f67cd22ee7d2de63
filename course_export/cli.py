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


def parser(only=None):
    """The whole command line, or with ``only`` just that command's part: a run imports only the
    command it runs (``build`` pays neither for the preview server nor for the Studio client)."""
    top = argparse.ArgumentParser(
        prog="kkn-course",
        description=_("Build, check, preview and import a course written as YAML and Markdown files."))
    subparsers = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        _command_module(name).register(subparsers)
    return top


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    # A known command first: its parser alone decides (and its --help is the same). Anything else
    # (no command, --help, a typo) gets the whole parser, which lists every command.
    options = parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    try:
        return options.func(options)
    except KeyboardInterrupt:
        sys.stderr.write(_("Interrupted.") + "\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
