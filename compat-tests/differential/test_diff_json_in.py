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
replaced. ``stream=True`` reads the document one record at a time (D17):
the same records and exceptions, a broken document's error raised where
iteration reaches it. A plain document must be read natively
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
# What decides whether a record is laid out natively (jobs/json_read.rs):
# key order, repeated keys, delimiter characters, escapes, extra keys.
LAYOUT_EDGES = [
    PLAIN.replace('"ind1": "1", "ind2": "0", "subfields": [{"a": "T"}]',
                  '"subfields": [{"a": "T"}], "ind2": "0", "ind1": "1"'),
    PLAIN.replace('"subfields": [{"a": "T"}]', '"subfields": [{"a": "T"}], "subfields": [{"b": "U"}]'),
    PLAIN.replace('"ind1": "1"', '"ind1": "1", "ind1": "22"'), PLAIN.replace('"ind1": "1"', '"ind1": "22", "ind1": "1"'),
    PLAIN.replace('"fields": [', '"fields": [{"500": "x"}], "fields": ['),
    PLAIN.replace('{"a": "T"}', '{"a": "T", "a": "U"}'), PLAIN.replace('{"a": "T"}', '{"a": "T", "b": "U", "a": "V"}'),
    PLAIN.replace('{"001": "x"}', '{"001": "x", "002": "y"}'), PLAIN.replace('{"001": "x"}', '{"001": "x", "001": "y"}'),
    PLAIN.replace('{"001": "x"}', '{"001": "x", "002": "y", "001": "z"}'),
    PLAIN.replace('"T"', '"T\u001fb"'), PLAIN.replace('"T"', '"T\u001e"'), PLAIN.replace('"x"', '"x\u001d"'),
    PLAIN.replace('"a"', '"\u001f"'), PLAIN.replace('"ind2": "0"', '"ind2": "\u001e"'),
    PLAIN.replace('"245"', '"2\u001f5"'), PLAIN.replace('"245"', '"\u0032\u0034\u0035"'),
    PLAIN.replace('"001"', '"\u0030\u0030\u0031"'), PLAIN.replace('"a"', '"\u00e9"'), PLAIN.replace('"a"', '""'),
    PLAIN.replace('"a"', '"ab"'), PLAIN.replace('"ind1": "1"', '"ind1": "\u00e9"'), PLAIN.replace('"ind1": "1"', '"ind1": ""'),
    PLAIN.replace(LEADER, LEADER[:5] + "\u001d" + LEADER[6:]), PLAIN.replace(LEADER, LEADER[:5] + "\u00e9" + LEADER[7:]),
    PLAIN.replace('"245"', '"24a"'), PLAIN.replace('"245"', '"ABC"'), PLAIN.replace('"001"', '"00A"'),
    PLAIN.replace('{"001": "x"}', '{"100": "x"}'), PLAIN.replace('{"001": "x"}', '{"010": "x"}'),
    PLAIN.replace('{"001": "x"}', '{"009": ""}'), PLAIN.replace('"subfields": [{"a": "T"}]', '"subfields": []'),
    PLAIN.replace('"subfields": [{"a": "T"}]', '"subfields": {}'), PLAIN.replace('"subfields": [{"a": "T"}]', '"subfields": ""'),
    PLAIN.replace('"subfields": [{"a": "T"}]', '"subfields": [{"a": "T"}, "b", {"c": "U"}]'),
    PLAIN.replace('"subfields": [{"a": "T"}]', '"subfields": [{"a": "T"}], "extra": {"a": [1, {"b": null}]}'),
    PLAIN.replace('"fields"', '"extra": [1, 2.5, true, null, {"x": "y"}], "fields"'),
    PLAIN.replace('{"001": "x"}', '{"245": {"ind1": "1", "ind2": "0"}}'),
    PLAIN.replace('{"001": "x"}', '{"001": {"ind1": "1", "ind2": "0", "subfields": [{"a": "T"}]}}'),
    PLAIN.replace('"fields": [{"001": "x"}, ', '"fields": [').replace('"ind1": "1"', '"ind1": "1", "ind1": "1"'),
    PLAIN.replace('"leader": "' + LEADER + '", ', "") + "", PLAIN.replace('"fields"', '"leader": "short", "fields"'),
    '{"fields": [{"001": "x"}], "leader": "' + LEADER + '"}', '{"leader": "' + LEADER + '", "fields": [{"001": "x"}]}',
    "[" + ",".join([PLAIN[1:-1], PLAIN.replace('"T"', "5")[1:-1], PLAIN[1:-1]]) + "]",
    PLAIN.replace('"T"', r'"T \\ \" \/ \b\f\n\r\t \ud83d\ude00 \u20ac"'),
]


@pytest.mark.parametrize("text", UNUSUAL, ids=range(len(UNUSUAL)))
def test_unusual_documents(reference, target, tmp_path, text):
    assert_same(reference, target, text, tmp_path)


@pytest.mark.parametrize("text", LAYOUT_EDGES, ids=range(len(LAYOUT_EDGES)))
def test_what_decides_a_native_layout(reference, target, tmp_path, text):
    assert_same(reference, target, text, tmp_path)


def test_plain_records_are_each_built_natively(target, pymarc_test_dir):
    # Each record of a plain document is built in Rust (the cursor hands
    # out a record, not the index of one for Python to build).
    from pymrrc import _json_native

    for text in ((pymarc_test_dir / "batch.json").read_text(encoding="utf-8"), _numbered(50)):
        cursor = _json_native.cursor(target.JSONReader(text)._document, vars(target.reader))
        built = []
        while True:
            try:
                built.append(cursor.next_record())
            except StopIteration:
                break
        assert built and not [r for r in built if isinstance(r, int)]


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


def _numbered(count):
    return json.dumps([{"leader": LEADER, "fields": [{"001": str(i)}, {"245": {"ind1": "1", "ind2": "0",
                                                                             "subfields": [{"a": f"T{i}"}]}}]}
                       for i in range(count)])


def shared_by_threads(reader):
    """``(sorted records, errors)`` four threads take from one iteration
    of ``reader``."""
    import threading

    iterator = iter(reader)
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


def test_threads_sharing_one_iteration_get_each_record_once(reference, target):
    # One iteration (one ``iter(reader)``) shared by threads hands out each
    # record once, as pymarc's list iterator does, with no error.
    def look(lib):
        return shared_by_threads(lib.JSONReader(_numbered(2000)))

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


# -- stream=True: D17 ---------------------------------------------------------------------------
def streamed(lib, target):
    """What a caller sees reading ``target`` with ``stream=True`` and
    nothing else: no message, each record, each exception ``next()`` raises
    (a broken document's error last)."""
    return read_all(lib, target, stream=True)


def assert_streams_as_pymarc_reads(reference, target, text, tmp_path):
    for kind, make in targets(text, tmp_path):
        ref, got = read_all(reference, make()), streamed(target, make())
        if ref and isinstance(ref[0], tuple) and ref[0][0] == "init" and got != ref:
            # pymarc: the document's error at construction; streaming: the
            # same error (class and text) once iteration reaches it (a
            # document that is not an array or an object is not streamed).
            assert got and got[-1] == ("raised", ref[0][1]), f"{kind}: {got[-1:]} != {ref}"
        else:
            assert got == ref, f"{kind}: {diff.first_difference(ref, got)}"


@pytest.mark.parametrize("text", UNUSUAL + LAYOUT_EDGES, ids=range(len(UNUSUAL) + len(LAYOUT_EDGES)))
def test_stream_reads_what_pymarc_reads(reference, target, tmp_path, text):
    assert_streams_as_pymarc_reads(reference, target, text, tmp_path)


@SETTINGS
@given(st.lists(st.one_of(PLAIN_RECORD, ODD_RECORD), max_size=5), st.sampled_from(["", " ", "\n\t", "[", "]", ",", "x"]))
def test_stream_reads_generated_documents(reference, target, tmp_path_factory, doc, damage):
    text = json.dumps(doc, indent=1 if len(doc) % 2 else None)
    if damage.strip():
        at = len(text) * len(doc) // 6
        text = text[:at] + damage + text[at:]
    assert_streams_as_pymarc_reads(reference, target, text, tmp_path_factory.mktemp("doc"))


def test_stream_errors_are_placed_in_the_whole_document(reference, target):
    # An error inside the third record of a document spread over lines.
    records = [json.loads(PLAIN)[0]] * 3
    text = json.dumps(records, indent=2).replace('"T"', '"T" "U"', 3)
    with pytest.raises(json.JSONDecodeError) as theirs:
        reference.JSONReader(text)
    reader = target.JSONReader(io.StringIO(text), stream=True)
    with pytest.raises(json.JSONDecodeError) as ours:
        list(reader)
    assert (ours.value.msg, ours.value.pos, ours.value.lineno, ours.value.colno) == (
        theirs.value.msg, theirs.value.pos, theirs.value.lineno, theirs.value.colno)
    assert str(ours.value) == str(theirs.value)


def test_stream_prints_nothing(target, capsys):
    assert len(list(target.JSONReader(io.StringIO(_numbered(3)), stream=True))) == 3
    assert capsys.readouterr().err == ""


def test_stream_records_before_iterating_is_the_whole_document(reference, target):
    def look(lib):
        reader = lib.JSONReader(io.StringIO(_numbered(5)), stream=True)
        records = reader.records
        records[1]["fields"].append({"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "n"}]}})
        del records[0]
        return json.dumps(reader.records), [diff.observe_record(r) for r in reader]

    assert look(target) == look(reference)


def test_stream_records_while_iterating_are_those_not_handed_out(target):
    reader = target.JSONReader(io.StringIO(_numbered(5)), stream=True)
    first = [next(iter(reader)).get("001").data for _ in range(2)]
    rest = reader.records
    assert first == ["0", "1"] and [r["fields"][0]["001"] for r in rest] == ["2", "3", "4"]
    rest.pop()
    assert [r["001"].data for r in reader] == ["2", "3"]


class _Trickle(io.StringIO):
    """A text stream whose reads return little and take a while (so that
    threads reading one streamed document switch in the middle of reads)."""

    def read(self, size=-1):
        import time

        time.sleep(0.0005)
        return super().read(size if size is None or size < 0 else min(size, 700))


def test_stream_threads_sharing_one_iteration_get_each_record_once(reference, target):
    ours = shared_by_threads(target.JSONReader(_Trickle(_numbered(3000)), stream=True))
    assert ours == shared_by_threads(reference.JSONReader(_Trickle(_numbered(3000))))
