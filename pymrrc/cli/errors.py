"""How the ``pymrrc`` command fails: the exceptions its subcommands raise
and the exit status each one gives."""

from __future__ import annotations

#: Everything went as asked (``validate``: no record was rejected).
EXIT_OK = 0
#: Records were rejected (``validate``), or a job stopped at a record or an
#: input it could not read.
EXIT_REJECTED = 1
#: The command line or a path was wrong; nothing was done.
EXIT_USAGE = 2
#: Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
#: The reader of standard output went away (128 + SIGPIPE, as for a C
#: program the signal ends, e.g. ``cat big.mrc | head``).
EXIT_BROKEN_PIPE = 141


class CliError(Exception):
    """An error reported as one line on standard error; ``status`` is the
    exit status."""

    status = EXIT_REJECTED


class UsageError(CliError):
    """A wrong argument, option or path."""

    status = EXIT_USAGE


class DataError(CliError):
    """An input the job cannot go on with: a rejected record (without
    ``--permissive``), or bytes that are not what they claim to be."""

    status = EXIT_REJECTED


def describe(exc: BaseException) -> str:
    """``Class: message`` for a record's exception, as a report shows it."""
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
