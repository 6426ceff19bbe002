#!/usr/bin/env bash
# End-to-end checks of the packed MmLockAnalyzers from the local feed artifacts/packages (pack it first: .ci/package.sh):
#   a library package of primitives on netstandard2.0 (C# 7.3) keeps its contracts and is itself checked;
#   an app on net8.0 takes them from that package and gets every diagnostic the same primitives give as source,
#   also with LangVersion 7.3, and the verdicts its MmArch profile gives; its output has no MmLock.Annotations.dll
#   and no reference to it, and it runs; a project referencing the app gets no analyzer and no annotations.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
# A fresh package cache: a re-packed 0.1.0 is never shadowed by the copy an earlier run extracted.
export NUGET_PACKAGES="$root/artifacts/e2e-nuget"
rm -rf "$NUGET_PACKAGES" "$root/artifacts/sample-packages" ./*/bin ./*/obj
mkdir -p "$root/artifacts/sample-packages"
fail=0
report() { echo "package e2e: $*"; }
failed() { echo "package e2e FAILED: $*"; fail=1; }

# "File.cs:line ID" of every MM diagnostic in a build log.
reported() { (grep -oE '[A-Za-z]+\.cs\([0-9]+,[0-9]+\): (warning|error) MM[0-9]+' "$1" || true) \
  | sed -E 's/\(([0-9]+),[0-9]+\): (warning|error) / \1 /; s/ ([0-9]+) /:\1 /' | sort -u; }
# The '// expect: ID' markers of the given files that apply to a profile ('[arm64]' restricts one to that profile).
expected() { local profile=$1; shift
  for f in "$@"; do
    grep -nE '// expect: MM[0-9]+' "$f" | sed -E "s|^([0-9]+):.*// expect: (MM[0-9]+)( \[([a-z0-9_, -]+)\])?.*|$(basename "$f"):\1 \2 \4|"
  done | awk -v p="$profile" '$3 == "" || index("," $3 ",", "," p ",") { print $1 " " $2 }' | sort -u; }
same() { # name, want, got
  if [ "$2" == "$3" ]; then report "$1: $(echo "$2" | grep -c MM || true) diagnostic(s) as marked"
  else failed "$1: expected"; echo "${2:-(nothing)}"; echo "got"; echo "${3:-(nothing)}"; fi; }
# Full diagnostic lines (location, ID, message) of the app's own file, to compare builds exactly.
messages() { (grep -oE 'Walkers\.cs\([0-9]+,[0-9]+\): (warning|error) MM[0-9]+: [^[]*' "$1" || true) | sort -u; }

build() { local log=$1; shift; dotnet build "$@" --nologo -v:q > "$log" 2>&1 || { cat "$log"; failed "build $*"; }
  if grep -qE 'AD0001|CS9057|CS8032' "$log"; then grep -E 'AD0001|CS9057|CS8032' "$log"; failed "analyzer did not load or threw: $*"; fi; }

log=$root/artifacts/e2e
mkdir -p "$log"

# The library on netstandard2.0: packed with its contracts, its own violation reported.
dotnet pack Primitives -o "$root/artifacts/sample-packages" --nologo -v:q > "$log/primitives.log" 2>&1 || { cat "$log/primitives.log"; exit 1; }
same "netstandard2.0 library (C# 7.3)" "$(expected arm64 Primitives/*.cs)" "$(reported "$log/primitives.log")"
nuspec=$(unzip -p "$root/artifacts/sample-packages/MmSample.Primitives.0.1.0.nupkg" MmSample.Primitives.nuspec)
if echo "$nuspec" | grep -q 'MmLockAnalyzers'; then failed "the library's package depends on MmLockAnalyzers"; else report "library package: no dependency on MmLockAnalyzers"; fi

# The app on net8.0, primitives from the package (two assemblies) and from source (one), and with C# 7.3.
build "$log/app-package.log" App -p:MmArch=arm64 --no-incremental
same "net8.0 app, primitives from a package, arm64" "$(expected arm64 App/*.cs)" "$(reported "$log/app-package.log")"
build "$log/app-source.log" App -p:MmArch=arm64 -p:PrimitivesFrom=source --no-incremental
if [ "$(messages "$log/app-package.log")" == "$(messages "$log/app-source.log")" ] && [ -n "$(messages "$log/app-source.log")" ]; then
  report "two assemblies report exactly what one does (IDs, locations, messages)"
else failed "two assemblies differ from one:"; diff <(messages "$log/app-source.log") <(messages "$log/app-package.log") || true; fi
build "$log/app-s390x.log" App -p:MmArch=s390x --no-incremental
same "net8.0 app, s390x (no huge vmap, no PMD sharing)" "$(expected s390x App/*.cs)" "$(reported "$log/app-s390x.log")"
build "$log/app-cs73.log" App -p:MmArch=arm64 -p:LangVersion=7.3 --no-incremental
same "net8.0 app, LangVersion 7.3" "$(expected arm64 App/*.cs)" "$(reported "$log/app-cs73.log")"

# What the app ships (the build above): no annotations assembly, no reference to one; it runs (on the newest runtime here).
out=App/bin/Debug/net8.0
if [ -e "$out/MmLock.Annotations.dll" ]; then failed "MmLock.Annotations.dll in the app's output"; else report "app output: no MmLock.Annotations.dll"; fi
if grep -qa 'MmLock.Annotations' "$out/MmSample.App.dll"; then failed "the app's assembly references MmLock.Annotations"; else report "app assembly: no trace of MmLock.Annotations"; fi
grep -qa 'MmLock.Annotations' "$out/MmSample.Primitives.dll" || failed "the library did not keep its contracts (MmLockExportContracts)"
ran=$(DOTNET_ROLL_FORWARD=Major dotnet "$out/MmSample.App.dll" 2>&1 || true)
[ "$ran" == "MmSample.App ran: 0" ] && report "app runs without MmLock.Annotations.dll" || failed "app run: $ran"

# A project referencing the app: no analyzer, no annotations, no diagnostic of its own.
build "$log/downstream.log" Downstream
if grep -q 'Uses\.cs.*MM[0-9]' "$log/downstream.log"; then failed "the analyzers ran downstream"; grep 'Uses\.cs' "$log/downstream.log"; fi
if grep -qi 'mmlockanalyzers' Downstream/obj/project.assets.json; then failed "MmLockAnalyzers flowed to the downstream project"; fi
if [ -e Downstream/bin/Debug/net8.0/MmLock.Annotations.dll ]; then failed "MmLock.Annotations.dll in the downstream output"; fi
[ "$fail" = 0 ] && report "downstream project: no analyzer, no annotations assembly"

[ "$fail" = 0 ] || exit 1
