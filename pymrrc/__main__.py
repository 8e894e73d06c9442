"""``python -m pymrrc``: the ``pymrrc`` command (see :mod:`pymrrc.cli`)."""

import sys

from pymrrc.cli import main

sys.exit(main())
