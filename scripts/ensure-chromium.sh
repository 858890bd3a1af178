#!/usr/bin/env bash
# Browser tests (tests/e2e) drive Debian's Chromium through Playwright: Playwright's own browser
# download cannot work on these machines. `make test` runs this first; a machine that already has
# Chromium and a Chinese font is left alone. Installing needs root (as on CI and developers' machines).
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# Without a CJK font, screenshots of the Chinese pages show empty boxes instead of characters.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  need+=(fonts-noto-cjk)
fi
# The label tests decode printed QR codes with zbar (tests/identifiers/test_labels.py).
[ -x /usr/bin/zbarimg ] || need+=(zbar-tools)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing ${need[*]} for the browser and label tests (Debian packages)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
/usr/bin/chromium --version 2>/dev/null
