//! Hooks for pymrrc's own tests. Not API: the name says so, and nothing in
//! the `pymrrc` package calls it.

use pyo3::prelude::*;

/// Panics with `message`: on the calling thread with the GIL held, or, with
/// `detached`, inside a GIL-released section (where the readers frame and
/// validate). `tests/test_panic_safety.py` checks that both reach Python as
/// pyo3's `PanicException` and that the interpreter carries on: the release
/// profile unwinds (`panic = "unwind"`), it never aborts.
#[pyfunction]
#[pyo3(signature = (message, detached = false))]
pub(crate) fn _panic_for_tests(py: Python<'_>, message: &str, detached: bool) {
    if detached {
        let message = message.to_owned();
        py.detach(move || panic!("{message}"));
    } else {
        panic!("{message}");
    }
}
