using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

// Runs start several simulated CPUs each: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ReferenceKernelMm.Stress.Tests
{
    /// <summary>Runs the driver or the broken-variant host as a process, as CI and users do.</summary>
    internal static class Driver
    {
        public const string Stress = "ReferenceKernelMm.Stress.dll";
        public const string Broken = "BrokenKernelMm.dll";

        // Generous: a run ends by itself (its duration, the first violation, the watchdog); this only catches a hung process.
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

        public sealed record Result(int exit, string stdout, string stderr);

        public static Result Run(string dll, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
            foreach (string a in args)
                psi.ArgumentList.Add(a);
            using Process p = Process.Start(psi)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(Limit))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"{dll} {string.Join(' ', args)} did not end within {Limit.TotalSeconds} s\n{stdout.Result}");
            }
            return new Result(p.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
