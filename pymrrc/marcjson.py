"""MARC-in-JSON input: turn decoded JSON objects into records."""

import typing as _typing

from pymrrc.field import Field, Indicators
from pymrrc.leader import Leader
from pymrrc.reader import JSONReader
from pymrrc.record import Record

# One decoded MARC-in-JSON object (a record, or a data field's body).
_JSONObject = dict[str, _typing.Any]


class JSONHandler:
    """Build records from MARC-in-JSON objects (as produced by ``json.load``).

    Each finished record goes to :meth:`process_record`, which collects it in
    ``self.records``; override it to handle records one by one.

    Note that the input objects are consumed: every field and subfield
    mapping is emptied with ``dict.popitem`` while it is read, so the entry
    used for a field or subfield is the *last* key of its mapping.
    """

    def __init__(self) -> None:
        """Start with no records."""
        self.records: list[Record] = []
        self._record: Record | None = None
        self._field: Field | None = None
        self._text: list[str] = []

    def element(self, element_dict: _JSONObject, name: str | None = None) -> None:
        """Process one part of a MARC-in-JSON object.

        Without ``name`` the whole object is read as a new record; ``name``
        selects the ``"leader"``, ``"fields"`` or ``"subfields"`` member of
        ``element_dict`` (the record, or the body of a data field).
        """
        if not name:
            self._record = Record()
            self.element(element_dict, "leader")
        elif name == "leader" and self._record:
            self._record.leader = Leader(element_dict[name])
            self.element(element_dict, "fields")
        elif name == "fields" and self._record:
            for entry in iter(element_dict[name]):
                tag, body = entry.popitem()
                self._field = Field(tag)
                if self._field.control_field:
                    self._field.data = body
                else:
                    self.element(body, "subfields")
                    self._field.indicators = Indicators(body["ind1"], body["ind2"])
                self._record.add_field(self._field)
            self.process_record(self._record)
        elif name == "subfields" and self._field:
            for entry in iter(element_dict[name]):
                code, value = entry.popitem()
                self._field.add_subfield(code, value)

    def elements(self, dict_list: _JSONObject | list[_JSONObject]) -> list[Record]:
        """Read one MARC-in-JSON object, or a list of them; return all records."""
        items = _typing.cast("list[_JSONObject]", dict_list if type(dict_list) is list else [dict_list])
        for item in items:
            self.element(item)
        return self.records

    def process_record(self, record: Record) -> None:
        """Receive one finished record (default: add it to ``self.records``)."""
        self.records.append(record)


def parse_json_to_array(json_file: str | _typing.IO[str]) -> list[Record]:
    """Read MARC-in-JSON from ``json_file`` and return a list of records.

    ``json_file`` is anything :class:`~pymrrc.reader.JSONReader` accepts: a
    path, a text stream, or the JSON text itself.
    """
    reader = JSONReader(json_file)
    return JSONHandler().elements(reader.records)
