"""One error root, so the CLI can catch once and print one line.

Library code raises these; only the CLI turns them into a message and an exit code.
"""


class GraphfraudError(Exception):
    """Anything graphfraud reports to a user. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(GraphfraudError):
    """Bad arguments or unusable input files (missing file, missing required column)."""

    exit_code = 2


class InputError(UsageError):
    """A problem with one input file, named with its row and column where known."""

    def __init__(self, file, reason, row=None, column=None):
        self.file, self.reason, self.row, self.column = str(file), reason, row, column
        where = self.file
        if row is not None:
            where += f", line {row}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {reason}")


class StoreError(GraphfraudError):
    """The graph database refused or failed a statement; names the statement."""


class ServerError(GraphfraudError):
    """The local graph server could not be started, reached or stopped."""


class NotFoundError(GraphfraudError):
    """An id that names nothing in the graph."""


class LockedError(GraphfraudError):
    """Another run holds the lock."""
