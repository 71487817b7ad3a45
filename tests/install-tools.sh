#!/bin/sh
# Installs what the browser and validator tests drive, when it is missing:
# Chromium, Arabic fonts and a Java runtime from Debian, and the Nu HTML
# checker from npm (into node_modules/). Python packages come from
# pyproject.toml's "test" extra.
#
# Waits for another package manager holding the dpkg lock (up to
# APT_LOCK_TIMEOUT seconds, default 600), uses sudo only when not root, and
# on a system without apt-get says what to install instead of failing
# half-way.
set -eu
cd "$(dirname "$0")/.."

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
[ -e /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || missing="$missing fonts-noto-core"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

cannot() {
  echo "install-tools.sh: $1" >&2
  echo "The browser and validator tests need: Chromium (at /usr/bin/chromium), a Java runtime, the" >&2
  echo "Noto Naskh Arabic font and npm. On Debian or Ubuntu: apt-get install$missing" >&2
  echo "Elsewhere install the equivalents yourself (Fedora: dnf install chromium java-headless" >&2
  echo "google-noto-naskh-arabic-fonts npm), then run the test command again." >&2
  exit 1
}

if [ -n "$missing" ]; then
  command -v apt-get >/dev/null 2>&1 || cannot "apt-get is not available to install:$missing"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || cannot "not running as root and sudo is not available to install:$missing"
    sudo="sudo"
  fi
  timeout="${APT_LOCK_TIMEOUT:-600}"
  echo "installing Debian packages:$missing"
  # apt-get waits for the dpkg lock itself (DPkg::Lock::Timeout); the package
  # lists' lock is retried here, as `apt-get update` gives up on it at once.
  waited=0
  until $sudo apt-get -o DPkg::Lock::Timeout="$timeout" update -qq 2>/tmp/install-tools.$$; do
    if ! grep -qi "lock" /tmp/install-tools.$$ || [ "$waited" -ge "$timeout" ]; then
      cat /tmp/install-tools.$$ >&2
      rm -f /tmp/install-tools.$$
      cannot "apt-get update failed (see above)"
    fi
    echo "waiting for another package manager to finish (${waited}s of ${timeout}s)"
    sleep 5
    waited=$((waited + 5))
  done
  rm -f /tmp/install-tools.$$
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout="$timeout" install -y -qq \
    --no-install-recommends $missing >/dev/null || cannot "apt-get install failed"
fi
if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "installing the Nu HTML checker (npm vnu-jar)"
  npm install --no-save --no-audit --no-fund --silent vnu-jar
fi
