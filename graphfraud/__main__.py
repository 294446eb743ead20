"""The ``graphfraud`` command (and ``python -m graphfraud``).

The CLI's own modules import typer and rich, which takes a moment: a Ctrl-C in that moment
ends the command like any other interruption, with exit code 130 and no traceback.
"""

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
