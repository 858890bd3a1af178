#!/usr/bin/env bash
# Front-end assets (docs/pages.md "Assets"): the npm packages pinned in package-lock.json are
# installed, and the files pages load are copied into the static folder that Django/whitenoise
# serves. Pages never load anything from a CDN: the platform runs on closed government networks.
# The copies are not in git (the lock file is the record); `make install` runs this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# --ignore-scripts: these packages need no build step, and no install script runs on our machines.
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

dest=src/tracehub/core/static/vendor
rm -rf "$dest"
mkdir -p "$dest"
# source (under node_modules) -> name served as {% static 'vendor/NAME' %}
while read -r source name; do
  install -m 0644 "node_modules/$source" "$dest/$name"
done <<'FILES'
htmx.org/dist/htmx.min.js htmx.min.js
htmx.org/LICENSE htmx.LICENSE.txt
echarts/dist/echarts.min.js echarts.min.js
echarts/LICENSE echarts.LICENSE.txt
echarts/NOTICE echarts.NOTICE.txt
FILES
echo "Front-end assets installed in $dest:" $(cd "$dest" && ls)
