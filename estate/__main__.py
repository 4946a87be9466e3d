"""The command line's entry point (`estate`, `python -m estate`).

It imports the command line itself inside, so that Ctrl-C in the second or so the
libraries take to load ends the run as Ctrl-C does later (exit 130, one line), not with
a traceback of an import cut short. (A reader closing the pipe, `estate plan ... |
head`, is click's to end quietly, exit 1: `cli.handled` lets it through.)"""

from __future__ import annotations

import sys


def main() -> None:
    """Run `estate` with the arguments given."""
    try:
        from estate.cli import main as command_line

        command_line()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was written.\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
