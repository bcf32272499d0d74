"""Exceptions the library raises; the CLI turns them into one-line messages."""


class NewsbookError(Exception):
    """Base class for errors caused by input the user gave (files, config, options)."""

    exit_code = 2  # usage or config error


class ConfigError(NewsbookError):
    """newsbook.toml is missing, malformed, or has an unknown key or wrong type."""


class SourceError(NewsbookError):
    """A source could not be read: missing, unsupported, undecodable, or empty."""


class BuildError(NewsbookError):
    """An output could not be written."""


class NothingBuilt(NewsbookError):
    """The build ran but produced nothing: no readable article, or --strict with failures."""

    exit_code = 1
