"""``python -m wsspi_sim`` runs the command line."""

import sys

from .cli import main

sys.exit(main())
