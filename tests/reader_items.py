"""What one ``next()`` of a MARCReader gives, in comparable form: the one
description every test that compares a reader's items with pymarc's uses
(test_adversarial*, test_backends*)."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings


@contextlib.contextmanager
def quiet():
    """Silences both libraries' MARC-8 and indicator messages and warnings."""
    logger = logging.getLogger("pymarc")
    old = logger.disabled
    logger.disabled = True
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.disabled = old


def attempt(fn):
    """('ok', fn()) or ('raised', class name, str(exception))."""
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the failure is the observation
        return ("raised", type(exc).__name__, str(exc))


def exception(exc):
    return None if exc is None else (type(exc).__name__, str(exc))


def chunk(reader):
    data = reader.current_chunk
    return None if data is None else bytes(data)


def describe(reader, record):
    """``("None", exception, chunk)``, or ``("Record", as_marc(), str(),
    chunk, exception)`` (index 2 and 3 are the chunks)."""
    if record is None:
        return ("None", exception(reader.current_exception), chunk(reader))
    return (
        "Record",
        attempt(record.as_marc),
        attempt(lambda: str(record)),
        chunk(reader),
        exception(reader.current_exception),
    )
