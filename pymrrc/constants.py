"""Fixed values from the MARC 21 transmission format (ISO 2709 framing)."""

# Size, in characters, of the record leader that opens every record.
LEADER_LEN = 24

# Size, in characters, of one entry (tag + length + offset) in the directory.
DIRECTORY_ENTRY_LEN = 12

# Delimiter placed before each subfield code (ASCII unit separator).
SUBFIELD_INDICATOR = chr(0x1F)

# Terminator written after the directory and after every field (record separator).
END_OF_FIELD = chr(0x1E)

# Terminator written at the very end of a record (group separator).
END_OF_RECORD = chr(0x1D)
