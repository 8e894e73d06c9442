"""The API reference, the Markdown documents and the examples they quote.

The reference (``make docs``: Sphinx autodoc over docs/api) builds with
warnings as errors, documents every public name, and shows the docstrings
``help()`` shows. Every relative link in README.md and docs/*.md points at
a file of the repository, so the links work in a clone and an unpacked
sdist, not only on a code-hosting site. The speed and memory figures that
README.md and docs/migrating-from-pymarc.md quote are those of the
benchmark run in docs/PERFORMANCE.md.
"""

import html
import inspect
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

import pymrrc

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|^\[[^\]]+\]:\s*(\S+)", re.M)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", REPO / "docs" / "api", out],
        capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    pages = {page.name: page.read_text(encoding="utf-8") for page in out.glob("*.html")}
    return pages


def test_every_public_name_is_documented(reference):
    # pymarc's names (``__all__``) and pymrrc's extensions (``to_arrow``...):
    # everything ``pymrrc.`` offers that is not a module.
    everything = "".join(reference.values())
    public = [n for n in dir(pymrrc) if not n.startswith("_") and not inspect.ismodule(getattr(pymrrc, n))]
    assert set(pymrrc.__all__) <= set(public)
    missing = [name for name in public if f'id="pymrrc.{name}"' not in everything]
    assert not missing, missing


@pytest.mark.parametrize(
    "page, obj, anchor",
    [
        ("records.html", pymrrc.Record.get_fields, "pymrrc.Record.get_fields"),
        ("records.html", pymrrc.Record.as_marc, "pymrrc.Record.as_marc"),  # native (Rust) method
        ("fields.html", pymrrc.Field.value, "pymrrc.Field.value"),  # native (Rust) method
        ("reading.html", pymrrc.MARCReader, "pymrrc.MARCReader"),
        ("reading.html", pymrrc.MARCReader.current_exception, "pymrrc.MARCReader.current_exception"),
        ("leader.html", pymrrc.Leader.record_status, "pymrrc.Leader.record_status"),
    ],
)
def test_reference_shows_the_docstrings_help_shows(reference, page, obj, anchor):
    text = reference[page]
    start = text.index(f'id="{anchor}"')
    body = re.sub(r"<[^>]+>", "", text[start : start + 20000])
    body = " ".join(html.unescape(body).split())
    doc = inspect.getdoc(obj)
    assert doc, anchor
    first_paragraph = " ".join(doc.split("\n\n")[0].split())
    # The reference renders ``code`` as code; compare the words.
    assert first_paragraph.replace("`", "") in body, (first_paragraph, body[:500])


def _links():
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in LINK.finditer(text):
            target = match.group(1) or match.group(2)
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # an absolute URL, or an anchor in the same document
            yield pytest.param(document, target, id=f"{document.relative_to(REPO)}:{target}")


LINKS = list(_links())


def test_documents_have_relative_links():
    assert len(LINKS) >= 10


@pytest.mark.parametrize("document, target", LINKS)
def test_relative_link_points_at_a_file(document, target):
    path = unquote(target.split("#", 1)[0])
    resolved = (document.parent / path).resolve()
    assert resolved.is_relative_to(REPO), f"{target} leaves the repository"
    assert resolved.exists(), f"{document.relative_to(REPO)} links to {target}, which does not exist"


# Sections that quote the benchmark: (document, first line of the section).
QUOTING = [
    (REPO / "README.md", "## Speed"),
    (REPO / "docs" / "migrating-from-pymarc.md", "## What gets faster, and by how much"),
]
# A figure: a number with thousands separators, a ratio ("36.4x") or a size
# in MiB; plain small numbers (2 cores, 16 threads) are not figures.
FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?x|\d+(?= MiB))(?![\w,])")


def _section(text, heading):
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("document, heading", QUOTING, ids=[d.name for d, _ in QUOTING])
def test_quoted_figures_come_from_the_benchmark_run(document, heading):
    performance = (REPO / "docs" / "PERFORMANCE.md").read_text(encoding="utf-8")
    known = set(FIGURE.findall(performance)) | set(re.findall(r"\|\s*(\d+)\s*\|", performance))
    figures = FIGURE.findall(_section(document.read_text(encoding="utf-8"), heading))
    assert len(figures) >= 10
    foreign = sorted({f for f in figures if f not in known})
    assert not foreign, f"{document.name} quotes figures that are not in docs/PERFORMANCE.md: {foreign}"


def test_concurrent_reading_example_compares_both_reader_kinds():
    run = subprocess.run(
        [sys.executable, REPO / "examples" / "concurrent_reading.py"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    out = run.stdout
    assert "MARCReader(path, workers=1):" in out and "MARCReader(path), default pool:" in out
    # Each speedup is the ratio of the rates printed above it.
    rates = [float(r.replace(",", "")) for r in re.findall(r"([\d,]+) records/s", out)]
    speedups = [float(s) for s in re.findall(r"\(([\d.]+)x one thread\)", out)]
    assert len(rates) == 4 and len(speedups) == 2, out
    for (one, many), speedup in zip([rates[0:2], rates[2:4]], speedups):
        assert speedup == pytest.approx(many / one, abs=0.011), out
