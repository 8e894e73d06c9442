"""Where a ``pymrrc`` command writes: standard output (``-``), or a file
that appears whole or not at all. A file is written under a temporary name
in the same folder and renamed at the end; on an error or Ctrl-C the
temporary file is removed, so no half-written output is ever left. An
existing path that is not a regular file (``/dev/null``, a FIFO) is written
in place."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import typing

from pymrrc.cli.errors import UsageError

_BUFFER = 1 << 20
#: Temporary files made and neither renamed nor removed yet: what
#: :func:`discard_all` removes when a command ends in an error or Ctrl-C.
_LIVE: set[str] = set()


@contextlib.contextmanager
def _interrupt_after() -> typing.Iterator[None]:
    """Holds back Ctrl-C (in the main thread) until the block is done, so
    that a temporary file is never made without being recorded."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def discard_all() -> None:
    """Removes every temporary file not yet renamed (a command's last act
    after an error or Ctrl-C, wherever that came)."""
    for temp in list(_LIVE):
        with contextlib.suppress(OSError):
            os.unlink(temp)
        _LIVE.discard(temp)


class Output:
    """A binary destination; use as a context manager."""

    def __init__(self, name: str, inputs: typing.Sequence[str] = ()) -> None:
        self.name: str = name
        self._temp: str | None = None
        self._in_place = False
        if name == "-":
            self._handle: typing.BinaryIO = sys.stdout.buffer
            return
        # The file a symbolic link names is the one replaced.
        target = os.path.realpath(name)
        if os.path.exists(target):
            for source in inputs:
                if source != "-" and os.path.exists(source) and os.path.samefile(source, target):
                    raise UsageError(f"output {name} is also an input")
            if os.path.isdir(target):
                raise UsageError(f"cannot write {name}: Is a directory")
            if not os.path.isfile(target):
                # A device or a pipe (/dev/null, a FIFO): written in place,
                # never replaced by a file.
                try:
                    self._handle = open(target, "wb", buffering=_BUFFER)  # noqa: SIM115
                except OSError as exc:
                    raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from exc
                self._in_place = True
                return
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            raise UsageError(f"cannot write {name}: no folder {folder}")
        import tempfile

        with _interrupt_after():
            try:
                fd, self._temp = tempfile.mkstemp(
                    prefix=f".{os.path.basename(target)}.", suffix=".pymrrc-tmp", dir=folder
                )
            except OSError as exc:
                raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from exc
            _LIVE.add(self._temp)
        self._handle = os.fdopen(fd, "wb", buffering=_BUFFER)
        self._target = target

    def temporary_path(self) -> str:
        """The temporary file's name, for a writer that opens the file
        itself (its handle here is closed)."""
        if self._temp is None:
            raise ValueError("standard output has no file name")
        self._handle.close()
        return self._temp

    def write(self, data: bytes | memoryview) -> None:
        self._handle.write(data)

    def close(self) -> None:
        """Finishes writing; the file keeps its temporary name until
        :meth:`commit` (``split`` names all its parts at the end)."""
        if self._temp is None and not self._in_place:
            self._handle.flush()
        elif not self._handle.closed:
            self._handle.close()

    def commit(self) -> None:
        """Finishes: the file takes its name (standard output is flushed)."""
        self.close()
        if self._temp is None:
            return
        # Temporary files are created 0600; give the file the mode a new
        # file would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._temp, 0o666 & ~umask)
        os.replace(self._temp, self._target)
        _LIVE.discard(self._temp)
        self._temp = None

    def discard(self) -> None:
        """Gives up: the temporary file is removed."""
        if self._in_place and not self._handle.closed:
            self._handle.close()
        if self._temp is None:
            return
        try:
            self._handle.close()
        finally:
            try:
                os.unlink(self._temp)
            except FileNotFoundError:
                pass
            _LIVE.discard(self._temp)
            self._temp = None

    def __enter__(self) -> "Output":
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
