#!/usr/bin/env bash
# Runs every command of README.md's ```sh blocks verbatim, in order, from the repository root
# (a line ending in a backslash continues on the next; comment lines are skipped). `cargo test`,
# README's test command, is run by .ci/run itself and is not repeated here. Fails on the first
# command that fails, naming it.
#
#   .ci/readme-examples.sh          (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t commands < <(python3 - <<'PY'
import re
lines, out, inside, cur = open("README.md", encoding="utf-8").read().splitlines(), [], False, ""
for line in lines:
    if line.startswith("```"):
        inside = line.strip() == "```sh"
        continue
    if not inside:
        continue
    if not cur and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.rstrip().endswith("\\"):
        cur += line.rstrip()[:-1].rstrip() + " "
        continue
    out.append((cur + line.strip()) if cur else line.strip())
    cur = ""
for c in out:
    print(c)
PY
)
[ "${#commands[@]}" -gt 10 ] || { echo "readme examples: found only ${#commands[@]} commands in README.md"; exit 1; }
n=0
for cmd in "${commands[@]}"; do
  n=$((n + 1))
  if [[ "$cmd" =~ ^cargo\ test ]]; then
    echo "-- [$n/${#commands[@]}] $cmd   (README's test command: run by .ci/run above)"
    continue
  fi
  echo "-- [$n/${#commands[@]}] $cmd"
  start=$(date +%s)
  if ! bash -c "$cmd" > /tmp/readme-example.log 2>&1; then
    tail -30 /tmp/readme-example.log
    echo "readme examples: FAILED: $cmd"
    exit 1
  fi
  echo "   ok ($(( $(date +%s) - start )) s)"
done
echo "readme examples: all ${#commands[@]} commands ran"
