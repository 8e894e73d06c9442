"""The native MARCXML reading path, with pymarc's own path as its fallback.

The document is read in the same 64 KiB pieces that ``xml.sax``'s expat
reader asks for, and each piece is parsed natively
(``pymrrc._core.XmlParser``), so records reach the caller at the same points
as with pymarc, and memory does not grow with the document.

Whenever the native parser meets something it does not read exactly (an
encoding other than UTF-8, a DOCTYPE, a malformed document, an attribute
pymarc's handler would miss, ...), the document is read again from its
start by the expat path: the records already handed out are skipped, so
the caller sees every record once, and any exception is expat's or the
handler's own.
"""

import functools
import os
import typing
import unicodedata

from pymrrc._core import XmlParser

# What xml.sax.xmlreader.IncrementalParser reads at a time.
_BUFSIZE = 2**16
_FORMS = frozenset({"NFC", "NFD", "NFKC", "NFKD"})

#: ``run`` read the whole document natively.
DONE = "done"

#: How much of a stream that cannot seek back ``map_xml`` keeps for a
#: replay; past it, the rest of the stream goes to expat (see ``run``).
REPLAY_LIMIT = 32 * 2**20

#: What the last ``run`` did (for tests): ``DONE``, the native parser's
#: fallback reason, or ``None`` when it did not take the input.
last_outcome: str | None = None


def make_parser(strict: object, normalize_form: object) -> XmlParser | None:
    """A native parser for these handler options, or ``None`` when the
    options themselves need the Python path (an unknown normalisation form
    makes pymarc raise while parsing)."""
    normalize: typing.Any
    if normalize_form is None:
        normalize = None
    elif type(normalize_form) is str and normalize_form in _FORMS:
        normalize = functools.partial(unicodedata.normalize, normalize_form)  # type: ignore[arg-type]  # one of _FORMS
    else:
        return None
    try:
        strict = bool(strict)
    except Exception:
        return None
    return XmlParser(strict, normalize)


class _Replay:
    """A byte stream that gives back the pieces already read from ``file``
    and then reads on from it, for a stream that cannot seek back."""

    def __init__(self, pieces: list[bytes], file: typing.Any) -> None:
        self._pieces = pieces
        self._file = file
        name = getattr(file, "name", None)
        if isinstance(name, str):
            self.name = name

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        if self._pieces:
            return self._pieces.pop(0)
        data: bytes = self._file.read(size)
        return data

    def close(self) -> None:
        self._file.close()


class _Input:
    """One input document as the native path reads it."""

    def __init__(self, original: object, file: typing.Any, owned: bool, start: int | None) -> None:
        self.original = original
        self.file = file
        self.owned = owned  # opened here from a path
        self.start = start  # position to seek back to, or None
        self.pieces: list[bytes] | None = [] if (not owned and start is None) else None
        self.kept = 0

    def read(self) -> typing.Any:
        piece = self.file.read(_BUFSIZE)
        if self.pieces is not None and piece:
            self.pieces.append(piece)
            self.kept += len(piece)
        return piece

    def close(self) -> None:
        self.file.close()

    def for_expat(self) -> typing.Any:
        """The input to hand to the expat path so that it reads the whole
        document from its start."""
        if self.owned:
            self.file.close()
            return self.original
        if self.start is not None:
            self.file.seek(self.start)
            return self.file
        return _Replay(self.pieces, self.file)  # type: ignore[arg-type]  # kept when it cannot seek


def _open(xml_file: object) -> _Input | None:
    """An ``_Input`` for a path or a binary file object, or ``None`` for
    anything else (left to the Python path, which treats it as pymarc)."""
    source: typing.Any = xml_file
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if isinstance(source, str):
        if not os.path.isfile(source):
            return None
        try:
            file = open(source, "rb")
        except OSError:
            return None
        return _Input(xml_file, file, True, None)
    if not hasattr(source, "read"):
        return None
    try:
        if isinstance(source.read(0), str):
            return None
    except Exception:
        return None
    start = None
    try:
        if source.seekable():
            start = source.tell()
    except Exception:
        start = None
    return _Input(xml_file, source, False, start)


def run(
    xml_file: object,
    parser: XmlParser,
    deliver: typing.Callable[[typing.Any], object],
    replay_limit: int | None = None,
) -> typing.Any:
    """Read ``xml_file`` natively, calling ``deliver(record)`` for each
    record in order.

    A stream that cannot seek back is kept in memory as it is read, so that
    expat can read it again if need be; with ``replay_limit``, once more
    than that many bytes are kept, the rest of the document is left to
    expat (so memory stays bounded while streaming).

    Returns ``None`` when the input is not one the native path reads (then
    nothing was read from it), ``DONE`` when the whole document was read
    (and closed, as pymarc closes it), or ``(source, count)`` when the
    document must be read by the expat path: ``source`` reads it from its
    start, and ``count`` records were already delivered.
    """
    global last_outcome
    last_outcome = None
    inp = _open(xml_file)
    if inp is None:
        return None
    count = 0
    try:
        while parser.fallback is None:
            piece = inp.read()
            if not piece:
                records = parser.finish()
            elif type(piece) is bytes:
                records = parser.feed(piece)
                if replay_limit is not None and inp.kept > replay_limit:
                    for record in records:
                        deliver(record)
                        count += 1
                    last_outcome = "stream too long to keep for a replay"
                    return inp.for_expat(), count
            else:
                last_outcome = "non-bytes read"
                return inp.for_expat(), count
            for record in records:
                deliver(record)
                count += 1
            if not piece:
                break
        if parser.fallback is not None:
            last_outcome = parser.fallback[0]
            return inp.for_expat(), count
    except BaseException:
        inp.close()
        raise
    inp.close()
    last_outcome = DONE
    return DONE
