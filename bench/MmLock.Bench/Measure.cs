using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Bench
{
    /// <summary>
    /// `measure`: in one process, one run of each configuration on one corpus — compile only, the graph-only floor,
    /// MmLock and the three peers — with Roslyn's analyzer time, the allocations and the peak heap of each, as ratios
    /// to the floor and to the compile; then one 2,000-line document in IDE mode (median of repeats).
    /// </summary>
    public static class Measure
    {
        private sealed record Sample(string Name, double WallMs, double CpuMs, double AnalyzerMs, long Allocated, long PeakHeap, int Diagnostics);

        /// <param name="only">when not null, the configurations besides the baselines (driver, floor) to run: "MmLock", "peers"</param>
        public static int Run(int lines, bool annotated, int ideRepeats, string? only, int repeats, bool inferred = false)
        {
            Console.WriteLine($"corpus: {(!annotated ? "plain" : inferred ? "annotated, private helpers inferred" : "annotated")}, {lines:N0} lines requested; {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");
            var configurations = new List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers)>
            {
                ("driver: operation trees only", ImmutableArray.Create<DiagnosticAnalyzer>(new OperationTreesOnly())),
                ("floor: graphs only", ImmutableArray.Create<DiagnosticAnalyzer>(new ControlFlowGraphsOnly())),
            };
            if (only is null or "MmLock") configurations.Add(("MmLock", Workload.MmLock));
            if (only is null or "peers")
            {
                configurations.Add(("VS Threading", Workload.Peer("PeerVsThreading")));
                configurations.Add(("Meziantou", Workload.Peer("PeerMeziantou")));
                configurations.Add(("Roslynator", Workload.Peer("PeerRoslynator")));
            }

            // JIT and Roslyn's caches warmed on a small corpus, so the one run below measures steady code.
            var warm = new Workload(Corpus.Generate(10_000, annotated, seed: 7, inferred: inferred));
            warm.NewCompilation().GetDiagnostics();
            foreach (var (_, analyzers) in configurations) Analyze(warm, analyzers);

            var workload = new Workload(Corpus.Generate(lines, annotated, inferred: inferred));
            var errors = workload.NewCompilation().GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
            Console.WriteLine($"corpus: {workload.Trees.Length:N0} files, {workload.Lines:N0} lines, {errors} compiler errors");
            if (errors > 0) return 1;

            // Rounds interleave the configurations, so a change of load on the machine falls on all of them; the median round is kept per configuration.
            var rounds = Enumerable.Range(0, repeats).Select(_ =>
                configurations.Select(c => Take(c.Name, () => Analyze(workload, c.Analyzers)))
                    .Prepend(Take("compile only (no analyzers)", () => (0, workload.NewCompilation().GetDiagnostics().Length))).ToList()).ToList();
            var medians = Enumerable.Range(0, configurations.Count + 1)
                .Select(i => rounds.Select(r => r[i]).OrderBy(s => s.CpuMs).ElementAt(repeats / 2)).ToList();
            Console.WriteLine($"{repeats} round(s); the median CPU time's run per configuration");
            Print(medians[0], medians.Skip(1).ToList());

            if (ideRepeats > 0) Ide(annotated, inferred, ideRepeats, configurations.Where(c => c.Name.StartsWith("floor") || c.Name == "MmLock").ToList());
            return 0;
        }

        private static (double AnalyzerMs, int Diagnostics) Analyze(Workload workload, ImmutableArray<DiagnosticAnalyzer> analyzers)
        {
            var run = workload.WithAnalyzers(analyzers, telemetry: true);
            var count = run.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult().Length;
            return (AnalyzerTime(run, analyzers), count);
        }

        private static double AnalyzerTime(CompilationWithAnalyzers run, ImmutableArray<DiagnosticAnalyzer> analyzers) =>
            analyzers.Sum(a => run.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);

        /// <summary>Wall time, bytes allocated (all threads) and the peak managed heap above the heap before the run.</summary>
        private static Sample Take(string name, Func<(double AnalyzerMs, int Diagnostics)> action)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long baseline = GC.GetTotalMemory(false), peak = baseline;
            using var stop = new ManualResetEventSlim();
            var sampler = new Thread(() =>
            {
                while (!stop.Wait(5)) peak = Math.Max(peak, GC.GetTotalMemory(false));
            }) { IsBackground = true };
            sampler.Start();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var (analyzerMs, diagnostics) = action();
            watch.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            stop.Set();
            sampler.Join();
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            var sample = new Sample(name, watch.Elapsed.TotalMilliseconds, cpu.TotalMilliseconds, analyzerMs, allocated, peak - baseline, diagnostics);
            Console.Error.WriteLine($"  {name}: {sample.WallMs:F0} ms wall, {sample.CpuMs:F0} ms CPU");
            return sample;
        }

        /// <summary>
        /// Analyzers' own cost = a run's minus the driver-only run's (an analyzer that registers an empty operation-block
        /// action: the driver binds every body and builds nothing else), so binding is not counted twice.
        /// </summary>
        private static void Print(Sample compile, List<Sample> samples)
        {
            var driver = samples[0];
            var floor = samples[1];
            double ownCpu(Sample s) => s.CpuMs - driver.CpuMs;
            double ownAllocated(Sample s) => s.Allocated - driver.Allocated;
            Console.WriteLine();
            Console.WriteLine("| configuration | CPU | own CPU | ×floor | ×compile | analyzer time (Roslyn) | ×floor | allocated | own allocated | ×floor | ×compile | peak heap | ×floor | diagnostics |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| {compile.Name} | {compile.CpuMs:N0} ms | — | — | — | — | — | {Mb(compile.Allocated)} | — | — | — | {Mb(compile.PeakHeap)} | — | {compile.Diagnostics} |");
            foreach (var s in samples)
            {
                bool baseline = s == driver;
                string ratio(double value) => baseline ? "—" : value.ToString("F2");
                Console.WriteLine($"| {s.Name} | {s.CpuMs:N0} ms | {(baseline ? "—" : $"{ownCpu(s):N0} ms")} | {ratio(ownCpu(s) / ownCpu(floor))} | {ratio(ownCpu(s) / compile.CpuMs)} | " +
                    $"{s.AnalyzerMs:N0} ms | {s.AnalyzerMs / floor.AnalyzerMs:F2} | " +
                    $"{Mb(s.Allocated)} | {(baseline ? "—" : Mb((long)ownAllocated(s)))} | {ratio(ownAllocated(s) / ownAllocated(floor))} | {ratio(ownAllocated(s) / compile.Allocated)} | " +
                    $"{Mb(s.PeakHeap)} | {(double)s.PeakHeap / floor.PeakHeap:F2} | {s.Diagnostics} |");
            }
            Console.WriteLine();
            Console.WriteLine($"wall: compile {compile.WallMs:N0} ms; " + string.Join("; ", samples.Select(s => $"{s.Name} {s.WallMs:N0} ms")));
            Console.WriteLine("CPU: the process' processor time for the run (sequential analysis, GC threads included); own: minus the driver-only run; ×compile: over compile only's CPU.");
            Console.WriteLine("analyzer time: Roslyn's own accounting (logAnalyzerExecutionTime), wall clock inside the callbacks: inflated by other load on the machine.");
            Console.WriteLine("own allocated: the run's minus the driver-only run's; ×compile: over compile only's allocations. Peak heap: above the heap before the run.");
        }

        private static string Mb(long bytes) => $"{bytes / 1e6:N0} MB";

        /// <summary>
        /// The IDE: a 100,000-line project, one 2,000-line document edited (a comment appended), then that document's
        /// semantic diagnostics on the new compilation. Unchanged trees keep their declarations, as in the IDE.
        /// </summary>
        private static void Ide(bool annotated, bool inferred, int repeats, List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers)> configurations)
        {
            var files = Corpus.Generate(100_000, annotated, inferred: inferred);
            var document = Corpus.Document(2_000, files.Count - 1, annotated, inferred: inferred);
            files.Add(("Edited.cs", document));
            var workload = new Workload(files);
            var compilation = workload.NewCompilation();
            compilation.GetDiagnostics();
            var tree = compilation.SyntaxTrees.Last();
            Console.WriteLine();
            Console.WriteLine($"IDE: one document of {tree.GetText().Lines.Count:N0} lines in a project of {workload.Lines:N0} lines; median of {repeats} edits after 3 warm-up edits");
            Console.WriteLine("| configuration | document's semantic diagnostics: wall | CPU | analyzer time (Roslyn) | allocated |");
            Console.WriteLine("|---|---:|---:|---:|---:|");

            int edit = 0;
            Compilation Edited()
            {
                var text = tree.GetText();
                var changed = tree.WithChangedText(text.WithChanges(new TextChange(new TextSpan(text.Length, 0), $"// edit {++edit}\n")));
                return compilation.ReplaceSyntaxTree(tree, changed);
            }

            Row("no analyzers (binding the document)", () =>
            {
                var next = Edited();
                next.GetSemanticModel(next.SyntaxTrees.Last()).GetDiagnostics();
                return 0;
            });
            foreach (var (name, analyzers) in configurations)
                Row(name, () =>
                {
                    var next = Edited();
                    var run = next.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                        onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
                    run.GetAnalyzerSemanticDiagnosticsAsync(next.GetSemanticModel(next.SyntaxTrees.Last()), null, CancellationToken.None).GetAwaiter().GetResult();
                    return AnalyzerTime(run, analyzers);
                });

            void Row(string name, Func<double> once)
            {
                var walls = new List<double>();
                var cpus = new List<double>();
                var analyzerTimes = new List<double>();
                var allocations = new List<long>();
                for (int i = 0; i < repeats + 3; i++)
                {
                    long allocated = GC.GetTotalAllocatedBytes(precise: true);
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    double analyzerMs = once();
                    watch.Stop();
                    if (i < 3) continue;
                    walls.Add(watch.Elapsed.TotalMilliseconds);
                    cpus.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
                    analyzerTimes.Add(analyzerMs);
                    allocations.Add(GC.GetTotalAllocatedBytes(precise: true) - allocated);
                }
                Console.WriteLine($"| {name} | {Median(walls):F1} ms | {Median(cpus):F1} ms | {Median(analyzerTimes):F1} ms | {Median(allocations.Select(a => (double)a).ToList()) / 1e6:F1} MB |");
            }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }
    }
}
