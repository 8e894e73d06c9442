"""Sphinx configuration for pymrrc's API reference (``make docs``).

The reference is built from the installed package's docstrings, the same
text ``help()`` shows, native (Rust) methods included.
"""

from importlib import metadata

project = "pymrrc"
author = "the pymrrc developers"
copyright = "2026, the pymrrc developers"
release = metadata.version("pymrrc")
version = release

extensions = ["sphinx.ext.autodoc"]

# Each class lists its members, those of pymrrc's native base classes
# included (Field.value, Record.as_marc, MARCReader.current_exception) but
# not those inherited from Python's own classes (the ``:inherited-members:``
# exclusions in the .rst files: tuple.count, Exception.args, ContentHandler's
# callbacks).
autodoc_default_options = {
    "exclude-members": "__new__",
    "show-inheritance": True,
    "member-order": "bysource",
}
autodoc_typehints = "signature"
autodoc_class_signature = "separated"
add_module_names = False
toc_object_entries = False

# The docstrings' own characters ("...", 'a'), as help() shows them.
smartquotes = False

html_theme = "alabaster"
html_title = f"pymrrc {release} API reference"
html_show_sourcelink = False
exclude_patterns = ["_build"]
