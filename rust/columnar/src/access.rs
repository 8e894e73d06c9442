//! Reading columns of a table that came back from elsewhere (Parquet,
//! Polars, DuckDB), whatever string and list types it uses: `string`,
//! `large_string` or `string_view`; `list` or `large_list`.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int32Array, Int64Array, StructArray};
use arrow_schema::DataType;

use crate::error::ColumnarError;

/// A string column of any of Arrow's three string types.
pub(crate) enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Strings<'a> {
    pub(crate) fn of(array: &'a ArrayRef, name: &str) -> Result<Self, ColumnarError> {
        match array.data_type() {
            DataType::Utf8 => Ok(Self::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Self::Large(array.as_string::<i64>())),
            DataType::Utf8View => Ok(Self::View(array.as_string_view())),
            other => Err(ColumnarError::Schema(format!(
                "column {name} is {other}, not a string"
            ))),
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Self::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Self::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Self::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// An integer column (`int32` or `int64`).
pub(crate) enum Ints<'a> {
    I32(&'a Int32Array),
    I64(&'a Int64Array),
}

impl<'a> Ints<'a> {
    pub(crate) fn of(array: &'a ArrayRef, name: &str) -> Result<Self, ColumnarError> {
        match array.data_type() {
            DataType::Int32 => Ok(Self::I32(array.as_primitive())),
            DataType::Int64 => Ok(Self::I64(array.as_primitive())),
            other => Err(ColumnarError::Schema(format!(
                "column {name} is {other}, not an integer"
            ))),
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<i64> {
        match self {
            Self::I32(a) => a.is_valid(i).then(|| i64::from(a.value(i))),
            Self::I64(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A list column (`list` or `large_list`) of structs.
pub(crate) struct Lists<'a> {
    offsets: Vec<usize>,
    array: &'a dyn Array,
    pub(crate) items: &'a StructArray,
}

impl<'a> Lists<'a> {
    pub(crate) fn of(array: &'a ArrayRef, name: &str) -> Result<Self, ColumnarError> {
        let (offsets, values): (Vec<usize>, &ArrayRef) = match array.data_type() {
            DataType::List(_) => {
                let l = array.as_list::<i32>();
                (
                    l.value_offsets()
                        .iter()
                        .map(|&o| usize::try_from(o).unwrap_or(0))
                        .collect(),
                    l.values(),
                )
            }
            DataType::LargeList(_) => {
                let l = array.as_list::<i64>();
                (
                    l.value_offsets()
                        .iter()
                        .map(|&o| usize::try_from(o).unwrap_or(0))
                        .collect(),
                    l.values(),
                )
            }
            other => {
                return Err(ColumnarError::Schema(format!(
                    "column {name} is {other}, not a list"
                )))
            }
        };
        let items = values.as_struct_opt().ok_or_else(|| {
            ColumnarError::Schema(format!("column {name} is not a list of structs"))
        })?;
        Ok(Self {
            offsets,
            array: array.as_ref(),
            items,
        })
    }

    /// The item range of row `i`, `None` for a null list.
    pub(crate) fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        if self.array.is_null(i) {
            return None;
        }
        Some(self.offsets[i]..self.offsets[i + 1])
    }
}

/// The child column `name` of a struct array.
pub(crate) fn child<'a>(items: &'a StructArray, name: &str) -> Result<&'a ArrayRef, ColumnarError> {
    items
        .column_by_name(name)
        .ok_or_else(|| ColumnarError::Schema(format!("no {name} in the list's structs")))
}
