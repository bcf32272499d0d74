"""Entry point for `python -m newsbook`."""

import sys

from newsbook.launch import main

sys.exit(main())
