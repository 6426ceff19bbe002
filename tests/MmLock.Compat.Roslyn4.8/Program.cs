using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Compat
{
    /// <summary>
    /// Runs the roslyn4.8 build of the analyzers and fixes inside Microsoft.CodeAnalysis 4.8 on the jobs of a file (one
    /// <see cref="SampleJob"/> line each): prints the versions loaded, then "== name" and the job's lines.
    /// Usage: MmLock.Compat.Roslyn4.8 REPO_ROOT JOBS_FILE
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new MmLock.Analyzers.MmLockAnalyzer());
            var fixes = typeof(MmLock.CodeFixes.RequirementCodeFix).Assembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Length > 0)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!).ToImmutableArray();
            Console.WriteLine($"compiler: Microsoft.CodeAnalysis {typeof(Compilation).Assembly.GetName().Version}");
            Console.WriteLine($"analyzers built against: Microsoft.CodeAnalysis {Referenced(typeof(MmLock.Analyzers.MmLockAnalyzer))}");
            Console.WriteLine($"fixes built against: Microsoft.CodeAnalysis {Referenced(typeof(MmLock.CodeFixes.RequirementCodeFix))}");
            foreach (var line in File.ReadAllLines(args[1]).Where(l => l.Length > 0))
            {
                var job = SampleJob.Parse(line);
                Console.WriteLine("== " + job.Name);
                foreach (var result in await SampleDiagnostics.RunAsync(job, args[0], analyzers, fixes))
                    Console.WriteLine(result);
            }
            return 0;
        }

        private static Version? Referenced(Type type) =>
            type.Assembly.GetReferencedAssemblies().First(a => a.Name == "Microsoft.CodeAnalysis").Version;
    }
}
