"""Python-side helpers the native extension calls on rare paths: building
pymarc's exception objects, logging pymarc's decoder messages, and the few
serialisation steps whose exact result is easiest to get from Python."""

import logging
import typing

from pymrrc import exceptions

logger = logging.getLogger("pymarc")

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
    logger.warning(_INDICATOR_MESSAGES[what], chunk[start:end])


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
