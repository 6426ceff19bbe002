using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace MmLock.Analyzers.Tests.Scenarios
{
    /// <summary>The configurations the pairs are checked in: what MSBuild makes of ArchProfiles.props, and a clean port in each.</summary>
    public class ReferencePortTests
    {
        // CI builds the port with the analyzers in the six upstream configurations; the RFC ones are checked here.
        public static IEnumerable<object[]> RfcConfigurations() =>
            ArchProfiles.Names.Select(a => new object[] { new Configuration(a, Configuration.Rfc).ToString() });

        [Fact]
        public void Profiles_AreTheSixOfKernelRulesF() =>
            Assert.Equal(new[] { "x86_64", "x86_64-legacy", "arm64", "riscv64", "powerpc64", "s390x" }, ArchProfiles.Names);

        [Theory]
        [InlineData("x86_64-legacy+rfc")]
        [InlineData("s390x")]
        public void Symbols_AreWhatMsbuildEvaluates(string configuration)
        {
            var config = Configuration.Parse(configuration);
            var start = new ProcessStartInfo("dotnet", $"msbuild \"{Path.Combine(ReferencePort.SourceDirectory, "ReferenceKernelMm.csproj")}\" " +
                $"-getProperty:MmArchConstants -p:MmArch={config.Arch} -p:MmHugetlbWalkerLock={config.WalkerLock}")
            { RedirectStandardOutput = true, UseShellExecute = false };
            using var msbuild = Process.Start(start)!;
            var output = msbuild.StandardOutput.ReadToEnd().Trim();
            msbuild.WaitForExit();
            Assert.Equal(0, msbuild.ExitCode);
            Assert.Equal(output.Split(';').Where(s => s.Length > 0).OrderBy(s => s), config.Symbols.OrderBy(s => s));
        }

        [Theory]
        [MemberData(nameof(RfcConfigurations))]
        public async Task Port_CompilesAndIsClean_UnderTheRfcModel(string configuration)
        {
            var compilation = ReferencePort.Compile(Configuration.Parse(configuration));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
            var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new MmLockAnalyzer())).GetAnalyzerDiagnosticsAsync();
            Assert.Empty(diagnostics);
        }
    }
}
