"""pymarc's own steps for the ``Record`` methods ``RecordBase`` answers
natively: ``as_marc``, ``as_dict``, ``as_json`` and one step of iteration.

The native versions run for an exact ``Record`` (or a subclass overriding
nothing they rely on) whose contents are what the reader produces. For any
other record these run instead; they read and assign the record's
attributes in pymarc's order, so a subclass's overrides of attribute access,
``leader``, ``fields``, ``to_unicode``, ``__iter__``... see exactly the calls
pymarc makes. ``names`` is the ``pymrrc.record`` module's namespace, where
pymarc's code finds ``Leader`` and ``RawField``.
"""

import json
import typing

from pymrrc.constants import END_OF_FIELD, END_OF_RECORD, LEADER_LEN


def next_field(record: typing.Any) -> typing.Any:
    """One step of ``for field in record`` (pymarc's ``Record.__next__``)."""
    if record._Record__pos >= len(record.fields):
        raise StopIteration
    record._Record__pos += 1
    return record.fields[record._Record__pos - 1]


def as_marc(record: typing.Any, names: dict[str, typing.Any]) -> bytes:
    """The record in transmission format; with ``to_unicode``, leader
    position 9 is set to 'a' first (on the record itself)."""
    Leader, RawField = names["Leader"], names["RawField"]
    fields = b""
    directory = b""
    offset = 0
    if record.to_unicode:
        if isinstance(record.leader, Leader):
            record.leader.coding_scheme = "a"
        else:
            record.leader = record.leader[0:9] + "a" + record.leader[10:]
    encoding = "utf-8" if record.leader[9] == "a" or record.force_utf8 else "iso8859-1"
    for field in record.fields:
        if isinstance(field, RawField):
            field_data = field.as_marc()
        else:
            field_data = field.as_marc(encoding=encoding)
        fields += field_data
        if field.tag.isdigit():
            directory += f"{int(field.tag):03d}".encode(encoding)
        else:
            directory += f"{field.tag:>03}".encode(encoding)
        directory += f"{len(field_data):04d}{offset:05d}".encode(encoding)
        offset += len(field_data)
    directory += END_OF_FIELD.encode(encoding)
    fields += END_OF_RECORD.encode(encoding)
    base_address = LEADER_LEN + len(directory)
    record_length = base_address + len(fields)
    leader: str = f"{record_length:0>5}{record.leader[5:12]}{base_address:0>5}{record.leader[17:]}"
    return leader.encode(encoding) + directory + fields


def as_dict(record: typing.Any) -> dict[str, object]:
    """The record as a MARC-in-JSON dictionary."""
    out_fields: list[dict[str, object]] = []
    result: dict[str, object] = {"leader": str(record.leader), "fields": out_fields}
    for field in record:
        if field.control_field:
            out_fields.append({field.tag: field.data})
        else:
            out_fields.append(
                {
                    field.tag: {
                        "ind1": field.indicator1,
                        "ind2": field.indicator2,
                        "subfields": [{sub.code: sub.value} for sub in field.subfields],
                    }
                }
            )
    return result


def as_json(record: typing.Any, **kwargs: typing.Any) -> str:
    """The record as MARC-in-JSON text; keyword arguments go to json.dumps."""
    return json.dumps(record.as_dict(), **kwargs)
