#!/bin/bash
# Measure the independent deviation set again: apply each patch to a clean tree, run the instrument
# that must catch it, record, revert. Each set's README names the commit its patches were written against; on a later
# tree a patch that no longer applies is reported as such (adjust it by hand, never drop it).
#   docs/audit/measure-deviations.sh <set directory> [NN ...]   (default: every patch of the set)
# Each set's own measure.sh calls this with its directory.
# Emulator deviations (01-36): the conformance run on every profile; caught = exit status not 0.
# Parser deviations (37-40): the parsers' project tests; caught = a failing test.
set -u
[ $# -ge 1 ] && [ -d "$1" ] || { echo "usage: measure-deviations.sh <set directory> [NN ...]" >&2; exit 2; }
here=$(cd "$1" && pwd); shift
root=$(git -C "$here" rev-parse --show-toplevel)
cd "$root" || exit 2
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "measure.sh: the work tree has changes; commit or stash them first" >&2; exit 2
fi
out=$(mktemp -d)
ids=("$@"); [ ${#ids[@]} -eq 0 ] && ids=($(ls "$here"/*.patch | sed 's#.*/\([0-9][0-9]\)-.*#\1#'))
caught=0; measured=0
for id in "${ids[@]}"; do
  patch=$(ls "$here"/"$id"-*.patch 2>/dev/null | head -1)
  [ -z "$patch" ] && { echo "$id: no such patch" >&2; continue; }
  name=$(basename "$patch" .patch)
  if ! git apply "$patch" 2>/dev/null; then echo "$name: does not apply to this tree"; continue; fi
  if [ $((10#$id)) -le 36 ]; then
    node bin/tdx-conformance.js run --profile all --out "$out/run" --no-allure-report > "$out/$name.log" 2>&1; rc=$?
  else
    node --require ts-node/register/transpile-only --test test/linux/*.test.ts test/unit/kernel-log*.test.ts > "$out/$name.log" 2>&1; rc=$?
  fi
  git checkout -- .
  measured=$((measured + 1))
  if [ $rc -ne 0 ]; then caught=$((caught + 1)); echo "$name: caught"; else echo "$name: MISSED"; fi
done
echo "caught $caught of $measured (logs: $out)"
