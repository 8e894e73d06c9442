"""Whole-file jobs: the ``pymrrc`` command against yaz-marcdump 5.34 and
against a pymarc script doing the same job, on the whole LoC corpus (and on
the MARC-8 file ``marc8_corpus.py`` makes from it), in the same run.

Used by ``suite.py`` (``--only cli`` runs just these). Each case is a
command timed from start to exit (Python's start-up included), its peak
memory as GNU time reports it (0 when there is no GNU time). yaz-marcdump is found on PATH, or
installed with ``apt-get install -y yaz`` when that is possible; otherwise
its cases are left out and the suite says so.

    python benchmarks/cli_jobs.py pymarc JOB IN OUT   # the pymarc scripts
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYMRRC = Path(sys.executable).parent / "pymrrc"
YAZ_VERSION = "5.34"
SPLIT_RECORDS = 10_000

#: job -> (input: "utf8" or "marc8", pymrrc args, yaz args or None, pymarc
#: script or None, the issue's targets: over yaz, over pymarc). ``{in}``
#: and ``{out}`` are filled in.
JOBS = {
    "validate": ("utf8", ["validate", "{in}"], ["-n", "{in}"], "validate", 2, 30),
    "convert --to xml": ("utf8", ["convert", "{in}", "{out}", "--to", "xml"],
                         ["-o", "marcxml", "{in}"], "xml", 3, 30),
    "convert --to json": ("utf8", ["convert", "{in}", "{out}", "--to", "json"],
                          ["-o", "json", "{in}"], "json", None, 30),
    "MARC-8 to UTF-8 (convert --to marc)": ("marc8", ["convert", "{in}", "{out}", "--to", "marc"],
                                            ["-f", "marc8", "-t", "utf8", "-o", "marc", "{in}"],
                                            "marc", 2, 30),
    "UTF-8 to MARC-8 (--charset marc8)": ("utf8", ["convert", "{in}", "{out}", "--to", "marc",
                                                   "--charset", "marc8"],
                                          ["-f", "utf8", "-t", "marc8", "-o", "marc", "{in}"],
                                          None, None, None),
    f"split --records {SPLIT_RECORDS:,}": ("utf8", ["split", "{in}", "--records", str(SPLIT_RECORDS),
                                                    "--prefix", "{out}-"],
                                           ["-s", "{out}-", "-C", str(SPLIT_RECORDS), "{in}"],
                                           "split", None, 30),
    "stats": ("utf8", ["stats", "{in}", "--json"], None, "stats", None, 30),
}


# -- yaz-marcdump -------------------------------------------------------------------
def find_yaz() -> tuple[str | None, str]:
    """yaz-marcdump's path (installing the Debian package if it can), and
    what happened."""
    found = shutil.which("yaz-marcdump")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        print("cli: yaz-marcdump not found; running apt-get install -y yaz", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "yaz"], capture_output=True, check=False)
        found = shutil.which("yaz-marcdump")
    if found is None:
        return None, "yaz-marcdump not found and could not be installed (apt-get install yaz): left out"
    version = subprocess.run([found, "-V"], capture_output=True, text=True, check=False).stdout
    version = version.split()[2] if version.startswith("YAZ version") else version.strip()
    note = f"yaz-marcdump {version} ({found})"
    if not version.startswith(YAZ_VERSION):
        note += f"; the targets name {YAZ_VERSION}"
    return found, note


# -- timing commands ------------------------------------------------------------------
def timed_command(argv: list[str], stdout_path: str | None) -> tuple[float, float | None]:
    """Runs ``argv`` (standard output to ``stdout_path`` or nowhere);
    returns (seconds, the command's peak RSS in MiB, if GNU time is there
    to tell: a child's ``ru_maxrss`` would include this process's size,
    which survives ``fork`` and ``exec``, and GNU time is small)."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    wrapped = [gnu_time, "-f", "pymrrc-peak-kib %M", *argv] if gnu_time else argv
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=out, stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - started
    finally:
        if stdout_path:
            out.close()  # type: ignore[union-attr]
    stderr = proc.stderr.decode(errors="replace")
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[:4]} failed ({proc.returncode}): {stderr[-2000:]}")
    peaks = [line.split()[1] for line in stderr.splitlines() if line.startswith("pymrrc-peak-kib ")]
    return seconds, (int(peaks[-1]) / 1024 if peaks else None)


def clean(out: str) -> None:
    """Removes what a previous repetition wrote (``out`` and split parts)."""
    folder, stem = os.path.split(out)
    for name in os.listdir(folder):
        if name == stem or name.startswith(stem + "-"):
            os.remove(os.path.join(folder, name))


def command_runner(case: dict) -> tuple[dict, float]:
    """A ``suite.Run.measure`` runner for a command case."""
    seconds, peak = [], 0.0
    for attempt in range(case["repeat"] + case["warm_up"]):
        clean(case["out"])
        took, rss = timed_command(case["argv"], case.get("stdout"))
        if attempt >= case["warm_up"]:
            seconds.append(took)
            peak = max(peak, rss or 0.0)
    clean(case["out"])
    return {"records": case["records"], "seconds": seconds}, peak


def cli_cases(run, utf8_path: str, scratch: str, repeat: int, pymarc_repeat: int = 1) -> None:
    """Every job for pymrrc, yaz-marcdump and pymarc; results in group "cli"."""
    import marc8_corpus

    compile_package()
    yaz, note = find_yaz()
    run.settings["yaz"] = note
    print(f"cli: {note}", file=sys.stderr)
    marc8_path = os.path.join(scratch, "corpus-marc8.mrc")
    written, _ = marc8_corpus.make_marc8_file(Path(utf8_path), Path(marc8_path))
    counts = {"utf8": count_records(utf8_path), "marc8": written}
    paths = {"utf8": utf8_path, "marc8": marc8_path}
    for job, (source, ours, yaz_args, script, _, _) in JOBS.items():
        fill = {"in": paths[source], "out": os.path.join(scratch, "out")}
        commands = [("pymrrc", [str(PYMRRC), *ours], None, repeat, 1)]
        if yaz and yaz_args:
            stdout = None if job == "validate" or job.startswith("split") else fill["out"]
            commands.append(("yaz-marcdump", [yaz, *yaz_args], stdout, repeat, 1))
        if script:
            pymarc_argv = [sys.executable, str(HERE / "cli_jobs.py"), "pymarc", script, "{in}", "{out}"]
            commands.append(("pymarc script", pymarc_argv, None, pymarc_repeat, 0))
        for tool, argv, stdout, times, warm_up in commands:
            case = {"argv": [a.format(**fill) for a in argv], "stdout": stdout, "out": fill["out"],
                    "records": counts[source], "repeat": times, "warm_up": warm_up}
            run.measure("cli", f"{job} / {tool}", case, runner=command_runner)


def compile_package() -> None:
    """Writes pymrrc's byte code, as installing a wheel does: an editable
    install under PYTHONDONTWRITEBYTECODE has none, and compiling the
    command's modules at each start would add about 25 ms to every run."""
    import compileall

    import pymrrc

    compileall.compile_dir(os.path.dirname(pymrrc.__file__), quiet=1)


def count_records(path: str) -> int:
    from pymrrc._core import FileJob

    return sum(batch.records + batch.rejected for batch in FileJob(path, format="none"))


# -- the table ---------------------------------------------------------------------
def cli_table(results: dict) -> str | None:
    rows = {row["label"]: row for row in results["cases"] if row["group"] == "cli"}
    if not rows:
        return None

    def rate(job: str, tool: str) -> float | None:
        row = rows.get(f"{job} / {tool}")
        return row["rate"] if row else None

    def secs(job: str, tool: str) -> str:
        row = rows.get(f"{job} / {tool}")
        return "–" if row is None else f"{row['median_s']:.2f} s"

    def ratio(a: float | None, b: float | None, target: float | None) -> str:
        if a is None or not b:
            return "–"
        text = f"{a / b:.1f}x"
        if target:
            text += " (≥ {}x {})".format(target, "met" if a / b >= target else "**not met**")
        return text

    lines = ["| job | pymrrc | yaz-marcdump | pymarc script | pymrrc / yaz | pymrrc / pymarc |",
             "|---|---:|---:|---:|---:|---:|"]
    for job, (_, _, _, _, yaz_target, pymarc_target) in JOBS.items():
        ours = rate(job, "pymrrc")
        lines.append(f"| {job} | {secs(job, 'pymrrc')} | {secs(job, 'yaz-marcdump')} | "
                     f"{secs(job, 'pymarc script')} | {ratio(ours, rate(job, 'yaz-marcdump'), yaz_target)} | "
                     f"{ratio(ours, rate(job, 'pymarc script'), pymarc_target)} |")
    note = results["settings"].get("yaz", "")
    return "\n".join(lines) + (f"\n\nSeconds per run (median), the whole command. {note}." if note else "")


# -- the pymarc scripts -------------------------------------------------------------
def pymarc_script(job: str, source: str, out: str) -> None:
    """One job done the way a pymarc user would script it."""
    import collections
    import warnings

    import pymarc

    warnings.simplefilter("ignore")
    with open(source, "rb") as handle:
        reader = pymarc.MARCReader(handle, hide_utf8_warnings=True)
        if job == "validate":
            bad = collections.Counter(type(reader.current_exception).__name__
                                      for record in reader if record is None)
            print(sum(bad.values()), dict(bad))
        elif job in ("xml", "json", "marc"):
            writer = {
                "xml": lambda: pymarc.XMLWriter(open(out, "wb")),  # noqa: SIM115
                "json": lambda: pymarc.JSONWriter(open(out, "w")),  # noqa: SIM115
                "marc": lambda: pymarc.MARCWriter(open(out, "wb")),  # noqa: SIM115
            }[job]()
            for record in reader:
                if record is not None:
                    writer.write(record)
            writer.close()
        elif job == "split":
            part = None
            for number, _ in enumerate(reader):
                if number % SPLIT_RECORDS == 0:
                    if part:
                        part.close()
                    part = open(f"{out}-{number // SPLIT_RECORDS + 1:04d}.mrc", "wb")  # noqa: SIM115
                part.write(reader.current_chunk)  # type: ignore[union-attr]
            if part:
                part.close()
        elif job == "stats":
            tags: collections.Counter[str] = collections.Counter()
            codes: collections.Counter[str] = collections.Counter()
            for record in reader:
                if record is None:
                    continue
                for field in record.fields:
                    tags[field.tag] += 1
                    if not field.control_field:
                        codes.update(f"{field.tag}${s.code}" for s in field.subfields)
            text = io.StringIO()
            print(len(tags), len(codes), file=text)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "pymarc":
        pymarc_script(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        raise SystemExit(__doc__)
