"""``pymrrc``: the command line. One subcommand per module of this
package; this module builds the parser and turns failures into one line on
standard error and an exit status (see :mod:`pymrrc.cli.errors`)."""

from __future__ import annotations

import argparse
import os
import sys
import typing
import warnings

from pymrrc.cli import convert, count, dump, grep, slice_, split, stats, validate
from pymrrc.cli.errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_REJECTED, EXIT_USAGE, CliError, describe
from pymrrc.cli.outputs import discard_all

COMMANDS = (count, convert, split, slice_, grep, validate, stats, dump)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line and exit status 2."""

    def error(self, message: str) -> typing.NoReturn:
        name = self.prog
        print(f"{name}: error: {message} (see {name} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from pymrrc import __version__

    parser = _Parser(
        prog="pymrrc",
        description="Whole-file jobs on MARC 21 records (ISO 2709, MARCXML, MARC-in-JSON), "
        "with pymarc's rules and a Rust core.",
    )
    parser.add_argument("--version", action="version", version=f"pymrrc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: typing.Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``); returns
    the exit status."""
    parser = build_parser()
    # pymarc's decoder diagnostics are silenced where records are first
    # read in Python (engine.python_reading), not here: that keeps the
    # logging module out of the command's start-up.
    warnings.simplefilter("ignore")
    try:
        args = parser.parse_args(argv)
        return int(args.run(args))
    except CliError as exc:
        print(f"pymrrc: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("pymrrc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of standard output went away (`| head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - one line, as for every failure
        if os.environ.get("PYMRRC_TRACEBACK"):
            raise
        print(f"pymrrc: error: {describe(exc)} (PYMRRC_TRACEBACK=1 shows where)", file=sys.stderr)
        return EXIT_REJECTED
    finally:
        # Whatever stopped the command (Ctrl-C between two steps included),
        # no temporary output stays behind.
        discard_all()
