"""Ctrl-C while MARCXML is read: ``parse_xml_to_array`` and ``map_xml``
raise ``KeyboardInterrupt`` within 100 ms of SIGINT, as pymarc's (expat
calling Python handlers) does, whether the stream hands over 64 KiB at a
time or one huge piece.

Each case runs in a subprocess: a thread sends SIGINT to the main thread
while it reads an endless document, and the script reports how long after
the signal the exception arrived.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import io, signal, sys, threading, time
    lib = __import__(sys.argv[1])
    entry, first = sys.argv[2], int(sys.argv[3])
    record = lib.Record(leader="00000nam a2200000   4500", fields=[
        lib.Field("001", data="interrupt"),
        lib.Field("245", lib.Indicators("1", "0"), [lib.Subfield("a", "Title " * 40)]),
        lib.Field("650", lib.Indicators(" ", "0"), [lib.Subfield("a", "Topic"), lib.Subfield("x", "Sub")]),
    ])
    blob = lib.record_to_xml(record)

    class Endless(io.RawIOBase):
        # A document that never ends: its first read returns about `first`
        # bytes (whatever size was asked for), later reads what was asked.
        def __init__(self):
            self.started = False
        def readable(self):
            return True
        def read(self, size=-1):
            if size == 0:
                return b""
            if not self.started:
                self.started = True
                head = b'<?xml version="1.0" encoding="UTF-8"?><collection>'
                return head + blob * max(1, first // len(blob))
            return blob * max(1, size // len(blob))

    main = threading.get_ident()
    sent = []

    def interrupt():
        time.sleep(0.3)
        sent.append(time.monotonic())
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    count = [0]
    try:
        if entry == "parse_xml_to_array":
            lib.parse_xml_to_array(Endless())
        else:
            lib.map_xml(lambda r: count.__setitem__(0, count[0] + 1), Endless())
    except KeyboardInterrupt:
        print("interrupted after %.3f s" % (time.monotonic() - sent[0]))
    """
)


@pytest.mark.parametrize("lib", ["pymarc", "pymrrc"])
@pytest.mark.parametrize("entry", ["parse_xml_to_array", "map_xml"])
@pytest.mark.parametrize("first", [65536, 64 << 20], ids=["64KiB-reads", "one-64MiB-piece"])
def test_sigint_while_reading_marcxml(lib, entry, first):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, lib, entry, str(first)],
        capture_output=True, text=True, timeout=120, cwd=str(REPO), check=False,
    )
    match = re.match(r"interrupted after ([\d.]+) s\n$", proc.stdout)
    assert match, proc.stdout + proc.stderr
    assert float(match.group(1)) < 0.1, proc.stdout
