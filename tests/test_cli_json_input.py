"""The command's native MARC-in-JSON reader against pymarc's JSONReader, on
generated documents: every record it converts natively is the record
pymarc reads (compared through ``as_marc()``), and it stops, leaving the
rest to pymarc's path, where pymarc builds a record in its own way."""

from __future__ import annotations

import json
import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pymarc
from pymrrc._core import FileJob

MAX_EXAMPLES = int(os.environ.get("PYMRRC_HYPOTHESIS_EXAMPLES", "200"))
LEADER = "00000nam a2200000   4500"

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
scalar = st.one_of(text, st.integers(-5, 5), st.none(), st.booleans())
tag = st.one_of(st.sampled_from(["001", "008", "245", "650", "010", "009"]), text)
one = st.one_of(st.sampled_from(["1", " ", "0", "a"]), text)
subfields = st.lists(st.dictionaries(one, st.one_of(text, scalar), min_size=1, max_size=2), max_size=3)
data_body = st.fixed_dictionaries(
    {"ind1": st.one_of(one, scalar), "ind2": one, "subfields": subfields},
    optional={"extra": scalar},
)
body = st.one_of(text, data_body, scalar)
field = st.dictionaries(tag, body, min_size=1, max_size=2)
record = st.fixed_dictionaries(
    {"leader": st.one_of(st.just(LEADER), text), "fields": st.lists(field, min_size=1, max_size=5)}
)
document = st.one_of(st.lists(record, max_size=4), record)


def pymarc_bytes(doc: object) -> list[bytes] | None:
    """Each record pymarc reads, as ``as_marc()``; ``None`` where pymarc
    fails (the native reader must then stop at or before that record)."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for r in pymarc.JSONReader(json.dumps(doc)):
                out.append(r.as_marc())
        except Exception:  # noqa: BLE001 - pymarc's own failure
            out.append(None)
    return out


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document)
def test_native_json_records_are_pymarcs(doc):
    expected = pymarc_bytes(doc)
    job = FileJob(None, format="marc", sizes=True, json=json.dumps(doc).encode())
    native = []
    for batch in job:
        sizes = list(memoryview(batch.sizes).cast("Q"))
        at = 0
        for part in batch.parts:
            assert len(part) == 2, part  # no record goes to Python here
            blob = part[0]
            for size in sizes[at : at + part[1]]:
                native.append(blob[:size])
                blob = blob[size:]
            at += part[1]
    assert job.seen == len(native)
    assert native == expected[: len(native)]
    if job.stopped is None:
        assert len(native) == len(expected)


@pytest.mark.parametrize("doc", ['[{"leader": "x", "fields": []} ', "{", "[1, 2]", '{"a": NaN}'])
def test_documents_serde_refuses_are_left_whole(doc):
    job = FileJob(None, format="marc", json=doc.encode())
    assert list(job) == []
    assert job.stopped and job.seen == 0
