"""The command line's edge with the operating system: streams that survive any text, Ctrl+C, a reader
that goes away, arguments that are not UTF-8, and messages kept to one line of Chinese.

Exit codes: a ZhdeskError's own (1 refused, 2 usage/storage); 130 interrupted; 70 a fault of zhdesk's own
(one line, the traceback in a crash report file); 0 when the reader of our output left (`zhdesk sites |
head -1`).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Set
from pathlib import Path

from platformdirs import user_log_dir

from zhdesk.errors import UsageError, ZhdeskError
from zhdesk.files import shown

INTERRUPTED = 130
INTERNAL = 70  # EX_SOFTWARE: a fault of zhdesk's own
MESSAGE_MAX = 1000


def prepare_process() -> None:
    # Windows consoles default to a legacy code page; Chinese must survive. `replace` keeps a stray
    # undecodable character from turning an answer into a traceback.
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl+C → KeyboardInterrupt, handled below


def check_encoding(args: argparse.Namespace, path_args: Set[str]) -> None:
    """Text arguments must be valid UTF-8: undecodable bytes arrive as surrogates and would fail deep
    in the database driver; say which argument instead. Paths may hold any bytes the file system allows."""
    for name, value in vars(args).items():
        if name in path_args or name == "func":
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and any("\udc80" <= ch <= "\udcff" for ch in text):
                raise UsageError(f"参数含有无法识别的字符编码（应为 UTF-8）：{shown(text)}")


def one_line(message: str) -> str:
    """Messages may quote what the user typed: keep them one readable line of bounded length."""
    line = shown(message)
    return line if len(line) <= MESSAGE_MAX else line[: MESSAGE_MAX - 1] + "…"


def _quiet_stdout() -> None:
    """Stop writing to a reader that went away, without the interpreter's own complaint at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def guarded(run: Callable[[], int], saved: Callable[[], bool]) -> int:
    """`run()` with every way a command can end turned into its exit code and at most one line on stderr.
    `saved()` says whether the command had committed anything when it was interrupted."""
    try:
        result = run()
        sys.stdout.flush()  # a closed pipe shows here, inside the handlers below
        return result
    except ZhdeskError as exc:
        sys.stderr.write(f"zhdesk：{one_line(exc.message)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        # Every command commits once, at its end: interrupted before that, nothing of it was written.
        said = "已中断（操作在中断前已保存）" if saved() else "已中断，本次操作未保存任何内容"
        sys.stderr.write(f"zhdesk：{said}\n")
        return INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except Exception as exc:  # a fault of ours: one line for the user, the traceback in a file for us
        where = _write_crash_report()
        said = "（操作在出错前已保存）" if saved() else "，本次操作未保存任何内容"
        sys.stderr.write(f"zhdesk：内部错误（{type(exc).__name__}）{said}；详情见 {shown(where)}，请转交维护人员\n")
        return INTERNAL


def _write_crash_report() -> str:
    text = traceback.format_exc()
    folder = Path(user_log_dir("zhdesk", appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="crash-", suffix=".txt", dir=folder)
    except OSError:
        fd, name = tempfile.mkstemp(prefix="zhdesk-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(" ".join(sys.argv) + "\n" + text)
    return name
