"""python3 -m dcdn_simulator: the same as contrib/dcdn-simulator."""

import sys

from .cli import main

sys.exit(main())
