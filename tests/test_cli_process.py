"""The ``pymrrc`` command as a process: standard input and output, gzip,
``python -m pymrrc``, usage errors (one line, exit status 2, never a
traceback), failures that leave no output behind, progress, and Ctrl-C
(SIGINT to the running command: it stops within a second and leaves no
half-written file)."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cli_support as cli
import pytest


def test_stdin_stdout_and_gzip(tmp_path):
    data = cli.SAMPLE.read_bytes()
    expected = cli.pymarc_output(cli.pymarc_records(data), "xml")
    assert cli.run("convert", "-", "-", "--to", "xml", input=data).stdout == expected
    gz = tmp_path / "sample.mrc.gz"
    gz.write_bytes(gzip.compress(data))
    assert cli.run("convert", gz, "-", "--to", "xml").stdout == expected
    # gzip on standard input, detected by its magic bytes; several inputs.
    out = cli.run("convert", "-", cli.SAMPLE, "-", "--to", "xml", input=gzip.compress(data)).stdout
    assert out == cli.pymarc_output(cli.pymarc_records(data + data), "xml")
    counted = cli.run("count", "-", gz, input=data).stdout.decode()
    assert "250" in counted.splitlines()[1] and "500" in counted.splitlines()[-1]
    # Every subcommand reads standard input.
    for args in (["validate", "-"], ["stats", "-"], ["dump", "-"], ["slice", "-", "--limit", 3],
                 ["grep", "-", "--field", "245", "--regex", "."]):
        assert cli.run(*args, input=data).stdout


def test_python_dash_m():
    proc = subprocess.run([sys.executable, "-m", "pymrrc", "count", str(cli.SAMPLE), "--json"],
                          capture_output=True, timeout=cli.TIMEOUT, check=True)
    assert b'"records": 250' in proc.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["convert", "nonexistent.mrc", "out.xml"], "cannot open nonexistent.mrc"),
        (["convert", "{sample}", "out.xml", "--to", "pdf"], "invalid choice: 'pdf'"),
        (["convert", "{sample}", "out.xml", "--to", "xml", "--charset", "marc8"], "--charset marc8"),
        (["convert", "{sample}", "no/such/folder/out.xml"], "no folder"),
        (["convert", "{sample}", "{sample}"], "is also an input"),
        (["grep", "{sample}", "--field", "245", "--regex", "("], "--regex"),
        (["split", "{sample}"], "one of the arguments --records --bytes is required"),
        (["split", "{sample}", "--bytes", "lots"], "not a size"),
        (["count", "-", "-"], "standard input"),
        (["count", "{sample}", "--utf8-handling", "nonsense"], "nonsense"),
        (["count", "{tmp}"], "Is a directory"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    args = [a.format(sample=cli.SAMPLE, tmp=tmp_path) for a in args]
    proc = cli.run(*args, cwd=tmp_path, check=False)
    assert proc.returncode == 2, proc
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert not list(tmp_path.glob("*.xml"))


def test_a_rejected_record_stops_the_job_and_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.mrc"
    bad.write_bytes(cli.SAMPLE.read_bytes() + b"00026xxxxxxxxxxxxxxxxxxxx\x1d" + cli.SAMPLE.read_bytes())
    out = tmp_path / "out.xml"
    proc = cli.run("convert", bad, out, "--to", "xml", check=False)
    assert proc.returncode == 1
    assert b"record 251 at byte" in proc.stderr and b"--permissive" in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.xml*"))
    proc = cli.run("convert", bad, out, "--to", "xml", "--permissive")
    assert b"skipped 1 rejected record" in proc.stderr
    assert out.read_bytes() == cli.pymarc_output(cli.pymarc_records(bad.read_bytes()), "xml")


def test_progress_goes_to_stderr(tmp_path):
    pytest.importorskip("tqdm")
    out = tmp_path / "out.mrc"
    proc = cli.run("convert", cli.SAMPLE, out, "--progress")
    assert b"records" in proc.stderr
    assert out.read_bytes() == cli.SAMPLE.read_bytes()
    quiet = cli.run("convert", cli.SAMPLE, out, "--no-progress")
    assert quiet.stderr == b""


def test_progress_is_on_by_default_when_stderr_is_a_terminal(tmp_path):
    pytest.importorskip("tqdm")
    import fcntl
    import pty
    import struct
    import termios

    out = tmp_path / "out.xml"

    def stderr_on_a_terminal(*extra: str) -> bytes:
        controller, terminal = pty.openpty()
        # A wide terminal (a new one has no width, and no room for a bar).
        # The bar starts with the input's path, which is as long as the
        # checkout's: at 100 columns a clone in a deep folder cut the bar
        # before "records".
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 400, 0, 0))
        try:
            proc = subprocess.run([str(cli.SCRIPT), "convert", str(cli.SAMPLE), str(out), "--to", "xml", *extra],
                                  stdout=subprocess.DEVNULL, stderr=terminal, timeout=cli.TIMEOUT, check=True)
            assert proc.returncode == 0
            os.set_blocking(controller, False)
            seen = b""
            while True:
                try:
                    piece = os.read(controller, 65536)
                except (BlockingIOError, OSError):
                    break
                if not piece:
                    break
                seen += piece
            return seen
        finally:
            os.close(controller)
            os.close(terminal)

    assert b"records" in stderr_on_a_terminal()
    assert stderr_on_a_terminal("--no-progress") == b""
    assert out.read_bytes() == cli.pymarc_output(cli.pymarc_records(cli.SAMPLE.read_bytes()), "xml")


def test_a_closed_pipe_stops_quietly(tmp_path):
    big = tmp_path / "big.mrc"
    big.write_bytes(cli.SAMPLE.read_bytes() * 40)
    proc = subprocess.run(f"'{cli.SCRIPT}' dump '{big}' | head -c 100 > /dev/null", shell=True,
                          capture_output=True, timeout=cli.TIMEOUT)
    assert b"Traceback" not in proc.stderr and b"error" not in proc.stderr


@pytest.mark.parametrize("command", [["convert", "{big}", "{out}", "--to", "xml"],
                                     ["split", "{big}", "--records", "1000", "--prefix", "{out}-"],
                                     ["validate", "{big}", "--invalid-out", "{out}"],
                                     # The stream path: gzip, read in pieces.
                                     ["convert", "{big}.gz", "{out}", "--to", "json"]])
def test_ctrl_c_stops_at_once_and_leaves_no_output(tmp_path, command):
    big = tmp_path / "big.mrc"
    with open(big, "wb") as handle:
        for _ in range(400):
            handle.write(cli.SAMPLE.read_bytes())
    made = ["big.mrc"]
    if "{big}.gz" in command:
        with open(big, "rb") as plain, gzip.open(f"{big}.gz", "wb", compresslevel=1) as packed:
            packed.write(plain.read())
        made.append("big.mrc.gz")
    out = tmp_path / "out"
    args = [a.format(big=big, out=out) for a in command]
    # Stopping takes a few milliseconds; a busy machine (tests run in
    # parallel with other work) may delay any process by more than the
    # second allowed, so the bound must hold in one of three tries.
    delays = []
    for _ in range(3):
        # SIGINT as a terminal gives it: a test runner started in the
        # background (`cmd &`) passes SIGINT on ignored, and is not Ctrl-C.
        proc = subprocess.Popen([str(cli.SCRIPT), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        # Wait until it is writing (a temporary file appears), then interrupt.
        deadline = time.monotonic() + 30
        while not [p for p in os.listdir(tmp_path) if p.startswith(".")]:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no temporary output appeared"
            time.sleep(0.005)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
        delays.append(time.monotonic() - sent)
        assert proc.returncode == 130, stderr
        assert stderr.decode().strip() == "pymrrc: interrupted"
        assert sorted(os.listdir(tmp_path)) == made
        if delays[-1] < 1.0:
            break
    assert min(delays) < 1.0, delays


def test_devices_pipes_and_links_are_written_not_replaced(tmp_path):
    """An existing output that is not a regular file (a FIFO here; /dev/null
    alike) is written in place; a symbolic link keeps pointing at the file
    it names, which gets the output."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = tmp_path / "received.mrc"
    with open(received, "wb") as sink:
        reader = subprocess.Popen(["cat", str(fifo)], stdout=sink)
        cli.run("convert", cli.SAMPLE, fifo, "--to", "marc")
        reader.wait(timeout=30)
    assert received.read_bytes() == cli.SAMPLE.read_bytes()
    assert fifo.is_fifo()
    real = tmp_path / "real.mrc"
    real.write_bytes(b"old")
    link = tmp_path / "link.mrc"
    link.symlink_to(real)
    cli.run("convert", cli.SAMPLE, link, "--to", "marc")
    assert link.is_symlink() and real.read_bytes() == cli.SAMPLE.read_bytes()


def test_no_input_no_output(tmp_path):
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    out = tmp_path / "out.xml"
    cli.run("convert", empty, out, "--to", "xml")
    assert out.read_bytes() == cli.pymarc_output([], "xml")
    assert cli.run("validate", empty).stdout.decode().strip() == "0 records read, 0 rejected"
    assert Path(out).exists()
