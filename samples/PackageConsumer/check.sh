#!/usr/bin/env bash
# Packs MmLockAnalyzers, builds this consumer against the package in every profile and compares the
# reported diagnostics with expected.txt. Run from anywhere; exits non-zero on any difference.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
# .ci/package.sh packs once for all its checks (MMLOCK_PACKED=1).
[ "${MMLOCK_PACKED:-}" = 1 ] || dotnet pack "$root/src/Package" -o "$root/artifacts/packages" --nologo -v:q
rm -rf "$root/artifacts/consumer-packages" "$here/obj" "$here/bin"
fail=0
for arch in x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x; do
  out=$(dotnet build "$here" -p:MmArch=$arch --no-incremental --nologo -v:q 2>&1 || true)
  # CS9057: the analyzer was built against a newer compiler and silently reports nothing; AD0001: it threw.
  if echo "$out" | grep -qE 'AD0001|CS9057'; then echo "$out" | grep -E 'AD0001|CS9057'; fail=1; fi
  got=$(echo "$out" | grep -oE '[A-Za-z]+\.cs\([0-9]+,[0-9]+\): (error|warning) MM[0-9]+' \
        | sed -E 's/: (error|warning) / /' | sort -u || true)
  want=$(awk -v a="$arch" '$1 == a && $2 != "(clean)" { print $2 " " $3 }' "$here/expected.txt" | sort -u)
  if [ "$got" != "$want" ]; then
    echo "package consumer, $arch: expected"; echo "${want:-(nothing)}"; echo "got"; echo "${got:-(nothing)}"; fail=1
  else
    echo "package consumer, $arch: $(echo "$want" | grep -c MM || true) diagnostic(s) as expected"
  fi
done
[ "$fail" = 0 ] || exit 1

# The code fixes from the package, applied by dotnet format (one rule per pass) on a copy; then it builds clean.
copy=$(mktemp -d)
cp "$here"/*.cs "$here"/*.csproj "$here"/Directory.*.props "$copy"/
sed -e "s#../../artifacts/packages#$root/artifacts/packages#" -e "s#../../artifacts/consumer-packages#$root/artifacts/consumer-packages#" \
  "$here/nuget.config" > "$copy/nuget.config"
for id in MM2001 MM2002; do
  dotnet format analyzers "$copy/PackageConsumer.csproj" --diagnostics "$id" --severity info
done
grep -q "Mm.mmap_write_lock(Mm.init_mm);" "$copy/Mm.cs" || { echo "package consumer: ptdump not wrapped in the init_mm write lock"; exit 1; }
grep -q "Mm.hugetlb_vma_lock_read(vma);" "$copy/Mm.cs" || { echo "package consumer: lookup not wrapped in the vma lock"; exit 1; }
dotnet build "$copy" -warnaserror --nologo -v:q
echo "package consumer: dotnet format applied the package's fixes; builds clean (arm64)"
