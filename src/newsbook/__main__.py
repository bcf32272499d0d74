"""Entry point for `python -m newsbook`."""

import sys

from newsbook.speed.launch import main

sys.exit(main())
