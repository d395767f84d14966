#!/bin/sh
# System libraries Qt needs on Linux. `sysdeps.sh` = what tests need (offscreen);
# `sysdeps.sh gui` = also what a real window on X11 needs (the xcb platform plugin).
# Installs only what is missing, and only where it can (Debian/Ubuntu as root, as on CI);
# elsewhere it says what is needed.
# `sysdeps.sh office` = LibreOffice Calc and Writer, headless (tests convert the tally template and the Word
# brief with them); optional: the tests that need them skip with a reason when they are absent.
[ "$(uname -s)" = Linux ] || exit 0
# `sysdeps.sh pdf` = poppler-utils (pdftotext, pdffonts, pdfimages): the brief tests read real PDFs with them;
# optional: those tests skip with a reason when the tools are absent.
if [ "${1:-}" = pdf ]; then
  command -v pdftotext >/dev/null 2>&1 && exit 0
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing poppler-utils for the brief tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null \
      || echo "could not install poppler-utils; the brief PDF tests will skip" >&2
  else
    echo "poppler-utils is missing; the brief PDF tests will skip (Debian: sudo apt-get install poppler-utils)" >&2
  fi
  exit 0
fi
# `sysdeps.sh pg` = the Debian PostgreSQL server: the tests start a throw-away cluster of their own with it
# (tests/pg.py); where it cannot be installed those tests skip loudly (and fail under CI).
if [ "${1:-}" = pg ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && exit 0
  command -v initdb >/dev/null 2>&1 && exit 0
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing the PostgreSQL server for the engine tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
      || echo "could not install postgresql; the PostgreSQL tests will skip (and fail under CI)" >&2
    # Debian starts a cluster of its own on 5432; the tests need only the binaries
    command -v pg_ctlcluster >/dev/null 2>&1 && pg_ctlcluster --force "$(ls /usr/lib/postgresql | sort -n | tail -1)" main stop >/dev/null 2>&1
  else
    echo "PostgreSQL server is missing; its tests will skip (Debian: sudo apt-get install postgresql)" >&2
  fi
  exit 0
fi
if [ "${1:-}" = office ]; then
  # Calc and Writer both present (Writer's library beside soffice): nothing to do
  lo="$(command -v soffice 2>/dev/null)" && [ -e "$(dirname "$(readlink -f "$lo")")/libswlo.so" ] && exit 0
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing LibreOffice Calc and Writer (headless) for the tally and Word brief tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui \
      libreoffice-writer-nogui >/dev/null \
      || echo "could not install libreoffice-calc-nogui libreoffice-writer-nogui; the LibreOffice tests will skip" >&2
  else
    echo "LibreOffice is missing; the LibreOffice tests will skip (Debian: sudo apt-get install libreoffice-calc-nogui libreoffice-writer-nogui)" >&2
  fi
  exit 0
fi
libs="libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0 libfreetype.so.6"
pkgs="libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 libfreetype6"
if [ "${1:-}" = gui ]; then
  libs="$libs libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0"
  libs="$libs libxcb-shape.so.0 libxkbcommon-x11.so.0 libxcb-xkb.so.1"
  pkgs="$pkgs libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0"
  pkgs="$pkgs libxkbcommon-x11-0 libxcb-xkb1"
fi
missing=""
for lib in $libs; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing system libraries for Qt:$missing"
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
else
  echo "missing system libraries for Qt:$missing" >&2
  echo "on Debian/Ubuntu: sudo apt-get install $pkgs" >&2
  exit 1
fi
