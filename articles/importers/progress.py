"""A one-line progress bar for long imports, drawn only on a terminal (any importer may use it)."""

import sys


class ProgressBar:
    """``bar(done, total)`` redraws ``[#####.....] 12/40`` in place; ``close()`` ends the line.

    On anything but a terminal (a log file, a pipe, a test) it draws nothing, unless
    ``enabled`` says otherwise (a command's ``--progress`` / ``--no-progress``).
    """

    def __init__(self, stream=None, *, width: int = 30, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        filled = self.width * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Move past the bar so the report starts on a line of its own."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
