"""What the lazy-field tests read of a field (MARC and MARCXML records alike)."""

SUBJECT_CODES = ("a", "b", "v", "x", "y", "z", "6")


def reads(field):
    """Every read a lazy field answers from its bytes."""
    out = {"value": field.value(), "format": field.format_field(), "str": str(field)}
    for code in SUBJECT_CODES + ("q",):
        out[f"get {code}"] = field.get(code, "?")
        out[f"in {code}"] = code in field
        try:
            out[f"[{code}]"] = field[code]
        except KeyError:
            out[f"[{code}]"] = KeyError
    out["subfields a"] = field.get_subfields("a")
    out["subfields a e x"] = field.get_subfields("a", "e", "x")
    out["subfields none"] = field.get_subfields()
    out["subfields long code"] = field.get_subfields("ab")
    return out


def data_fields(record):
    """The data fields of `record`, in order."""
    return [f for f in record.fields if not f.is_control_field()]
