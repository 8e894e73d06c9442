"""A typed program written against pymarc 5.4, as its users write them.

tests/test_typing.py type-checks it with mypy --strict and pyright (strict)
twice: as it is, and with every ``pymarc`` import turned into the same
import of ``pymrrc``. Both must report the same, except on lines marked
``# differs: <checker>: <why>``, where pymrrc's types are more precise than
pymarc's. Lines marked ``# error`` are mistakes both must catch.
"""

import io
import sys
from typing import reveal_type

import pymarc
from pymarc import Field, Indicators, Leader, MARCReader, MARCWriter, Record, Subfield
from pymarc.marcxml import parse_xml_to_array, record_to_xml  # differs: pyright: pymarc's functions are not annotated


def build_record() -> Record:
    record = Record()
    record.add_field(Field(tag="001", data="ocm01234567"))  # differs: mypy, pyright: pymarc's add_field is not annotated
    title = Field(
        tag="245",
        indicators=Indicators("1", "0"),
        subfields=[Subfield(code="a", value="A title :"), Subfield(code="b", value="subtitle /")],
    )
    reveal_type(title)
    record.add_field(title)  # differs: mypy, pyright: pymarc's add_field is not annotated
    title.add_subfield("c", "An author.")  # differs: pyright: pymarc does not annotate pos
    isbn = Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", "0-19-501234-5")])
    record.add_ordered_field(isbn)  # differs: pyright: pymarc's add_ordered_field is not annotated
    return record


def inspect_record(record: Record) -> None:
    reveal_type(record["245"])
    reveal_type(record.get("245"))
    reveal_type(record.get_fields("650", "651"))
    reveal_type(record.fields)
    reveal_type(record.leader)
    reveal_type(record.title)
    reveal_type(record.isbn)
    reveal_type(record.author)
    reveal_type(record.subjects)
    reveal_type(record.pubyear)
    reveal_type(record.as_marc())
    reveal_type(record.as_json())  # differs: pyright: pymarc does not annotate **kwargs
    reveal_type(record.as_dict())
    reveal_type(record.as_marc21())
    reveal_type("245" in record)
    field = record["245"]
    reveal_type(field.tag)
    reveal_type(field.indicators)
    reveal_type(field.indicator1)
    reveal_type(field.subfields)
    reveal_type(field.get("a"))
    reveal_type(field.get("a", ""))
    reveal_type(field["a"])
    reveal_type(field.get_subfields("a", "b"))  # differs: pyright: pymarc does not annotate *codes
    reveal_type(field.value())
    reveal_type(field.format_field())
    reveal_type(field.subfields_as_dict())  # differs: mypy, pyright: pymarc says dict[str, list]; pymrrc dict[str, list[str]]
    reveal_type(field.delete_subfield("c"))
    reveal_type(field.is_control_field())
    reveal_type(field.as_marc("utf-8"))
    reveal_type(field.linkage_occurrence_num())
    for subfield in field:
        reveal_type(subfield)  # differs: mypy: pymarc's Field.__iter__ is not annotated (Any)
    leader = record.leader
    reveal_type(leader.record_status)
    leader.type_of_record = "a"
    reveal_type(leader[5])
    isbns = [f["a"] for f in record.get_fields("020") if "a" in f]
    print(" ".join(isbns))


def read_file(path: str) -> int:
    count = 0
    with open(path, "rb") as handle:
        reader = MARCReader(handle, to_unicode=True, force_utf8=True)
        reveal_type(reader)
        for record in reader:
            reveal_type(record)  # differs: mypy: pymarc's MARCReader.__iter__ is not annotated (Any)
            if record is None:
                print(reader.current_exception, file=sys.stderr)
                continue
            count += 1
    return count


def write_records(records: list[Record]) -> bytes:
    out = io.BytesIO()
    writer = MARCWriter(out)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return out.getvalue()


def round_trip_xml(record: Record) -> list[Record]:
    data = record_to_xml(record)  # differs: mypy: pymarc's record_to_xml is not annotated
    reveal_type(data)  # differs: mypy: pymarc's record_to_xml is not annotated (Any)
    records = parse_xml_to_array(io.BytesIO(data))  # differs: mypy, pyright: pymarc's parse_xml_to_array is not annotated
    reveal_type(records)  # differs: mypy, pyright: pymrrc says list[Record], pymarc Any
    return records  # differs: mypy, pyright: returning pymarc's Any / list[Unknown]


def handle_errors(data: bytes) -> str:
    try:
        Record(data=data)
    except pymarc.exceptions.RecordLengthInvalid as error:
        return str(error)
    except pymarc.RecordLeaderInvalid:
        return "bad leader"
    return "ok"


def mistakes(record: Record, field: Field) -> None:
    field.add_subfield(1, 2)  # differs: pyright: pymarc does not annotate pos  # error
    record.add_field("245")  # differs: mypy, pyright: pymarc's add_field is not annotated  # error-pymrrc
    Field(tag=245)  # error
    record.get_fields(650)  # error
    Leader(24)  # error
    title: int = record.title  # error


if __name__ == "__main__":
    built = build_record()
    inspect_record(built)
    print(len(write_records([built])), handle_errors(b"bad"), len(round_trip_xml(built)))
