"""What the command-line tests share: running the installed ``pymrrc``
script as a subprocess, and what pymarc 5.4.0 (the reference) writes for
the same job."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import pymarc

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples" / "data" / "sample.mrc"
#: The console script pip installed next to this interpreter.
SCRIPT = Path(sys.executable).parent / "pymrrc"
TIMEOUT = 120


def run(*args: object, input: bytes | None = None, cwd: Path | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Runs ``pymrrc ARGS`` and returns the finished process."""
    proc = subprocess.run([str(SCRIPT), *map(str, args)], input=input, capture_output=True,
                          cwd=cwd, timeout=TIMEOUT, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"pymrrc {args} exited {proc.returncode}: {proc.stderr.decode()}")
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def pymarc_records(data: bytes, **options: object) -> list[pymarc.Record]:
    """The records pymarc's reader yields (``None`` left out)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [r for r in pymarc.MARCReader(data, **options) if r is not None]  # type: ignore[arg-type]


def pymarc_rejected(data: bytes) -> list[tuple[int, str, str, bytes, int]]:
    """(number, class, message, chunk, offset) for each record pymarc's
    reader yields ``None`` for."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = pymarc.MARCReader(data)
        for number, record in enumerate(reader, 1):
            if record is None:
                exc = reader.current_exception
                chunk = reader.current_chunk
                offset = reader.file_handle.tell() - len(chunk)
                out.append((number, type(exc).__name__, str(exc), chunk, offset))
    return out


def pymarc_output(records: list[pymarc.Record], fmt: str) -> bytes:
    """What pymarc's writer (or ``str``/``as_json``) gives for ``fmt``."""
    if fmt == "jsonl":
        return b"".join(r.as_json().encode("ascii") + b"\n" for r in records)
    writer_class, binary = {
        "marc": (pymarc.MARCWriter, True),
        "xml": (pymarc.XMLWriter, True),
        "json": (pymarc.JSONWriter, False),
        "text": (pymarc.TextWriter, False),
        "mrk": (pymarc.TextWriter, False),
    }[fmt]
    out: io.BytesIO | io.StringIO = io.BytesIO() if binary else io.StringIO()
    writer = writer_class(out)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    value = out.getvalue()
    if isinstance(value, bytes):
        return value
    if fmt == "mrk":
        value = value.replace("\n", "\r\n")
    return value.encode("utf-8")
