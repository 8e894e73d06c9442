//! Byte values and sizes fixed by ISO 2709 / MARC 21.

/// Length of the record leader in bytes.
pub const LEADER_LEN: usize = 24;
/// Length of one directory entry: tag (3), field length (4), offset (5).
pub const DIRECTORY_ENTRY_LEN: usize = 12;
/// Ends every field and the directory.
pub const END_OF_FIELD: u8 = 0x1E;
/// Ends a record.
pub const END_OF_RECORD: u8 = 0x1D;
/// Starts every subfield.
pub const SUBFIELD_INDICATOR: u8 = 0x1F;
