"""Entry point for `python -m newsbook`."""

from newsbook.cli import main

main()
