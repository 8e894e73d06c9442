"""The ``pymrrc`` command: whole-file jobs (count, convert, split, slice,
grep, validate, stats, dump) over MARC files. See docs/cli.md."""

from pymrrc.cli.main import main

__all__ = ["main"]
