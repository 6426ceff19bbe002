using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using MmLock.Analyzers.Tests.Scenarios;
using MmLock.Compat;
using Xunit;

namespace MmLock.Analyzers.Tests.Compat
{
    /// <summary>
    /// The roslyn4.8 build of the package, loaded into Microsoft.CodeAnalysis 4.8 in-process by the compat runner
    /// (tests/MmLock.Compat.Roslyn4.8), reports on the samples exactly what the current build reports here under 4.14:
    /// same IDs, locations and messages, and the same first fix.
    /// </summary>
    public sealed class RoslynCompatTests
    {
        private static SampleJob[] Jobs { get; } =
        {
            new("showcase", Array.Empty<string>(), new[] { "samples/Showcase" }, Array.Empty<string>()),
            new("fixme", Array.Empty<string>(), new[] { "samples/FixMe" }, Array.Empty<string>(), Fix: "MM1001"),
            new("package-consumer-arm64", Array.Empty<string>(), new[] { "samples/PackageConsumer" }, Profile("arm64")),
            new("package-consumer-s390x", Array.Empty<string>(), new[] { "samples/PackageConsumer" }, Profile("s390x")),
            new("two-assemblies-arm64", new[] { "tests/Package/Primitives" }, new[] { "tests/Package/App" }, Profile("arm64"), Fix: "MM2001"),
            new("historic-bugs-x86_64-legacy", new[] { "src/ReferenceKernelMm" }, new[] { "samples/HistoricBugs" }, Profile("x86_64-legacy")),
        };

        // Neither freeing the consumer's code guards against exists on s390x: the verdict is clean there.
        private static readonly HashSet<string> CleanJobs = new() { "package-consumer-s390x" };

        public static IEnumerable<object[]> JobNames() => Jobs.Select(j => new object[] { j.Name });

        private static readonly Lazy<Task<Dictionary<string, List<string>>>> Roslyn48 = new(RunCompatRunnerAsync);

        [Fact]
        public async Task Runner_LoadsTheRoslyn48Build_IntoMicrosoftCodeAnalysis48()
        {
            var header = (await Roslyn48.Value)[""];
            Assert.Equal(new[]
            {
                "compiler: Microsoft.CodeAnalysis 4.8.0.0",
                "analyzers built against: Microsoft.CodeAnalysis 4.8.0.0",
                "fixes built against: Microsoft.CodeAnalysis 4.8.0.0",
            }, header);
            // And this process really runs the current build.
            Assert.Equal(new Version(4, 14, 0, 0), typeof(MmLockAnalyzer).Assembly.GetReferencedAssemblies().First(a => a.Name == "Microsoft.CodeAnalysis").Version);
        }

        [Theory]
        [MemberData(nameof(JobNames))]
        public async Task Roslyn48Build_ReportsWhatTheCurrentBuildReports(string name)
        {
            var job = Jobs.Single(j => j.Name == name);
            var current = await SampleDiagnostics.RunAsync(job, ArchProfiles.RepoRoot, ImmutableArray.Create<DiagnosticAnalyzer>(new MmLockAnalyzer()), CurrentFixes());
            if (CleanJobs.Contains(name)) Assert.Empty(current);
            else Assert.Contains(current, l => l.Contains(": MM", StringComparison.Ordinal));
            Assert.DoesNotContain(current, l => l.Contains(": AD0001:", StringComparison.Ordinal));
            if (job.Fix is string id)
                Assert.Contains(current, l => l.StartsWith($"fix {id}: ", StringComparison.Ordinal) && !l.EndsWith(": none offered", StringComparison.Ordinal));
            Assert.Equal(current, (await Roslyn48.Value)[name]);
        }

        private static string[] Profile(string arch) => new Configuration(arch, Configuration.Upstream).Symbols.ToArray();

        private static ImmutableArray<CodeFixProvider> CurrentFixes() =>
            typeof(MmLock.CodeFixes.RequirementCodeFix).Assembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!).ToImmutableArray();

        // One run of the runner for every job: its header under "", then each job's lines under its name.
        private static async Task<Dictionary<string, List<string>>> RunCompatRunnerAsync()
        {
            var runner = typeof(RoslynCompatTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CompatRunner").Value!;
            var jobsFile = Path.GetTempFileName();
            await File.WriteAllLinesAsync(jobsFile, Jobs.Select(j => j.ToLine()));
            try
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { runner, ArchProfiles.RepoRoot, jobsFile }) start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                if (process.ExitCode != 0) throw new InvalidOperationException($"compat runner exited {process.ExitCode}:\n{await stderr}\n{await stdout}");
                var result = new Dictionary<string, List<string>> { [""] = new() };
                var current = result[""];
                foreach (var line in (await stdout).Split('\n').Select(l => l.TrimEnd('\r')))
                {
                    if (line.StartsWith("== ", StringComparison.Ordinal)) result[line[3..]] = current = new();
                    else current.Add(line);
                }
                // The fix's text ends with the document's last line; the runner's trailing newline adds one empty line.
                if (current.Count > 0 && current[^1].Length == 0) current.RemoveAt(current.Count - 1);
                return result;
            }
            finally { File.Delete(jobsFile); }
        }
    }
}
