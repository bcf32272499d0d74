"""Entry point for `python -m newsbook`."""

import sys

from newsbook.cli import main

sys.exit(main())
