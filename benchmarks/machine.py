"""A description of the machine and software a benchmark run used."""

import hashlib
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib():
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _command_output(*argv):
    try:
        out = subprocess.run(argv, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        try:
            return __import__(distribution).__version__
        except (ImportError, AttributeError):
            return "not installed"


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(repo, corpus_path):
    """Everything a reader needs to judge or repeat the numbers."""
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "rustc": _command_output("rustc", "--version"),
        "pymarc": _version("pymarc"),
        "pymrrc": _version("pymrrc"),
        # PYMRRC_COMMIT names the commit of a copied tree that has no (or a
        # stale) .git, such as the one sent to a lent machine.
        "pymrrc_commit": os.environ.get("PYMRRC_COMMIT")
        or _command_output("git", "-C", repo, "rev-parse", "--short", "HEAD"),
        "corpus": os.path.basename(corpus_path),
        "corpus_sha256": sha256_of(corpus_path),
    }
