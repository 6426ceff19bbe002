using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Diagnostics;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Running;

namespace MmLock.Bench
{
    public static class Program
    {
        /// <summary>
        /// telemetry [files]        per-analyzer execution time (Roslyn's own accounting) for MmLock and the peers, one table
        /// generate DIR [files] [--plain]   write the corpus as a project, for a real `dotnet build -p:ReportAnalyzer=true`
        /// loop                     the annotated corpus analyzed ten times, to profile
        /// anything else            BenchmarkDotNet (e.g. --filter '*' --job short)
        /// </summary>
        public static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "telemetry") return Telemetry(args.Length > 1 ? int.Parse(args[1]) : 100);
            if (args.Length > 0 && args[0] == "loop")
            {
                // A steady load for a profiler: dotnet-trace collect -- dotnet MmLock.Bench.dll loop
                var workload = new Workload(100, 40, annotated: true);
                for (int i = 0; i < 10; i++) workload.RunToCompletion(Workload.MmLock);
                return 0;
            }
            if (args.Length > 1 && args[0] == "generate") return Generate(args[1], args.Length > 2 && int.TryParse(args[2], out var n) ? n : 100, args.Contains("--plain"));
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }

        private static int Telemetry(int files)
        {
            Console.WriteLine($"corpus: {files} files x 40 methods (+ prelude); times are Roslyn's analyzer execution time, median of 3 runs after a warm-up");
            Console.WriteLine($"{"analyzers",-28} {"corpus",-10} {"analyzer time",14} {"bind+analyze",14} {"diagnostics",12}");
            foreach (var annotated in new[] { true, false })
            {
                var workload = new Workload(files, 40, annotated);
                var baselines = new[]
                {
                    ("(operation trees only)", ImmutableArray.Create<DiagnosticAnalyzer>(new OperationTreesOnly())),
                    ("(control-flow graphs only)", ImmutableArray.Create<DiagnosticAnalyzer>(new ControlFlowGraphsOnly())),
                    ("MmLock", Workload.MmLock),
                };
                foreach (var (name, analyzers) in baselines.Concat(Workload.Peers.Select(p => (p.Replace("Peer", ""), Workload.Peer(p)))))
                {
                    var runs = Enumerable.Range(0, 4).Select(_ =>
                    {
                        var watch = Stopwatch.StartNew();
                        var withAnalyzers = workload.WithAnalyzers(analyzers, telemetry: true);
                        var count = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult().Length;
                        var total = watch.Elapsed;
                        var self = analyzers.Select(a => withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime)
                            .Aggregate(TimeSpan.Zero, (x, y) => x + y);
                        return (self, total, count);
                    }).Skip(1).OrderBy(r => r.self).ToList();
                    var median = runs[runs.Count / 2];
                    Console.WriteLine($"{name,-28} {(annotated ? "annotated" : "plain"),-10} {median.self.TotalMilliseconds,11:F0} ms {median.total.TotalMilliseconds,11:F0} ms {median.count,12}");
                }
            }
            return 0;
        }

        private static int Generate(string directory, int files, bool plain)
        {
            Directory.CreateDirectory(directory);
            foreach (var (name, text) in Corpus.Generate(files, 40, annotated: !plain))
                File.WriteAllText(Path.Combine(directory, name), text);
            Console.WriteLine($"wrote {files + 1} files to {directory}");
            return 0;
        }
    }
}
