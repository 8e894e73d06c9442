"""Reading a large MARCXML file streams: memory does not grow with it.

A MARCXML document of about 120 MB is made on the fly and read by
``map_xml`` in a child process, which reports its peak RSS (VmHWM) before
and after; the records it hands out must be read natively (they are lazy)
and all be there.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NS = "http://www.loc.gov/MARC21/slim"
TARGET_BYTES = 120 * 2**20
#: Peak RSS growth allowed while streaming (about 10 MB is usual).
RSS_GROWTH_KIB = 64 * 1024

RECORD = (
    "<record><leader>01142cam  2200301 a 4500</leader>"
    '<controlfield tag="001">   92005291 </controlfield>'
    '<controlfield tag="008">920219s1993    caua   j      000 0 eng  </controlfield>'
    '<datafield tag="020" ind1=" " ind2=" "><subfield code="a">0152038655 :</subfield>'
    '<subfield code="c">$15.95</subfield></datafield>'
    '<datafield tag="100" ind1="1" ind2=" "><subfield code="a">Sandburg, Carl,</subfield>'
    '<subfield code="d">1878-1967.</subfield></datafield>'
    '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Arithmetic /</subfield>'
    '<subfield code="c">Carl Sandburg ; illustrated as an anamorphic adventure by Ted Rand'
    ".</subfield></datafield>"
    '<datafield tag="520" ind1=" " ind2=" "><subfield code="a">A poem about numbers and '
    "their characteristics. Features anamorphic, or distorted, drawings which can be "
    "restored to normal by viewing from a particular angle or by viewing the image's "
    "reflection in the provided Mylar cone &amp; caf\u00e9.</subfield></datafield>"
    '<datafield tag="650" ind1=" " ind2="1"><subfield code="a">Arithmetic</subfield>'
    '<subfield code="x">Juvenile poetry.</subfield></datafield>'
    "</record>\n"
)

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    import pymrrc

    def peak_kib():
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    seen = {"count": 0, "lazy": 0, "last": None}

    def count(record):
        seen["count"] += 1
        seen["lazy"] += bool(record._is_lazy)
        seen["last"] = record["245"]["a"]

    baseline = peak_kib()
    pymrrc.map_xml(count, sys.argv[1])
    print(json.dumps({**seen, "baseline_kib": baseline, "peak_kib": peak_kib()}))
    """
)


@pytest.fixture(scope="module")
def big_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("xml") / "big.xml"
    block = (RECORD * 200).encode("utf-8")
    repeats = TARGET_BYTES // len(block) + 1
    with open(path, "wb") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{NS}">\n'.encode())
        for _ in range(repeats):
            out.write(block)
        out.write(b"</collection>\n")
    return path, repeats * 200


def test_map_xml_streams_a_large_file(big_document):
    path, records = big_document
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=str(REPO),
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    size_kib = path.stat().st_size // 1024
    assert got["count"] == records
    assert got["lazy"] == records, "records should come from the native reader"
    assert got["last"] == "Arithmetic /"
    grown = got["peak_kib"] - got["baseline_kib"]
    assert grown < RSS_GROWTH_KIB, (
        f"peak RSS grew by {grown} KiB streaming a {size_kib} KiB MARCXML file"
    )
