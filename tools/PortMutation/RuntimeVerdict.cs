using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MmLock.Analyzers.Tests.Scenarios;

namespace MmLock.PortMutation
{
    /// <summary>
    /// Runs the stress driver against a mutant: the driver is built once for the profile, the mutated port is emitted in
    /// memory over a copy of that build's ReferenceKernelMm.dll, and the driver runs per seed until one reports. The driver runs
    /// with its assertions off, so the verdict says whether the removal breaks something (a consequence: use-after-free,
    /// BUG, lockdep's own reports, a stall) or is seen only by the assertion that restates the guard.
    /// </summary>
    public sealed class RuntimeVerdict
    {
        private readonly Compilation compilation;
        private readonly string build, mutantDir;
        private readonly Version portVersion;
        private readonly double seconds;
        private readonly IReadOnlyList<int> seeds;

        public string Profile { get; }

        public RuntimeVerdict(string profile, Compilation compilation, string workDir, double seconds, IReadOnlyList<int> seeds)
        {
            Profile = profile;
            this.compilation = compilation;
            this.seconds = seconds;
            this.seeds = seeds;
            build = Path.Combine(workDir, "stress-" + profile);
            mutantDir = Path.Combine(workDir, "mutant-" + profile);
            Run("dotnet", $"build \"{Path.Combine(ArchProfiles.RepoRoot, "src", "ReferenceKernelMm.Stress")}\" -p:MmArch={profile} -o \"{build}\" --nologo -v:q", 600, out _)
                .ThrowIfFailed("building the stress driver");
            portVersion = AssemblyName.GetAssemblyName(Path.Combine(build, "ReferenceKernelMm.dll")).Version!;
            if (Directory.Exists(mutantDir)) Directory.Delete(mutantDir, recursive: true);
            Directory.CreateDirectory(mutantDir);
            foreach (string file in Directory.GetFiles(build))
                File.Copy(file, Path.Combine(mutantDir, Path.GetFileName(file)));
        }

        /// <summary>The driver's verdict on the unmutated port (a check of the setup) or on a site's mutant.</summary>
        public string Verdict(GuardSite? site)
        {
            Compilation port = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
                $"[assembly: System.Reflection.AssemblyVersion(\"{portVersion}\")]", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
            if (site is not null)
                port = port.ReplaceSyntaxTree(site.Tree, Mutation.Apply(site.Tree, new[] { site }, compilation.GetSemanticModel(site.Tree)).Tree);
            using (var dll = File.Create(Path.Combine(mutantDir, "ReferenceKernelMm.dll")))
            {
                var emitted = port.Emit(dll);
                if (!emitted.Success)
                    return "does not compile: " + emitted.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error).GetMessage(CultureInfo.InvariantCulture);
            }
            string? assertionOnly = null;
            foreach (int seed in seeds)
            {
                // Assertions off: they are counted, not reported, so a run stops only on what the missing guard breaks.
                string args = $"\"{Path.Combine(mutantDir, "ReferenceKernelMm.Stress.dll")}\" --duration {seconds.ToString(CultureInfo.InvariantCulture)} --seed {seed} --assertions off";
                var result = Run("dotnet", args, (int)seconds + 60, out string output);
                if (result.TimedOut) return $"consequence: hang (seed {seed}, driver killed after {(int)seconds + 60} s)";
                var summary = Regex.Match(output, @"violations: \d+ \(([^)]*)\), first after ([0-9.]+) s");
                string? first = Regex.Match(output, @"^\[1\] (\w+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;
                if (first is not null) return $"consequence: {first} (seed {seed}, {(summary.Success ? summary.Groups[2].Value + " s" : "")})";
                if (output.Contains("watchdog: ", StringComparison.Ordinal)) return $"consequence: stall (seed {seed})";
                var asserted = Regex.Match(output, @"^assertions off: (\d+) failed, first: (\w+)", RegexOptions.Multiline);
                if (asserted.Success && assertionOnly is null) assertionOnly = $"assertion only: {asserted.Groups[2].Value} (seed {seed})";
            }
            return assertionOnly ?? $"not caught ({string.Join(",", seeds)} × {seconds} s)";
        }

        private sealed record ProcessResult(int ExitCode, bool TimedOut, string Error)
        {
            public void ThrowIfFailed(string what)
            {
                if (TimedOut || ExitCode != 0) throw new InvalidOperationException($"{what} failed ({(TimedOut ? "timed out" : "exit " + ExitCode)}):\n{Error}");
            }
        }

        private static ProcessResult Run(string file, string args, int timeoutSeconds, out string output)
        {
            var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit(timeoutSeconds * 1000);
            if (!exited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            output = stdout.Result;
            return new ProcessResult(exited ? process.ExitCode : -1, !exited, output + stderr.Result);
        }
    }
}
