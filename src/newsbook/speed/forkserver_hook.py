"""Imported by the fork server only (its preload list): a worker that cannot start because its
build stopped meanwhile ends without a traceback on the user's terminal."""

from __future__ import annotations

import pickle
import sys

_default = sys.excepthook


def _quiet(kind, value, trace):
    # The only errors that reach the fork server's handler are a child's start-up: reading
    # its pickled state from the build. A build that is interrupted or killed at that moment
    # leaves a truncated pipe or semaphores already unlinked; nothing there is worth a word.
    if issubclass(kind, (OSError, EOFError, pickle.UnpicklingError)):
        return
    _default(kind, value, trace)


sys.excepthook = _quiet
