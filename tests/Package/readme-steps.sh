#!/usr/bin/env bash
# Runs the README's install-and-use steps as written: the sh blocks between the "steps" markers, in order, in one
# shell from the repository root (set -euo pipefail), each csharp block written to the file its first line names.
# Then checks what the steps leave: the MM1001 fix wrapped the call instead of moving the requirement to the caller.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/artifacts/readme-steps"
rm -rf "$work" && mkdir -p "$work"
script="$work/steps.sh"
# The steps' own package cache, so this run neither reads nor disturbs the machine's.
export NUGET_PACKAGES="$work/nuget-packages"

awk -v end_file="$work/project-dir" '
  /<!-- steps: end -->/ { inside = 0 }
  inside && /^```sh$/ { mode = "sh"; print "echo \"== README step " ++n "\""; next }
  inside && /^```csharp$/ { mode = "cs-head"; next }
  inside && /^```/ && mode != "" { if (mode == "cs") print "MMLOCK_README_EOF"; mode = ""; next }
  inside && /^```/ { mode = "other"; next }
  mode == "sh" { print; next }
  mode == "cs-head" {
    if ($0 !~ /^\/\/ [A-Za-z0-9_.]+\.cs$/) { print "a csharp step does not start with // File.cs: " $0 > "/dev/stderr"; exit 1 }
    print "cat > " $2 " <<'"'"'MMLOCK_README_EOF'"'"'"; print; mode = "cs"; next }
  mode == "cs" { print; next }
  /<!-- steps:/ && !/end -->/ { inside = 1 }
  END { print "pwd > \"" end_file "\"" }
' "$root/README.md" > "$script"
steps=$(grep -c '^echo "== README step' "$script" || true)
[ "$steps" -gt 0 ] || { echo "README steps: no steps found"; exit 1; }

(cd "$root" && bash -euo pipefail "$script") > "$work/steps.log" 2>&1 || { cat "$work/steps.log"; echo "README steps: failed (script: $script)"; exit 1; }

project=$(cat "$work/project-dir")
tables="$project/Tables.cs"
grep -q 'Locks.spin_lock(ptl);' "$tables" && grep -q 'Locks.spin_unlock(ptl);' "$tables" \
  || { cat "$tables"; echo "README steps: the MM1001 fix did not wrap Broken in spin_lock/spin_unlock"; exit 1; }
[ "$(grep -c '\[Requires(' "$tables")" = 1 ] || { cat "$tables"; echo "README steps: the requirement was moved to the caller"; exit 1; }
rm -rf "$project"
echo "README steps: $steps steps ran as written; dotnet format wrapped the README example and the build is clean"
