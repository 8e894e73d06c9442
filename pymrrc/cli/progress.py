"""Progress on standard error through tqdm, an optional dependency
(``pip install 'pymrrc[progress]'``; see docs/decisions/0014).

Shown by default when standard error is a terminal and tqdm is installed;
``--progress`` asks for it (with a one-line hint when tqdm is missing),
``--no-progress`` turns it off. The bar counts input bytes (with the time
left when the total is known) and shows records and records per second.
"""

from __future__ import annotations

import importlib
import sys
import time
import typing

_HINT = "pymrrc: progress needs tqdm: pip install 'pymrrc[progress]'"


def _tqdm() -> typing.Any:
    try:
        module = importlib.import_module("tqdm")
    except ImportError:
        return None
    return module.tqdm


class Progress:
    """Progress over all inputs of one command."""

    def __init__(self, wanted: bool | None, total: int | None) -> None:
        asked = wanted
        if wanted is None:
            wanted = sys.stderr.isatty()
        # tqdm is imported only for a bar (importing it takes longer than
        # many a whole job).
        tqdm = _tqdm() if wanted else None
        if asked and tqdm is None:
            print(_HINT, file=sys.stderr)
        self._bar: typing.Any = None
        if wanted and tqdm is not None:
            self._bar = tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                dynamic_ncols=True,
            )
        self._done = 0
        self._base = 0
        self._records = 0
        self._started = time.monotonic()

    @property
    def active(self) -> bool:
        return self._bar is not None

    def next_input(self, label: str) -> None:
        """Starts the next input (its bytes follow the previous ones')."""
        self._base = self._done
        if self._bar is not None:
            self._bar.set_description_str(label, refresh=False)

    def update(self, position: int, records: int) -> None:
        """``position``: bytes read of the current input; ``records``: new
        records since the last update."""
        self._records += records
        if self._bar is None:
            return
        done = self._base + position
        elapsed = max(time.monotonic() - self._started, 1e-9)
        self._bar.set_postfix_str(
            f"{self._records:,} records, {self._records / elapsed:,.0f} rec/s", refresh=False
        )
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def close(self) -> None:
        """Shows the final figures and ends the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
