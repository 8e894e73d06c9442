//! MARC-8 to Unicode, with pymarc 5.4's results.
//!
//! MARC-8 is an ISO 2022 style encoding: escape sequences choose the
//! character sets in use as G0 (bytes 0x21-0x7E) and G1 (0xA1-0xFE),
//! combining marks come before the letter they modify, and the East Asian
//! set (EACC) takes three bytes per character.
//!
//! * [`decode`] turns MARC-8 bytes into NFC text the way pymarc's
//!   `MARC8ToUnicode.translate` does, quirks included, and reports what
//!   pymarc writes to `sys.stderr` as [`Marc8Note`]s and the inputs on
//!   which pymarc raises as a [`Marc8Error`].
//! * [`transcode_record`] rewrites a validated MARC-8 record as UTF-8 text
//!   with the same field structure, as pymarc's `decode_marc` decodes it.
//!
//! * [`encode`] turns Unicode text into MARC-8 that pymarc reads back as
//!   the same (NFC) text, with `&#xXXXX;` for characters MARC-8 lacks;
//!   [`Marc8RecordWriter`] writes a whole record that way.
//!
//! The tables in `table.rs` (and reversed, in `encode_table.rs`) are
//! generated from `pymrrc/marc8_mapping.py` by `tools/gen_marc8_table_rs.py`.

mod decode;
mod encode;
#[rustfmt::skip]
mod encode_table;
mod record;
#[rustfmt::skip]
mod table;
mod write;

pub use decode::{decode, Charsets, Marc8Error, Marc8Note, ANSEL, BASIC_LATIN};
pub use encode::{encode, encode_latin1};
pub use record::{transcode_record, Transcoded};
pub use write::Marc8RecordWriter;
