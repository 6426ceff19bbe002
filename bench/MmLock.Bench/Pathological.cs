using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Bench
{
    /// <summary>
    /// `pathological`: bodies far outside the port's shape, each alone in a compilation with the prelude: time per body
    /// for compile, the graph floor and MmLock (each capped), and how long MmLock takes to return once cancelled.
    /// </summary>
    public static class Pathological
    {
        private static readonly TimeSpan Cap = TimeSpan.FromSeconds(120);

        public static IEnumerable<(string Name, string Body)> Bodies()
        {
            yield return ("5,000-case switch, a lock pair per case", Switch(5_000));
            yield return ("200 nested loops, a lock pair in each", NestedLoops(200));
            yield return ("1,000 lock pairs in one body", Pairs(1_000));
            yield return ("300 nested try/finally, a lock per level", NestedFinally(300));
            yield return ("a 20,000-line method", LongMethod(20_000));
            yield return ("a 2,000-term || under a lock", Expression(string.Join(" || ", Enumerable.Repeat("k == 0", 2_000))));
            yield return ("a 2,000-term ?? under a lock", Expression("(" + string.Join(" ?? ", Enumerable.Repeat("(int?)k", 2_000)) + ") == 0"));
            yield return ("a 2,000-operand or-pattern under a lock", Expression("k is " + string.Join(" or ", Enumerable.Range(0, 2_000))));
            yield return ("a 2,000-operand and-pattern under a lock", Expression("k is " + string.Join(" and ", Enumerable.Range(0, 2_000).Select(i => "not " + i))));
        }

        private static string Method(string body) =>
            "using Bench.Kernel;\nusing static Bench.Kernel.L;\n\nnamespace Bench.Odd\n{\n    public static class P\n    {\n" +
            "        public static int body(mm_struct mm, int k, int n, ulong[] t)\n        {\n            int x = 0;\n" + body + "            return x;\n        }\n    }\n}\n";

        /// <summary>A long condition inside a lock pair, its both edges leading to the release.</summary>
        private static string Expression(string condition) =>
            Method($"            rcu_read_lock();\n            if ({condition}) x++;\n            rcu_read_unlock();\n");

        private static string Switch(int cases)
        {
            var text = new StringBuilder("            switch (k)\n            {\n");
            for (int i = 0; i < cases; i++)
                text.Append($"                case {i}: spin_lock(mm.page_table_lock); set_pte_locked(mm.page_table_lock, {i}, 1); x += {i}; spin_unlock(mm.page_table_lock); break;\n");
            return Method(text.Append("                default: break;\n            }\n").ToString());
        }

        private static string NestedLoops(int depth)
        {
            var text = new StringBuilder();
            for (int i = 0; i < depth; i++)
                text.Append($"            for (int i{i} = 0; i{i} < n; i{i}++)\n            {{\n            spin_lock(mm.page_table_lock); x++; spin_unlock(mm.page_table_lock);\n");
            text.Append("            set_pte_locked(mm.page_table_lock, 0, 1);\n"); // the innermost call is unguarded: the rule reports once
            for (int i = 0; i < depth; i++) text.Append("            }\n");
            return Method(text.ToString());
        }

        internal static string Pairs(int pairs)
        {
            var text = new StringBuilder();
            for (int i = 0; i < pairs; i++)
                text.Append($"            spin_lock(mm.page_table_lock);\n            set_pte_locked(mm.page_table_lock, {i}, 1);\n            spin_unlock(mm.page_table_lock);\n");
            return Method(text.ToString());
        }

        private static string NestedFinally(int depth)
        {
            var text = new StringBuilder();
            for (int i = 0; i < depth; i++) text.Append("            rcu_read_lock();\n            try\n            {\n            x++;\n");
            text.Append("            if (k == 0) return x;\n");
            for (int i = 0; i < depth; i++) text.Append("            }\n            finally\n            {\n            rcu_read_unlock();\n            }\n");
            return Method(text.ToString());
        }

        private static string LongMethod(int lines)
        {
            var text = new StringBuilder();
            int written = 0;
            for (int i = 0; written < lines; i++)
            {
                text.Append($"            spin_lock(mm.page_table_lock);\n            if (t.Length > {i % 7}) x += (int)t[{i % 7}];\n            set_pte_locked(mm.page_table_lock, {i}, 1);\n            spin_unlock(mm.page_table_lock);\n");
                text.Append($"            if (x > {i}) x -= k; else x += n;\n");
                written += 5;
            }
            return Method(text.ToString());
        }

        public static int Run(int cancelAfterMs, string? only)
        {
            Console.WriteLine($"each body alone with the prelude; analysis capped at {Cap.TotalSeconds:F0} s; cancellation {cancelAfterMs} ms into MmLock's own work");
            Console.WriteLine("| body | lines | compile | floor: graphs | MmLock (analyzer time) | MmLock diagnostics | cancel → return |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            var floor = ImmutableArray.Create<DiagnosticAnalyzer>(new ControlFlowGraphsOnly());
            // Warm up JIT on the smallest shape.
            Once(new Workload(new[] { ("Prelude.cs", Corpus.Prelude(true)), ("Odd.cs", Pairs(10)) }), Workload.MmLock, CancellationToken.None);
            foreach (var (name, body) in Bodies().Where(b => only == null || b.Name.Contains(only)))
            {
                var workload = new Workload(new[] { ("Prelude.cs", Corpus.Prelude(true)), ("Odd.cs", body) });
                var errors = workload.NewCompilation().GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
                var watch = Stopwatch.StartNew();
                workload.NewCompilation().GetDiagnostics();
                double compileMs = watch.Elapsed.TotalMilliseconds;
                var floorRun = Once(workload, floor, CancellationToken.None);
                using var capped = new CancellationTokenSource(Cap);
                var ours = Once(workload, Workload.MmLock, capped.Token);
                string oursText = ours.Cancelled ? $"> {Cap.TotalSeconds:F0} s (capped)" : $"{ours.AnalyzerMs:N0} ms";
                var latency = CancelLatency(workload, TimeSpan.FromMilliseconds(compileMs + cancelAfterMs));
                Console.WriteLine($"| {name} | {body.Count(c => c == '\n'):N0} | {compileMs:N0} ms | {floorRun.AnalyzerMs:N0} ms | {oursText} | {(ours.Cancelled ? "—" : ours.Diagnostics.ToString())}{(errors > 0 ? $" ({errors} compiler errors)" : "")} | {latency} |");
            }
            return 0;
        }

        private static (double AnalyzerMs, int Diagnostics, bool Cancelled) Once(Workload workload, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellation)
        {
            var exceptions = new List<Exception>();
            var run = workload.NewCompilation().WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (e, _, _) => exceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
            try
            {
                var diagnostics = run.GetAnalyzerDiagnosticsAsync(cancellation).GetAwaiter().GetResult();
                if (exceptions.Count > 0) throw new InvalidOperationException("analyzer threw", exceptions[0]);
                double ms = analyzers.Sum(a => run.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds);
                return (ms, diagnostics.Length, false);
            }
            catch (OperationCanceledException)
            {
                return (double.NaN, 0, true);
            }
        }

        /// <summary>Starts MmLock's run, cancels it after <paramref name="delay"/>, and times cancel to return.</summary>
        private static string CancelLatency(Workload workload, TimeSpan delay)
        {
            using var cancellation = new CancellationTokenSource();
            var run = workload.NewCompilation().WithAnalyzers(Workload.MmLock, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
            var task = System.Threading.Tasks.Task.Run(() => run.GetAnalyzerDiagnosticsAsync(cancellation.Token));
            if (task.Wait(delay)) return "finished before the cancel";
            var watch = Stopwatch.StartNew();
            cancellation.Cancel();
            try { task.Wait(Cap); }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException) { }
            return task.IsCompleted ? $"{watch.Elapsed.TotalMilliseconds:N0} ms" : $"> {Cap.TotalSeconds:F0} s";
        }
    }
}
