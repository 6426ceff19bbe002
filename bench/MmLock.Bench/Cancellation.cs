using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Bench
{
    /// <summary>
    /// `cancel`: for each pathological body, MmLock's run is cancelled a fixed delay after MmLock's own analysis of that body
    /// started (its operation-block action), not after the compile: the delay then lands inside the flow and the rules, whatever
    /// Roslyn's binding of the body costs. Prints the time from <c>Cancel()</c> to the run's return and who observed the token.
    /// </summary>
    public static class Cancellation
    {
        public static int Run(int cancelAfterMs, int repeats, string? only)
        {
            Console.WriteLine($"cancelled {cancelAfterMs} ms after MmLock's analysis of the body started (inside MmLock), or after the run started (Roslyn binding included); " +
                $"{repeats} run(s) each, the worst shown");
            Console.WriteLine("| body | MmLock's action, uncancelled | MM9999 | cancel inside MmLock → return | runs | cancel after the run's start → return | runs (of which before MmLock's action started) | token first observed in |");
            Console.WriteLine("|---|---:|---|---:|---|---:|---|---|");
            AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
            {
                if (e.Exception is OperationCanceledException && _observer == null) _observer = Thrower(new StackTrace(1, false));
            };
            Once(new Workload(new[] { ("Prelude.cs", Corpus.Prelude(true)), ("Odd.cs", Pathological.Pairs(10)) }), Timeout.InfiniteTimeSpan, inside: true);
            foreach (var (name, body) in Pathological.Bodies().Where(b => only == null || b.Name.Contains(only, StringComparison.Ordinal)))
            {
                var workload = new Workload(new[] { ("Prelude.cs", Corpus.Prelude(true)), ("Odd.cs", body) });
                var full = Once(workload, Timeout.InfiniteTimeSpan, inside: true);
                var delay = TimeSpan.FromMilliseconds(cancelAfterMs);
                var inside = Enumerable.Range(0, repeats).Select(_ => Once(workload, delay, inside: true)).ToList();
                var fromStart = Enumerable.Range(0, repeats).Select(_ => Once(workload, delay, inside: false)).ToList();
                string observers = string.Join("; ", inside.Concat(fromStart).Where(r => r.LatencyMs != null).Select(r => r.Observer).Distinct());
                Console.WriteLine($"| {name} | {full.ActionMs:N0} ms | {(full.Stopped ? "yes" : "no")} | {Worst(inside)} | {All(inside)} | {Worst(fromStart)} | {All(fromStart)} ({string.Join(", ", fromStart.Select(r => r.BeforeActionMs is { } b ? $"{b:N0}" : "—"))}) | {observers} |");
            }
            return 0;
        }

        private static string? _observer;

        private static string Worst(System.Collections.Generic.List<Result> runs) =>
            runs.Any(r => r.LatencyMs != null) ? $"{runs.Where(r => r.LatencyMs != null).Max(r => r.LatencyMs!.Value):N0} ms" : "finished before the cancel";

        private static string All(System.Collections.Generic.List<Result> runs) => string.Join(", ", runs.Select(r => r.LatencyMs is { } ms ? $"{ms:N0}" : "done"));

        /// <summary><see cref="BeforeActionMs"/>: of the latency, the time Roslyn took after the cancel before MmLock's action began.</summary>
        private readonly record struct Result(double ActionMs, double? LatencyMs, string Observer, bool Stopped, double? BeforeActionMs);

        /// <summary>
        /// One run; <paramref name="delay"/> after the body's action starts (<paramref name="inside"/>) or after the run starts, the run
        /// is cancelled (infinite: never).
        /// </summary>
        private static Result Once(Workload workload, TimeSpan delay, bool inside)
        {
            using var source = new CancellationTokenSource();
            var hook = new Hook(source, inside ? delay : Timeout.InfiniteTimeSpan);
            var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new MmLock.Testing.BlockActionWrapper(new MmLock.Analyzers.MmLockAnalyzer(), (block, action) => hook.Around(block.OwningSymbol, () => action(block))));
            var exceptions = new System.Collections.Generic.List<Exception>();
            var run = workload.NewCompilation().WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (e, _, _) => exceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
            _observer = null;
            bool stopped = false;
            var watch = hook.Run;
            watch.Start();
            double? cancelledAt = null;
            using var timer = inside || delay == Timeout.InfiniteTimeSpan ? null
                : new Timer(_ => { cancelledAt = watch.Elapsed.TotalMilliseconds; source.Cancel(); }, null, delay, Timeout.InfiniteTimeSpan);
            try
            {
                var diagnostics = run.GetAnalyzerDiagnosticsAsync(source.Token).GetAwaiter().GetResult();
                stopped = diagnostics.Any(d => d.Id is "MM9999" or "AD0001");
            }
            catch (OperationCanceledException) { }
            var returned = watch.Elapsed.TotalMilliseconds;
            if (exceptions.Count > 0) throw new InvalidOperationException("analyzer threw", exceptions[0]);
            double? latency = inside ? (hook.CancelledAt is { } at ? hook.Watch.Elapsed.TotalMilliseconds - at : null) : cancelledAt is { } c ? returned - c : null;
            double? before = !inside && cancelledAt is { } cancel ? (hook.StartedAt is { } started ? Math.Max(0, started - cancel) : latency) : null;
            return new Result(hook.ActionMs, latency, _observer ?? "", stopped, before);
        }

        /// <summary>The innermost frame of MmLock or Roslyn that threw (Type.Method), past the token's own methods.</summary>
        private static string Thrower(StackTrace trace)
        {
            var method = trace.GetFrames().Select(f => f.GetMethod())
                .FirstOrDefault(m => m?.DeclaringType?.Namespace is { } ns && (ns.StartsWith("MmLock.Analyzers") || ns.StartsWith("Microsoft.CodeAnalysis")));
            return method == null ? "?" : (method.DeclaringType?.FullName?.Replace("MmLock.Analyzers.", "").Replace("Microsoft.CodeAnalysis.", "") ?? "?") + "." + method.Name;
        }

        /// <summary>Starts the cancel timer when MmLock's operation-block action for the pathological body begins.</summary>
        private sealed class Hook
        {
            private readonly CancellationTokenSource _source;
            private readonly TimeSpan _delay;
            private Timer? _timer;

            public Hook(CancellationTokenSource source, TimeSpan delay) { _source = source; _delay = delay; }

            public Stopwatch Watch { get; } = new Stopwatch();
            /// <summary>The whole run's clock, and when on it the body's action started.</summary>
            public Stopwatch Run { get; } = new Stopwatch();
            public double? StartedAt { get; private set; }
            public double? CancelledAt { get; private set; }
            public double ActionMs { get; private set; }

            public void Around(ISymbol owner, Action action)
            {
                if (owner.Name != "body" || owner.ContainingType?.Name != "P") { action(); return; }
                StartedAt = Run.Elapsed.TotalMilliseconds;
                Watch.Start();
                if (_delay != Timeout.InfiniteTimeSpan)
                    _timer = new Timer(_ => { CancelledAt = Watch.Elapsed.TotalMilliseconds; _source.Cancel(); }, null, _delay, Timeout.InfiniteTimeSpan);
                try { action(); }
                finally
                {
                    ActionMs = Watch.Elapsed.TotalMilliseconds;
                    // An action that finished before the timer fired: nothing was cancelled.
                    if (CancelledAt == null) _timer?.Dispose();
                }
            }
        }
    }
}
