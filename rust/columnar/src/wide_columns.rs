//! Which columns a `wide` table has (a selection, or what the first records
//! hold), their names and schema, and finding a value's column by tag and
//! subfield code.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pymrrc_core::visit::RecordSink;

use crate::error::ColumnarError;
use crate::nested::fields_type;

/// Which columns a wide table has.
#[derive(Clone, Debug)]
pub struct WideColumns {
    /// `(tag, code)` of each list column in order; `code` is `None` for a
    /// control field's column.
    columns: Vec<(String, Option<String>)>,
    pub(crate) leader: bool,
    pub(crate) other: bool,
    lookup: Arc<Lookup>,
    schema: SchemaRef,
}

impl PartialEq for WideColumns {
    fn eq(&self, other: &Self) -> bool {
        (&self.columns, self.leader, self.other) == (&other.columns, other.leader, other.other)
    }
}

impl Eq for WideColumns {}

impl Default for WideColumns {
    fn default() -> Self {
        Self::build(Vec::new(), false, false)
    }
}

/// The columns of one tag: a control field's column, or one per subfield
/// code (ASCII codes in a table, others by name).
#[derive(Debug)]
pub(crate) struct TagColumns {
    control: Option<usize>,
    /// Column + 1 per ASCII code; 0: none.
    ascii: [u32; 128],
    others: HashMap<Vec<u8>, usize>,
}

impl Default for TagColumns {
    fn default() -> Self {
        Self {
            control: None,
            ascii: [0; 128],
            others: HashMap::new(),
        }
    }
}

impl TagColumns {
    pub(crate) fn control(&self) -> Option<usize> {
        self.control
    }

    /// The column of subfield `code`.
    pub(crate) fn code(&self, code: &[u8]) -> Option<usize> {
        match code {
            [c] if c.is_ascii() => match self.ascii[usize::from(*c)] {
                0 => None,
                n => Some(n as usize - 1),
            },
            _ => self.others.get(code).copied(),
        }
    }

    fn insert(&mut self, code: &[u8], column: usize) {
        match code {
            [c] if c.is_ascii() => {
                self.ascii[usize::from(*c)] = u32::try_from(column + 1).unwrap_or(0);
            }
            _ => {
                self.others.insert(code.to_vec(), column);
            }
        }
    }
}

/// Tag → its columns: three-digit tags through a table, others by name.
#[derive(Debug)]
struct Lookup {
    /// Index into `tags` + 1 per numeric tag; 0: none.
    numeric: Vec<u32>,
    named: HashMap<Vec<u8>, usize>,
    tags: Vec<TagColumns>,
}

fn numeric_index(tag: &[u8]) -> Option<usize> {
    match tag {
        [a, b, c] if tag.iter().all(u8::is_ascii_digit) => {
            Some(usize::from(a - b'0') * 100 + usize::from(b - b'0') * 10 + usize::from(c - b'0'))
        }
        _ => None,
    }
}

impl Lookup {
    fn new(columns: &[(String, Option<String>)]) -> Self {
        let mut lookup = Self {
            numeric: vec![0; 1000],
            named: HashMap::new(),
            tags: Vec::new(),
        };
        for (i, (tag, code)) in columns.iter().enumerate() {
            let at = match lookup.find(tag.as_bytes()) {
                Some(at) => at,
                None => {
                    lookup.tags.push(TagColumns::default());
                    let at = lookup.tags.len() - 1;
                    match numeric_index(tag.as_bytes()) {
                        Some(n) => lookup.numeric[n] = u32::try_from(at + 1).unwrap_or(0),
                        None => {
                            lookup.named.insert(tag.as_bytes().to_vec(), at);
                        }
                    }
                    at
                }
            };
            let entry = &mut lookup.tags[at];
            match code {
                None => entry.control = Some(i),
                Some(c) => entry.insert(c.as_bytes(), i),
            }
        }
        lookup
    }

    fn find(&self, tag: &[u8]) -> Option<usize> {
        match numeric_index(tag) {
            Some(n) => match self.numeric[n] {
                0 => None,
                at => Some(at as usize - 1),
            },
            None => self.named.get(tag).copied(),
        }
    }
}

impl WideColumns {
    fn build(columns: Vec<(String, Option<String>)>, leader: bool, other: bool) -> Self {
        let lookup = Arc::new(Lookup::new(&columns));
        let mut spec = Self {
            columns,
            leader,
            other,
            lookup,
            schema: Arc::new(Schema::empty()),
        };
        spec.schema = spec.make_schema();
        spec
    }

    /// A selection, as marctable's `--column` takes it: `"245a"` (or
    /// `"F245a"`) for a data field's subfield, `"001"` (or `"F001"`) for a
    /// control field, `"LDR"` (or `"FLDR"`) for the leader and `"other"`
    /// for the catch-all column.
    ///
    /// # Errors
    /// [`ColumnarError::UnknownColumn`] for a name of another shape,
    /// including a data field's tag alone.
    pub fn select<S: AsRef<str>>(names: &[S]) -> Result<Self, ColumnarError> {
        let mut columns = Vec::new();
        let (mut leader, mut other) = (false, false);
        for name in names {
            let name = name.as_ref();
            let bare = name.strip_prefix('F').unwrap_or(name);
            match bare {
                "LDR" => leader = true,
                "other" if name == "other" => other = true,
                _ => {
                    let (tag, code) = split_column(bare)
                        .filter(|_| !bare.contains('\0'))
                        .ok_or_else(|| ColumnarError::UnknownColumn(name.to_owned()))?;
                    let key = (tag.to_owned(), code.map(str::to_owned));
                    if !columns.contains(&key) {
                        columns.push(key);
                    }
                }
            }
        }
        Ok(Self::build(columns, leader, other))
    }

    /// Every column `scan` found, in tag and code order, with the leader
    /// and `other`.
    #[must_use]
    pub fn discovered(scan: &ColumnScan) -> Self {
        // A name holding NUL cannot cross Arrow's C interface (names are C
        // strings): such a tag or code keeps its values in `other`.
        let columns = scan
            .found
            .iter()
            .filter(|(tag, code)| {
                !tag.contains('\0') && !code.as_deref().is_some_and(|c| c.contains('\0'))
            })
            .cloned()
            .collect();
        Self::build(columns, true, true)
    }

    /// How many list columns (one per tag and code).
    pub(crate) fn len(&self) -> usize {
        self.columns.len()
    }

    /// The columns of `tag`, if it has any.
    pub(crate) fn tag(&self, tag: &[u8]) -> Option<&TagColumns> {
        self.lookup.find(tag).map(|at| &self.lookup.tags[at])
    }

    /// The column names, in order (without `record_id`).
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if self.leader {
            names.push("FLDR".to_owned());
        }
        for (tag, code) in &self.columns {
            names.push(format!("F{tag}{}", code.as_deref().unwrap_or("")));
        }
        if self.other {
            names.push("other".to_owned());
        }
        names
    }

    /// The schema of a wide table with these columns.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn make_schema(&self) -> SchemaRef {
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)));
        let mut fields = vec![Field::new("record_id", DataType::Int64, false)];
        for name in self.names() {
            let field = match name.as_str() {
                "FLDR" => Field::new(name, DataType::Utf8, false),
                "other" => Field::new(name, fields_type(), true),
                _ => Field::new(name, list.clone(), true),
            };
            fields.push(field);
        }
        Arc::new(Schema::new(fields))
    }
}

/// `"245a"` → `("245", Some("a"))`, `"001"` → `("001", None)`.
fn split_column(name: &str) -> Option<(&str, Option<&str>)> {
    let tag = name.get(..3)?;
    let code = name.get(3..)?;
    let control = tag.bytes().all(|b| b.is_ascii_digit()) && tag < "010";
    match (control, code.chars().count()) {
        (true, 0) => Some((tag, None)),
        (false, 1) => Some((tag, Some(code))),
        _ => None,
    }
}

/// Collects the columns a wide table needs for the records walked into it.
#[derive(Debug, Default)]
pub struct ColumnScan {
    found: BTreeSet<(String, Option<String>)>,
    tag: String,
}

impl ColumnScan {
    fn note(&mut self, tag: &str, code: Option<&str>) {
        // Most values repeat a column already found: look before allocating.
        let seen = self
            .found
            .range::<(String, Option<String>), _>((tag.to_owned(), None)..)
            .take_while(|(t, _)| t == tag)
            .any(|(_, c)| c.as_deref() == code);
        if !seen {
            self.found.insert((tag.to_owned(), code.map(str::to_owned)));
        }
    }
}

impl RecordSink for ColumnScan {
    fn leader(&mut self, _text: &str) {}
    fn control_field(&mut self, tag: &str, _data: &str) {
        self.note(tag, None);
    }
    fn begin_data_field(&mut self, tag: &str, _ind1: &str, _ind2: &str) {
        self.tag.clear();
        self.tag.push_str(tag);
    }
    fn subfield(&mut self, code: &str, _value: &str) {
        let tag = std::mem::take(&mut self.tag);
        self.note(&tag, Some(code));
        self.tag = tag;
    }
    fn end_data_field(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_columns_by_tag_and_code() {
        let spec = WideColumns::select(&["245a", "245\u{e9}", "001", "ABCx"]).unwrap();
        let t245 = spec.tag(b"245").unwrap();
        assert_eq!(t245.code(b"a"), Some(0));
        assert_eq!(t245.code("\u{e9}".as_bytes()), Some(1));
        assert_eq!(t245.code(b"b"), None);
        assert_eq!(spec.tag(b"001").unwrap().control(), Some(2));
        assert_eq!(spec.tag(b"ABC").unwrap().code(b"x"), Some(3));
        assert!(spec.tag(b"650").is_none());
        assert!(spec.tag(b"24").is_none());
    }

    #[test]
    fn a_scan_notes_each_column_once() {
        let mut scan = ColumnScan::default();
        for _ in 0..3 {
            scan.control_field("001", "x");
            scan.begin_data_field("245", " ", " ");
            scan.subfield("a", "x");
            scan.subfield("b", "x");
        }
        let names = WideColumns::discovered(&scan).names();
        assert_eq!(names, ["FLDR", "F001", "F245a", "F245b", "other"]);
    }
}
