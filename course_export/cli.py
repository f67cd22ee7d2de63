"""``kkn-course``: the command line over course_export's Python API.

Each command lives in its own module with a ``register(subparsers)`` that adds its parser and sets
``func`` to a ``run(options) -> exit code``; this module only assembles them.
"""
import argparse
import importlib
import os
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


# Commands that are done when ``main`` returns: their process may end at once.
ENDS_AT_ONCE = ("build",)


def console():
    """The ``kkn-course`` program. After a build, the process ends as soon as its output is out:
    tearing the interpreter down (every module and object freed one by one, a last collection)
    cost a large build a tenth of a second, with nothing left to do that needs it (the build has
    closed its files; it starts no threads). Other commands end the usual way."""
    code = main()
    if sys.argv[1:2] and sys.argv[1] in ENDS_AT_ONCE:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: Python's own exit reports it
            return code
        os._exit(code)  # pylint: disable=protected-access
    return code


if __name__ == "__main__":
    sys.exit(console())
