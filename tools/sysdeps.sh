#!/bin/sh
# Qt (even offscreen) links against these system libraries. Install only what is missing,
# and only where we can (Debian/Ubuntu as root, as on CI); elsewhere say what is needed.
missing=""
for lib in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 libglib-2.0.so.0 libfreetype.so.6; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing="$missing $lib"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing system libraries for Qt:$missing"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libegl1 libgl1 libxkbcommon0 \
    libfontconfig1 libdbus-1-3 libglib2.0-0 libfreetype6 >/dev/null
else
  echo "missing system libraries for Qt:$missing (install them with your package manager)" >&2
  exit 1
fi
