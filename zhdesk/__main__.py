"""`python -m zhdesk` and the `zhdesk` console script.

Ctrl+C while the modules are still loading must not print a traceback either: until `cli.main`
installs Python's own handler (which turns SIGINT into KeyboardInterrupt, handled there), an
interrupt ends the process at once — nothing has been opened or written yet.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

INTERRUPTED = 130


def _interrupted_while_loading(signum: int, frame: FrameType | None) -> None:
    os.write(2, "zhdesk：已中断，本次操作未保存任何内容\n".encode())
    os._exit(INTERRUPTED)


def main() -> int:
    signal.signal(signal.SIGINT, _interrupted_while_loading)
    from zhdesk.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
