"""JSONReader, read natively, against pymarc's JSONReader.

Every document is read with both libraries through each kind of target
(JSON text, a path, a text file object, a binary file object): the
exception the constructor raises, or every record (diffharness.
observe_record) and every exception ``next()`` raises on the way (pymarc's
iterator goes on after one), must be the same. Documents: pymarc's own
test files, generated documents (Hypothesis: plain records, and parts
that are not strings, missing keys, odd tags, repeated keys), and damaged
or unusual texts (syntax errors, NaN, control characters, a byte-order
mark, lone surrogates, other top-level values). The reader's protocol is
compared too: iterating again, ``records`` read and changed before
iterating, ``next()`` before ``iter()``, ``pymrrc.reader.Record``
replaced, ``stream=True``. A plain document must be read natively
(``_document`` is set), so that these tests hold the native path to
pymarc's answers.
"""

from __future__ import annotations

import gc
import io
import json
import os
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

LEADER = "00000nam a2200000   4500"
EXAMPLES = int(os.environ.get("PYMRRC_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
SCALAR = st.one_of(st.integers(-3, 3), st.none(), st.booleans(), st.floats(allow_nan=False, width=16))
ONE = st.one_of(st.sampled_from([" ", "0", "1", "a"]), TEXT)
PLAIN_TAG = st.sampled_from(["001", "003", "005", "008", "009", "010", "020", "100", "245", "650", "700", "880"])
ODD_TAG = st.one_of(st.sampled_from(["1", "01", "0010", "abc", "00a", "", "١٢٣"]), TEXT)


def _subfields(value):
    return st.lists(st.dictionaries(ONE, value, min_size=1, max_size=2), max_size=4)


def _record(tag, text, value):
    data_body = st.fixed_dictionaries({"ind1": ONE, "ind2": ONE, "subfields": _subfields(value)})
    body = st.one_of(text, data_body)
    return st.fixed_dictionaries({"leader": st.just(LEADER),
                                  "fields": st.lists(st.dictionaries(tag, body, min_size=1, max_size=1),
                                                     max_size=6)})


PLAIN_RECORD = _record(PLAIN_TAG, TEXT, TEXT)
ODD_BODY = st.one_of(
    TEXT, SCALAR,
    st.fixed_dictionaries({"ind1": st.one_of(ONE, SCALAR), "ind2": ONE, "subfields": _subfields(st.one_of(TEXT, SCALAR))},
                          optional={"extra": SCALAR}),
    st.fixed_dictionaries({"subfields": _subfields(TEXT)}),  # no indicators: KeyError in pymarc
    st.lists(TEXT, max_size=2),
)
ODD_RECORD = st.one_of(
    st.fixed_dictionaries({"leader": st.one_of(st.just(LEADER), TEXT, SCALAR),
                           "fields": st.lists(st.dictionaries(st.one_of(PLAIN_TAG, ODD_TAG), ODD_BODY,
                                                              max_size=2), max_size=5)}),
    st.fixed_dictionaries({"fields": st.just([])}),
    st.fixed_dictionaries({"leader": st.just(LEADER)}),
)


def read_all(lib, target, **options):
    """What a caller sees reading ``target`` with ``lib.JSONReader``."""
    reader = None
    try:
        with warnings.catch_warnings():
            # A JSONReader whose document does not parse has opened a path
            # and leaves it open, as pymarc's does: freed here, quietly.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                reader = lib.JSONReader(target, **options)
            except Exception as exc:  # noqa: BLE001 - part of what is compared
                failed = [("init", diff._exc(exc))]
                del exc
                gc.collect()
            else:
                failed = None
        return failed or _read_records(reader)
    finally:
        # JSONReader opens a path itself and, like pymarc's, never closes it;
        # the test closes it (and a file it was given) rather than leave it
        # to the garbage collector in some later test.
        for opened in (getattr(reader, "file_handle", None), target):
            if hasattr(opened, "close"):
                opened.close()


def _read_records(reader):
    seen = []
    iterator = iter(reader)
    for _ in range(10_000):
        try:
            record = next(iterator)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001
            seen.append(("raised", diff._exc(exc)))
            continue
        seen.append(diff.observe_record(record))
    return seen


def targets(text: str, tmp_path):
    """The document as each kind of target JSONReader takes."""
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    data = path.read_bytes()
    yield "text", lambda: text
    yield "path", lambda: str(path)
    yield "text file", lambda: open(path, encoding="utf-8", errors="surrogatepass")  # noqa: SIM115
    yield "binary file", lambda: io.BytesIO(data)


def assert_same(reference, target, text, tmp_path):
    for kind, make in targets(text, tmp_path):
        ref, got = read_all(reference, make()), read_all(target, make())
        assert got == ref, f"{kind}: {diff.first_difference(ref, got)}"


def native(target, text):
    return target.JSONReader(text)._document is not None


# -- pymarc's files ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["batch.json", "one.json", "test.json"])
def test_pymarc_files(reference, target, pymarc_test_dir, tmp_path, name):
    text = (pymarc_test_dir / name).read_text(encoding="utf-8")
    assert_same(reference, target, text, tmp_path)


def test_plain_pymarc_files_are_read_natively(target, pymarc_test_dir):
    for name in ("batch.json", "one.json"):
        assert native(target, (pymarc_test_dir / name).read_text(encoding="utf-8")), name


# -- generated documents ----------------------------------------------------------------------
@SETTINGS
@given(st.one_of(st.lists(PLAIN_RECORD, max_size=4), PLAIN_RECORD))
def test_generated_plain_documents(reference, target, tmp_path_factory, doc):
    text = json.dumps(doc, ensure_ascii=bool(len(json.dumps(doc)) % 2))
    assert native(target, text)
    assert_same(reference, target, text, tmp_path_factory.mktemp("doc"))


@SETTINGS
@given(st.lists(st.one_of(PLAIN_RECORD, ODD_RECORD), max_size=5))
def test_generated_documents_with_records_pymarc_builds_its_own_way(reference, target, tmp_path_factory, doc):
    text = json.dumps(doc)
    assert_same(reference, target, text, tmp_path_factory.mktemp("doc"))


@SETTINGS
@given(PLAIN_RECORD, st.sampled_from(["first", "last"]))
def test_repeated_keys_as_a_dict_keeps_them(reference, target, tmp_path_factory, record, which):
    """A record object, a field object or a subfield pair written with a
    key twice: the first place and the last value, as json.loads keeps."""
    text = json.dumps(record)
    dup = '"leader": "' + LEADER[::-1] + '", '
    text = "{" + dup + text[1:] if which == "first" else text[:-1] + ", " + dup[:-2] + "}"
    text = text.replace('{"001": ', '{"001": "x", "001": ', 1).replace('{"a": ', '{"a": "y", "a": ', 1)
    assert_same(reference, target, text, tmp_path_factory.mktemp("doc"))


# -- damaged and unusual texts --------------------------------------------------------------------
PLAIN = json.dumps([{"leader": LEADER, "fields": [{"001": "x"}, {"245": {"ind1": "1", "ind2": "0",
                                                                         "subfields": [{"a": "T"}]}}]}])
UNUSUAL = [
    "", "{", "[", "[]", "{}", "[{}]", "null", "5", '"abc"', "[1, 2]", "[null]", '[{"leader": "x"}] x',
    PLAIN + " ", " \n" + PLAIN + "\n", "\ufeff" + PLAIN, PLAIN.replace('"T"', '"T\x01"'),
    PLAIN.replace('"T"', '"\\ud800"'), PLAIN.replace('"T"', "NaN"), PLAIN.replace('"T"', "Infinity"),
    PLAIN.replace('"T"', "1e400"), PLAIN.replace('"T"', '"\\u00e9\\n\\t"'), PLAIN.replace(LEADER, "short"),
    PLAIN.replace(LEADER, LEADER + "é"), PLAIN.replace('"x"', '["x"]'), PLAIN.replace('"001"', '"1"'),
    PLAIN.replace('"245"', '"1234"'), PLAIN.replace('"245"', '"001"'), PLAIN.replace('"001"', '"245"'),
    PLAIN.replace('{"a": "T"}', '{"a": "T", "b": "U"}'), PLAIN.replace('{"a": "T"}', "{}"),
    PLAIN.replace('"fields"', '"fieldz"'), PLAIN.replace('"ind1": "1", ', ""), "[" + PLAIN[1:-1] * 3 + "]",
    "[" * 200 + "]" * 200, '[{"leader": "' + LEADER + '", "fields": ' + "[" * 150 + "]" * 150 + "}]",
]


@pytest.mark.parametrize("text", UNUSUAL, ids=range(len(UNUSUAL)))
def test_unusual_documents(reference, target, tmp_path, text):
    assert_same(reference, target, text, tmp_path)


def test_binary_documents_in_other_encodings(reference, target):
    for encoding in ("utf-16", "utf-32", "utf-8-sig"):
        data = PLAIN.encode(encoding)
        assert read_all(target, io.BytesIO(data)) == read_all(reference, io.BytesIO(data)), encoding


# -- the reader's protocol -------------------------------------------------------------------------
def test_iterating_again_and_next_before_iter(reference, target):
    def look(lib):
        reader = lib.JSONReader(PLAIN)
        before = diff.observe(lambda: next(reader))
        first = [diff.observe_record(r) for r in reader]
        return before, first, [diff.observe_record(r) for r in reader]

    assert look(target) == look(reference)


def test_records_changed_before_iterating(reference, target):
    def look(lib):
        reader = lib.JSONReader("[" + PLAIN[1:-1] + ", " + PLAIN[1:-1] + "]")
        reader.records[1]["fields"].append({"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "n"}]}})
        reader.records.pop(0)
        return [diff.observe_record(r) for r in reader], json.dumps(reader.records)

    assert look(target) == look(reference)


def test_records_replaced(reference, target):
    def look(lib):
        reader = lib.JSONReader(PLAIN)
        reader.records = json.loads(PLAIN.replace('"T"', '"other"'))
        return [diff.observe_record(r) for r in reader]

    assert look(target) == look(reference)


def test_record_class_replaced_in_the_reader_module(reference, target, monkeypatch):
    def look(lib):
        class Mine(lib.Record):
            def add_field(self, *fields):
                super().add_field(*fields)
                self.added = getattr(self, "added", 0) + len(fields)

        monkeypatch.setattr(lib.reader, "Record", Mine)
        try:
            return [(type(r).__name__, r.added, diff.observe_record(r)) for r in lib.JSONReader(PLAIN)]
        finally:
            monkeypatch.undo()

    assert look(target) == look(reference)


def test_stream_flag_says_what_pymarc_says(reference, target, capsys):
    results = []
    for lib in (reference, target):
        records = [diff.observe_record(r) for r in lib.JSONReader(PLAIN, stream=True)]
        results.append((records, capsys.readouterr().err))
    assert results[1] == results[0]


def _numbered(count):
    return json.dumps([{"leader": LEADER, "fields": [{"001": str(i)}, {"245": {"ind1": "1", "ind2": "0",
                                                                             "subfields": [{"a": f"T{i}"}]}}]}
                       for i in range(count)])


def test_threads_sharing_one_iteration_get_each_record_once(reference, target):
    # One iteration (one ``iter(reader)``) shared by threads hands out each
    # record once, as pymarc's list iterator does, with no error.
    import threading

    def look(lib):
        iterator = iter(lib.JSONReader(_numbered(2000)))
        seen, errors = [], []

        def work():
            while True:
                try:
                    record = next(iterator)
                except StopIteration:
                    return
                except Exception as exc:  # noqa: BLE001
                    errors.append(diff._exc(exc))
                    return
                seen.append((record["001"].data, record["245"]["a"]))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(seen), errors

    assert look(target) == look(reference)


def test_record_class_replaced_while_iterating(reference, target, monkeypatch):
    # pymarc looks the names up for each record, so a class replaced in the
    # middle of an iteration builds the records after it.
    def look(lib):
        class Mine(lib.Record):
            pass

        reader = lib.JSONReader(_numbered(4))
        out = [type(next(reader.__iter__())).__name__]
        monkeypatch.setattr(lib.reader, "Record", Mine)
        try:
            out += [(type(r).__name__, diff.observe_record(r)) for r in (next(reader), next(reader))]
        finally:
            monkeypatch.undo()
        out += [(type(r).__name__, diff.observe_record(r)) for r in reader]
        return out

    assert look(target) == look(reference)
