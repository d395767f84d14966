"""Writing user files safely: into a temp file beside the target, then renamed over it, so a failure
never leaves a half-written file where the user expects their export."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from zhdesk.errors import StorageProblem


def write_atomically(path: Path, write: Callable[[str], None]) -> Path:
    """Call `write(temp_path)`, then move the result to `path`. OSError → StorageProblem (Chinese)."""
    path = Path(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(suffix=".part" + path.suffix, dir=path.parent)
        os.close(fd)
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        reason = exc.strerror or type(exc).__name__
        raise StorageProblem(f"无法写入文件：{path}（{reason}）") from exc
    return path
