"""``kkn-course``: the command line over course_export's Python API.

Each command lives in its own module with a ``register(subparsers)`` that adds its parser and sets
``func`` to a ``run(options) -> exit code``; this module only assembles them.
"""
import argparse
import gc
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


# Commands whose process is done when ``main`` returns: run as a one-shot program (see ``console``).
ONE_SHOT = ("build",)


def console():
    """The ``kkn-course`` program. A build runs as a one-shot process, which saves it a fifth of its
    CPU time on a large course:

    - without the cycle collector: a build makes hundreds of thousands of objects that live until it
      ends (the YAML read, the spec, the OLX) and almost no reference cycles, so the collector only
      re-scanned them again and again; reference counting still frees whatever is let go;
    - ending as soon as its output is flushed, without tearing the interpreter down (every module and
      object freed one by one): nothing is left to do that needs it, the build has closed its files
      and starts no threads.

    Other commands (the preview server above all) run and end the usual way."""
    one_shot = sys.argv[1:2] and sys.argv[1] in ONE_SHOT
    if one_shot:
        gc.disable()
    code = main()
    if one_shot:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: Python's own exit reports it
            return code
        os._exit(code)  # pylint: disable=protected-access
    return code


if __name__ == "__main__":
    sys.exit(console())
