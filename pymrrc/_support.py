"""Python-side helpers the native extension calls on rare paths: building
pymarc's exception objects, logging pymarc's decoder messages and issuing its
warnings where pymarc's code would, and the few serialisation steps whose
exact result is easiest to get from Python."""

import logging
import os
import sys
import typing
import warnings

from pymrrc import exceptions

logger = logging.getLogger("pymarc")

# Where pymarc's decoder messages come from: ``Record.decode_marc`` in
# ``record.py`` (this package's, as pymarc's come from pymarc's).
_RECORD_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "record.py")
_decode_line: int | None = None

_PYMARC_CLASSES: dict[str, type[Exception]] = {
    name: getattr(exceptions, name)
    for name in (
        "RecordLengthInvalid",
        "TruncatedRecord",
        "EndOfRecordNotFound",
        "RecordLeaderInvalid",
        "BaseAddressNotFound",
        "BaseAddressInvalid",
        "RecordDirectoryInvalid",
        "NoFieldsFound",
    )
}


def make_exception(kind: str, chunk: bytes, start: int, end: int) -> Exception:
    """The exception pymarc raises for ``kind`` on ``chunk[start:end]``.

    Built-in errors are produced by repeating the operation pymarc performs
    on the same bytes, so their messages are Python's own.
    """
    cls = _PYMARC_CLASSES.get(kind)
    if cls is not None:
        return cls()
    span = chunk[start:end]
    try:
        if kind == "int_from_bytes":
            int(span)
        elif kind == "int_from_text":
            int(span.decode("ascii"))
        elif kind == "not_ascii":
            span.decode("ascii")
        elif kind == "not_utf8":
            span.decode("utf-8")
    except Exception as error:  # noqa: BLE001 - the error is the result
        return error
    return RuntimeError(f"pymrrc: no exception for {kind!r} on {span!r}")


_INDICATOR_MESSAGES = {
    "missing": "missing indicators: %s",
    "one": "only 1 indicator found: %s",
    "extra": "more than 2 indicators found: %s",
}


def log_indicators(what: str, chunk: bytes, start: int, end: int) -> None:
    """Log pymarc's message about a data field without two indicators."""
    log_decoder_warning(sys.modules["pymrrc.record"].logger, _INDICATOR_MESSAGES[what], chunk[start:end])


def log_decoder_warning(log: typing.Any, message: str, arg: object) -> None:
    """``log.warning(message, arg)``, attributed as pymarc's own call is:
    to ``decode_marc`` in ``record.py``, so that ``%(module)s``,
    ``%(filename)s`` and ``%(funcName)s`` in a format read as they do with
    pymarc (the log record's path and line are this package's). A logger
    that is not exactly ``logging.Logger`` is simply called."""
    if type(log) is not logging.Logger:
        log.warning(message, arg)
        return
    if not log.isEnabledFor(logging.WARNING):
        return
    global _decode_line
    if _decode_line is None:
        from pymrrc.record import Record

        _decode_line = int(Record.__dict__["decode_marc"].__code__.co_firstlineno)
    entry = log.makeRecord(
        log.name, logging.WARNING, _RECORD_FILE, _decode_line, message, (arg,), None, "decode_marc"
    )
    log.handle(entry)


def warn_as_pymarc(message: Warning, stacklevel: int) -> None:
    """``warnings.warn(message, stacklevel=stacklevel)`` (counted from the
    caller), reported under the module name pymarc's code would have there:
    a frame of this package's module ``pymrrc.X`` stands for pymarc's
    ``pymarc.X``, so filters such as ``filterwarnings("ignore",
    module="pymarc")`` in programs that moved from pymarc keep working.
    The file name and line number stay the real ones."""
    globals_: dict[str, typing.Any]
    try:
        frame = sys._getframe(stacklevel)
    except ValueError:
        globals_, filename, lineno = sys.__dict__, "sys", 1
    else:
        globals_, filename, lineno = frame.f_globals, frame.f_code.co_filename, frame.f_lineno
    module = globals_.get("__name__", "<string>")
    if module == "pymrrc" or module.startswith("pymrrc."):
        module = "pymarc" + module[len("pymrrc") :]
    registry = globals_.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, type(message), filename, lineno, module, registry, globals_)


def directory_tag(tag: str, encoding: str) -> bytes:
    """A directory entry's tag bytes for an unusual tag, as pymarc writes it."""
    text = f"{int(tag):03d}" if tag.isdigit() else f"{tag:>03}"
    return text.encode(encoding)


def encode_text(text: object, encoding: str) -> bytes:
    """``f"{text}".encode(encoding)``."""
    return f"{text}".encode(encoding)


def leader_with_utf8_flag(leader: typing.Any) -> typing.Any:
    """A leader that is not a ``Leader`` object, with position 9 set to 'a'."""
    return leader[0:9] + "a" + leader[10:]
