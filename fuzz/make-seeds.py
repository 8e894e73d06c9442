#!/usr/bin/env python3
"""Fill the fuzz targets' seed corpora (fuzz/corpus/<target>/, git-ignored).

Sources, each used when present (nothing is downloaded):

* fuzz/seeds/*: a few small hand-made inputs, committed;
* examples/data/sample.mrc;
* pymarc 5.4.0's test fixtures (*.dat, *.mrc) from the corpus cache that
  compat-tests fills: $PYMRRC_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/marc-corpus,
  folder pymarc-5.4.0-src/test;
* the first records of the Library of Congress slice loc-100.mrc in the
  same cache.

Whole files (cut to at most 64 KiB) go to the `framing` corpus, and
pymarc's MARCXML fixtures (*.xml) to the `marcxml` corpus only; single
records, split on their length prefix, go to every other target (for `encode`
they are just bytes for `arbitrary` to interpret). Targets are listed by
`cargo fuzz list` (or named on the command line), so a new target gets the
same seeds with no change here. File names are content hashes, so running
the script again adds nothing twice.

Usage: python3 fuzz/make-seeds.py [TARGET ...]
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
MAX_FILE = 64 * 1024
MAX_RECORDS_PER_FILE = 20
CORPUS_RECORDS = 50


def cache_dir() -> Path:
    env = os.environ.get("PYMRRC_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "marc-corpus"


def split_records(data: bytes, limit: int) -> list[bytes]:
    """Records framed by their 5-digit length prefix, stopping at the first
    one that does not frame (the rest of the file is then one more seed)."""
    out = []
    at = 0
    while at < len(data) and len(out) < limit:
        head = data[at : at + 5]
        if not head.isdigit() or int(head) < 5:
            out.append(data[at : at + MAX_FILE])
            break
        n = int(head)
        out.append(data[at : at + n])
        at += n
    return out


def targets() -> list[str]:
    if len(sys.argv) > 1:
        return sys.argv[1:]
    listed = subprocess.run(
        ["cargo", "fuzz", "list"], cwd=FUZZ, capture_output=True, text=True, check=True
    )
    return listed.stdout.split()


def main() -> int:
    whole: list[bytes] = []
    records: list[bytes] = []
    for seed in sorted((FUZZ / "seeds").glob("*")):
        whole.append(seed.read_bytes())
        records.append(seed.read_bytes())
    fixtures = [REPO / "examples" / "data" / "sample.mrc"]
    test_dir = cache_dir() / "pymarc-5.4.0-src" / "test"
    if test_dir.is_dir():
        fixtures += sorted(test_dir.glob("*.dat")) + sorted(test_dir.glob("*.mrc"))
    else:
        print(f"make-seeds: no pymarc fixtures at {test_dir} (run compat-tests once)")
    for path in fixtures:
        if path.is_file():
            data = path.read_bytes()
            whole.append(data[:MAX_FILE])
            records += split_records(data, MAX_RECORDS_PER_FILE)
    documents = []
    if test_dir.is_dir():
        documents = [path.read_bytes()[:MAX_FILE] for path in sorted(test_dir.glob("*.xml"))]
    loc = cache_dir() / "loc-100.mrc"
    if loc.is_file():
        records += split_records(loc.read_bytes(), CORPUS_RECORDS)
    else:
        print(f"make-seeds: no corpus slice at {loc}")

    for target in targets():
        folder = FUZZ / "corpus" / target
        folder.mkdir(parents=True, exist_ok=True)
        inputs = records + (whole if target in ("framing", "partition") else [])
        if target == "marcxml":
            inputs = documents
        for data in inputs:
            if target in ("framing", "marcxml", "marc8"):
                # These targets' first byte chooses sizes or start states;
                # the rest is the input.
                data = b"\x35" + data
            elif target == "partition":
                # The first two bytes are the target partition size.
                data = b"\x00\x02" + data
            name = hashlib.sha1(data).hexdigest()
            path = folder / name
            if not path.exists():
                path.write_bytes(data)
        print(f"make-seeds: {target}: {len(list(folder.iterdir()))} inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
