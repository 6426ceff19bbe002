#!/usr/bin/env bash
# The NuGet package as users get it, from `dotnet pack` on: its layout and metadata, then the end-to-end checks from
# the local feed (samples/PackageConsumer per profile and its fixes, tests/Package, the README's steps as written).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rm -rf artifacts/packages
dotnet pack src/Package -o artifacts/packages --nologo -v:q
nupkg=artifacts/packages/MmLockAnalyzers.0.1.0.nupkg
listing=$(unzip -l "$nupkg")
echo "$listing"
missing=0
for entry in analyzers/dotnet/roslyn4.8/cs/MmLock.Analyzers.dll analyzers/dotnet/roslyn4.8/cs/MmLock.CodeFixes.dll \
             analyzers/dotnet/roslyn4.14/cs/MmLock.Analyzers.dll analyzers/dotnet/roslyn4.14/cs/MmLock.CodeFixes.dll \
             annotations/netstandard2.0/MmLock.Annotations.dll build/MmLockAnalyzers.targets \
             buildTransitive/MmLockAnalyzers.targets buildTransitive/MmLockAnalyzers.ArchProfiles.props \
             LICENSE icon.png README.md CHANGELOG.md; do
  echo "$listing" | grep -qE " $entry\$" || { echo "package: $entry missing"; missing=1; }
done
# Nothing NuGet would copy to a consumer's output or reference at run time.
if echo "$listing" | grep -qE ' lib/| ref/| analyzers/dotnet/cs/'; then echo "package: lib/, ref/ or an unversioned analyzers folder"; missing=1; fi
nuspec=$(unzip -p "$nupkg" MmLockAnalyzers.nuspec)
for field in '<developmentDependency>true</developmentDependency>' '<license type="expression">MIT</license>' \
             '<icon>icon.png</icon>' '<readme>README.md</readme>' '<repository type="git" url="https://github.com/MmLockAnalyzers/MmLockAnalyzers"' '<tags>roslyn analyzer'; do
  echo "$nuspec" | grep -qF "$field" || { echo "package: nuspec lacks $field"; missing=1; }
done
[ "$missing" = 0 ] || exit 1
echo "package: per-Roslyn analyzers, buildTransitive, annotations outside lib/, license, icon, readme, changelog; development dependency"

MMLOCK_PACKED=1 samples/PackageConsumer/check.sh
tests/Package/check.sh
tests/Package/readme-steps.sh
