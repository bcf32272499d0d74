"""Exceptions the library raises; the CLI turns them into one-line messages."""


class NewsbookError(Exception):
    """Base class for errors caused by input the user gave (files, config, options)."""

    exit_code = 2  # usage or config error


class ConfigError(NewsbookError):
    """newsbook.toml is missing, malformed, or has an unknown key or wrong type."""


class SourceError(NewsbookError):
    """A source could not be read: missing, unsupported, undecodable, or empty."""


class BuildError(NewsbookError):
    """An output could not be built: a template, the cover, a file name that is a folder."""


class WriteError(BuildError):
    """An output could not be written (disk full, read-only or missing folder): nothing landed."""

    # The command line was right and nothing was built; the same command can succeed once the
    # disk or folder is fixed, so this is "built nothing" (1), not a usage error (2).
    exit_code = 1


class StateError(NewsbookError):
    """The project's state file (.newsbook/state.sqlite) is damaged or cannot be used."""


class Busy(NewsbookError):
    """Another build of the same project holds its lock."""

    # EX_TEMPFAIL from sysexits.h: a temporary condition, so a script or cron job can tell
    # "try again later" apart from a mistake in the command or config (2).
    exit_code = 75


class NothingBuilt(NewsbookError):
    """The build ran but produced nothing: no readable article, or --strict with failures."""

    exit_code = 1
