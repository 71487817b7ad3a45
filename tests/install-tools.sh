#!/bin/sh
# Installs what the browser and validator tests drive, when it is missing:
# Chromium, Arabic fonts and a Java runtime from Debian, and the Nu HTML
# checker from npm (into node_modules/). Python packages come from
# pyproject.toml's "test" extra.
set -eu
cd "$(dirname "$0")/.."

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
[ -e /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || missing="$missing fonts-noto-core"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing Debian packages:$missing"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "installing the Nu HTML checker (npm vnu-jar)"
  npm install --no-save --no-audit --no-fund --silent vnu-jar
fi
