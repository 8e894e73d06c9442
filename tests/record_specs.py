"""Records described as plain data, built with either library's own classes:
the specs the writer, MARCXML and MARC-in-JSON tests share.

A spec is ``(leader or None, fields)``; a field is ``(tag, data)`` for a
control field or ``(tag, (ind1, ind2), [(code, value), ...])`` for a data
field. The specs cover what serialisers must escape or keep: markup
characters, raw control characters, combining and astral characters, lone
surrogates, a MARC-8 leader, alphabetic tags, an empty record and one with
no leader.
"""

UTF8_LEADER = "00000nam a2200000 i 4500"
LATIN1_LEADER = "00000nam  2200000 i 4500"

SPECS = {
    "book": (
        UTF8_LEADER,
        [
            ("001", "ocm12345678"),
            ("005", "20200101123456.0"),
            ("008", "200101s2020    nyu           000 0 eng d"),
            ("020", (" ", " "), [("a", "9780000000002"), ("q", "pbk.")]),
            ("100", ("1", " "), [("a", "Doe, Jane,"), ("e", "author.")]),
            ("245", ("1", "0"), [("a", "A title :"), ("b", "a subtitle /"), ("c", "Jane Doe.")]),
            ("650", (" ", "0"), [("a", "Cats"), ("v", "Juvenile fiction.")]),
        ],
    ),
    "escapes": (
        UTF8_LEADER,
        [
            ("001", "a&b<c>d\"e'f"),
            ("003", ""),
            ("009", "\t\r\n"),
            (
                "245",
                ('"', "<"),
                [
                    ("a", "Fish & chips <b>bold</b> \"quoted\" 'single' >"),
                    ("&", "ampersand code"),
                    ('"', "quote code"),
                    ("b", ""),
                    ("c", "line1\nline2\r\nline3\ttab"),
                ],
            ),
            ("500", ("\t", "\n"), [("a", "x")]),
            ("520", ("&", ">"), [("\r", "cr code")]),
            ("650", (" ", "0"), []),
        ],
    ),
    "unicode": (
        UTF8_LEADER,
        [
            ("001", "\u00e9t\u00e9"),
            (
                "245",
                ("0", "0"),
                [
                    ("a", "\u00dcn\u00efc\u00f6d\u00e9 \u00c6\u00d8\u00c5 \u4e2d\u6587 \U0001f600"),
                    ("b", "e\u0301 \ufb01 \u00a0 \u212b A\u030a \u200b"),
                ],
            ),
        ],
    ),
    "controls": (UTF8_LEADER, [("245", (" ", " "), [("a", "\x1b\x7f\x01 controls")])]),
    "surrogate": (UTF8_LEADER, [("245", (" ", " "), [("a", "lone \ud800 surrogate \udfff")])]),
    "latin1": (
        LATIN1_LEADER,
        [("001", "caf\u00e9"), ("245", ("1", "0"), [("a", "Caf\u00e9 \u00e0 la cr\u00e8me")])],
    ),
    "empty": (UTF8_LEADER, []),
    "default_leader": (None, [("001", "x"), ("245", ("0", "0"), [("a", "y")])]),
    "odd_tags": (
        UTF8_LEADER,
        [
            ("00A", (" ", " "), [("a", "alpha tag below 010")]),
            ("CAT", ("0", "1"), [("a", "cataloguer")]),
            ("880", ("1", "0"), [("6", "245-01"), ("a", "\u65e5\u672c\u8a9e")]),
        ],
    ),
    "amp_leader": ("00000nam&a22<0000>i 4500", [("001", "x")]),
}

# Specs whose MARCXML can be parsed back (no raw control characters or surrogates).
PARSEABLE_SPECS = sorted(set(SPECS) - {"controls", "surrogate", "escapes"})


def build(lib, spec):
    """Build a record from a spec with ``lib``'s own classes."""
    leader, fields = spec
    record = lib.record.Record()
    if leader is not None:
        record.leader = lib.leader.Leader(leader)
    for item in fields:
        if len(item) == 2:
            tag, data = item
            record.add_field(lib.field.Field(tag=tag, data=data))
        else:
            tag, (ind1, ind2), subfields = item
            record.add_field(
                lib.field.Field(
                    tag=tag,
                    indicators=lib.field.Indicators(ind1, ind2),
                    subfields=[lib.field.Subfield(code=c, value=v) for c, v in subfields],
                )
            )
    return record
