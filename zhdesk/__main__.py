"""`python -m zhdesk` and the `zhdesk` console script.

Ctrl+C while the modules are still loading must not print a traceback either: until `cli.main`
installs Python's own handler (which turns SIGINT into KeyboardInterrupt, handled there), an
interrupt ends the process at once — nothing has been opened or written yet. Before this file runs,
CPython's own start-up (site, runpy) is under its default handler; nothing a project can hook there.
"""

# The first statement, with only what the interpreter has already loaded (`signal` would import enum,
# ~3 ms): from here on Ctrl+C ends the process quietly instead of raising KeyboardInterrupt.
import _signal  # type: ignore[import-not-found]  # isort: skip  # the C half of `signal`

_signal.signal(_signal.SIGINT, _signal.SIG_DFL)

import os  # noqa: E402  # already loaded by site
import sys  # noqa: E402

INTERRUPTED = 130


def _interrupted_while_loading(signum: int, frame: object) -> None:
    os.write(2, "zhdesk：已中断，本次操作未保存任何内容\n".encode())
    os._exit(INTERRUPTED)


def main() -> int:
    _signal.signal(_signal.SIGINT, _interrupted_while_loading)
    from zhdesk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
