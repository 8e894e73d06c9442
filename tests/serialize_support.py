"""Shared helpers for the serialisation tests (MARCXML, MARC-JSON, writers):
the two libraries side by side, and pymarc's data files and the corpus slice
from the cache that tests/conftest.py fills."""

import importlib
import itertools
import os
import types
import warnings

import pytest
from data_support import cache_dir


def library(package, modules):
    """``package``'s submodules ``modules`` as attributes of one namespace."""
    return types.SimpleNamespace(
        name=package,
        **{m: importlib.import_module(f"{package}.{m}") for m in modules},
    )


SDIST_TEST_DIR = cache_dir() / "pymarc-5.4.0-src" / "test"
CORPUS_FILE = cache_dir() / "loc-10000.mrc"
CORPUS_RECORDS = int(os.environ.get("PYMRRC_SERIALIZE_RECORDS", "300"))
HYPOTHESIS_EXAMPLES = int(os.environ.get("PYMRRC_HYPOTHESIS_EXAMPLES", "200"))


def sdist_file(name):
    path = SDIST_TEST_DIR / name
    if not path.is_file():
        pytest.skip(
            f"{path} is missing: the pymarc 5.4.0 sdist test/ folder is fetched into "
            "$PYMRRC_CACHE (default ~/.cache/marc-corpus) by "
            "compat-tests/upstream/pymarc_sdist.py"
        )
    return path


def corpus_file():
    if not CORPUS_FILE.is_file():
        pytest.skip(
            f"{CORPUS_FILE} is missing: fetch the LoC sample corpus into $PYMRRC_CACHE "
            "(default ~/.cache/marc-corpus)"
        )
    return CORPUS_FILE


def read_records(lib, path, limit=None, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open(path, "rb") as fh:
            return list(itertools.islice(lib.reader.MARCReader(fh, **kwargs), limit))


def read_pairs(ref, our, path, limit=None, **kwargs):
    """Records read from ``path`` by each library, as (ref, our) lists."""
    ref_records = read_records(ref, path, limit, **kwargs)
    our_records = read_records(our, path, limit, **kwargs)
    assert len(ref_records) == len(our_records), "the two MARCReaders disagree on the record count"
    kept = [(a, b) for a, b in zip(ref_records, our_records) if a is not None and b is not None]
    return [a for a, _ in kept], [b for _, b in kept]


def outcome(func, *args, **kwargs):
    """``("ok", result)``, or ``("error", class name, message)``."""
    try:
        return ("ok", func(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - the error is part of the outcome
        return ("error", type(exc).__name__, str(exc))


def dump_record(record):
    """A library-neutral, comparable picture of a record (public API only)."""
    fields = []
    for field in record.fields:
        indicators = field.indicators
        fields.append(
            (
                type(field).__name__,
                field.tag,
                field.control_field,
                field.data,
                None if indicators is None else tuple(indicators),
                [tuple(s) for s in field.subfields],
            )
        )
    return (type(record).__name__, str(record.leader), fields)


def dump_records(records):
    """Each record's picture, ``as_marc()`` and ``str()`` outcomes."""
    return [(dump_record(r), outcome(r.as_marc), outcome(str, r)) for r in records]
