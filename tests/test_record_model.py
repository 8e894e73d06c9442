"""The record model, compared side by side with pymarc 5.4.0: laziness and
identity.

Records read by pymrrc's MARCReader are lazy: they keep their bytes and
build ``fields``/``leader`` on first use, and answer ``title`` and
``as_marc()`` from the bytes until then. None of that may be observable:
every sequence of operations below, in every order, must give what pymarc
gives for the same input and the same sequence. Edits are in
test_record_model_edits.py, copies, pickles, ``Record(data=...)`` and
subclasses in test_record_model_objects.py; inputs and helpers in
record_model_support.py. Tests that need a missing input are skipped with
the reason.
"""

import io
import itertools
import random

import pytest
import pymrrc
import pymrrc.record

from record_model_support import (  # noqa: F401
    CORPUS,
    CRAFTED,
    LAZY_SENSITIVE,
    MODULES,
    READ_OPS,
    _test_files,
    assert_same_sequence,
    corpus,
    exc_key,
    outcome,
    read_with,
    some_corpus,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning"),
    pytest.mark.filterwarnings("ignore::pymrrc.exceptions.BadSubfieldCodeWarning"),
]


# -- laziness is unobservable -------------------------------------------------------------


def _perm_id(perm):
    return "-".join(perm)


@pytest.mark.parametrize("perm", list(itertools.permutations(LAZY_SENSITIVE[:4])), ids=_perm_id)
def test_access_order_permutations_corpus(perm):
    for chunk in corpus()[:25]:
        assert_same_sequence(chunk, list(perm) + ["str", "as_marc"])


@pytest.mark.parametrize("perm", list(itertools.permutations(LAZY_SENSITIVE)), ids=_perm_id)
def test_access_order_permutations_crafted(perm):
    for chunk in CRAFTED.values():
        assert_same_sequence(chunk, list(perm) + ["str", "identity"])


@pytest.mark.parametrize("op", sorted(READ_OPS))
def test_each_operation_first_on_lazy_records(op):
    chunks = list(CRAFTED.values()) + some_corpus(slice(None, None, max(1, len(CORPUS or ()) // 40)))
    for chunk in chunks:
        assert_same_sequence(chunk, [op, "as_marc", "str"])


@pytest.mark.parametrize("seed", range(6))
def test_random_operation_sequences(seed):
    rng = random.Random(seed)
    names = sorted(READ_OPS)
    chunks = list(CRAFTED.values()) + some_corpus(slice(None))
    for _ in range(40):
        chunk = rng.choice(chunks)
        ops = [rng.choice(names) for _ in range(rng.randint(1, 6))]
        assert_same_sequence(chunk, ops)


@pytest.mark.parametrize("options", ["default", "force_utf8", "replace", "raw"])
def test_full_description_of_corpus_sample(options):
    kwargs = {
        "default": {},
        "force_utf8": {"force_utf8": True},
        "replace": {"utf8_handling": "replace"},
        "raw": {"to_unicode": False},
    }[options]
    ops = ["title", "as_marc", "fields", "str", "as_dict", "isbn", "author", "publisher", "pubyear", "subjects"]
    for chunk in corpus()[::5]:
        assert_same_sequence(chunk, ops, kwargs)

@pytest.mark.parametrize(
    "options",
    [{}, {"force_utf8": True}, {"utf8_handling": "replace"}, {"utf8_handling": "ignore"}, {"to_unicode": False}],
    ids=["default", "force_utf8", "replace", "ignore", "raw"],
)
def test_pymarc_test_files(options):
    sequences = [
        ["title", "as_marc", "str"],
        ["as_marc", "leader_str", "fields"],
        ["fields", "title", "issn_title", "as_marc"],
        ["leader_str", "iterate", "as_json", "as_marc"],
        ["isbn", "issn", "issnl", "sudoc", "author", "uniformtitle", "str"],
    ]
    for path in _test_files():
        data = path.read_bytes()
        for ops in sequences:
            results = []
            for module in MODULES:
                reader = module.MARCReader(io.BytesIO(data), **options)
                out = []
                for count, record in enumerate(reader):
                    if count >= 15:
                        break
                    if record is None:
                        out.append(("none", exc_key(reader.current_exception)))
                        continue
                    out.append([outcome(lambda op=op, record=record: READ_OPS[op](record)) for op in ops])
                results.append(out)
            assert results[1] == results[0], (path.name, ops, options)


# -- identity -------------------------------------------------------------------------------


def test_identity_is_stable_on_lazy_records():
    for chunk in list(CRAFTED.values()) + some_corpus(slice(20)):
        record = read_with(pymrrc, chunk)
        assert record._is_lazy
        leader = record.leader
        assert record.leader is leader
        fields = record.fields
        assert record.fields is fields
        assert record["245"] is record["245"] if "245" in record else True
        assert record.get("001") is record.get("001")
        assert [id(f) for f in record] == [id(f) for f in fields]
        assert record.leader is leader
        assert record.fields is fields
        assert not record._is_lazy


def test_lazy_paths_are_actually_taken():
    """title and as_marc answer without materialising; the comparisons
    above therefore do cover the lazy code."""
    chunk = CRAFTED["serial"]
    record = read_with(pymrrc, chunk)
    assert record._is_lazy
    record.title
    record.issn_title
    record.as_marc()
    assert record._is_lazy
    record.leader
    record.fields
    assert not record._is_lazy
