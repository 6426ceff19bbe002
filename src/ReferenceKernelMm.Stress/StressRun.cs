using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.Stress
{
    /// <summary>
    /// One run: CPUs picking operations for the duration, a progress line, the violation log and a watchdog watched from
    /// the main thread, and a summary. The first violation ends the run, as panic_on_warn would: a CPU that failed is left
    /// as it failed (holding what it held), so the others may block on it and are not waited for long.
    /// </summary>
    public sealed class StressRun
    {
        private sealed class worker
        {
            public worker(int index) { this.index = index; }
            public readonly int index;
            public int cpu = -1;
            public volatile string? doing;
            public long since;
            public volatile bool finished;
        }

        // Each race window holds a walker up once in `odds` passes, for `lengths` window lengths. The kernel walker passes
        // its point at each table it descends into: 20 ms there lets hot-remove free a table a walker is in. The GUPs are
        // held up rarely but long, long enough for the munmaps of hugetlb_exit, which acts while one sits in its window:
        // the hugetlb lookup longest, as its race needs a hole punch unsharing the table, then the last sharer's munmap
        // freeing it (the fixed lookup holds the vma lock across it); gup_fast for one munmap (the fixed one has IRQs off).
        private static readonly Dictionary<string, (int odds, int lengths)> windows = new()
        {
            ["walk_kernel_page_table_range"] = (16, 20),
            // A struct-page scan between pfn_to_online_page and the read: long enough for an offline to fall inside.
            ["kmemleak_scan"] = (2, 50),
            ["gup_fast"] = (4, 50),
            ["hugetlb_follow_page_mask"] = (4, 200),
            ["walk_hugetlb_range"] = (8, 1),
            ["copy_hugetlb_page_range"] = (8, 1),
            // A huge page fault: a CPU held up between the re-check of the entry and its set, and likewise fork's copy,
            // under the table's split lock. (Not while the new page is cleared: a fault holding its vma lock longer makes
            // hole punching skip the VMA, and the G4 variant's race rarer.)
            ["hugetlb_no_page_locked"] = (4, 2),
            ["copy_hugetlb_page_range_locked"] = (2, 2),
            // stop_machine's queueing of the stopper works on every CPU: stop_cpus_mutex keeps two callers apart there.
            ["queue_stop_cpus_work"] = (1, 20),
            // KCSAN's watchpoint delay: an access to a watched list or count is held up, so that an unguarded access of
            // another CPU overlaps it. The check-to-populate step of __pxd_alloc likewise. The text patch and its
            // execution last a moment each, as both do in the kernel (a patch is many instructions, IPIs and flushes).
            ["kcsan"] = (16, 1),
            ["pxd_populate"] = (2, 1),
            ["patch_text"] = (1, 2),
            ["text_exec"] = (1, 1),
        };

        [ThreadStatic] private static Random? window_rng;

        private readonly StressOptions o;
        private readonly int seed;
        private readonly ArchProfile profile;
        private readonly Variant? variant;
        private readonly Workload workload;
        private readonly Counters counters = new();
        private readonly Stopwatch clock = new();
        private volatile bool stop;
        private System.IO.StreamWriter? op_log;

        private void setup_fault(lib.fault_attr attr, (double probability, long interval) rate, int stream) =>
            attr.setup(rate.probability, unchecked(seed * 7919 + stream), rate.interval);

        private static string describe((double probability, long interval) rate) =>
            rate.interval > 0 ? $"1/{rate.interval}" : rate.probability.ToString(CultureInfo.InvariantCulture);

        /// <summary>Prepares a run.</summary>
        public StressRun(StressOptions options, int seed, ArchProfile profile, Variant? variant, Workload workload)
        {
            o = options;
            this.seed = seed;
            this.profile = profile;
            this.variant = variant;
            this.workload = workload;
        }

        /// <summary>The random numbers of CPU <paramref name="index"/>: a function of the seed and the index only.</summary>
        public static Random cpu_random(int seed, int index) => new(unchecked(seed * 1_000_003 + index));

        // A race window holds the CPU up without leaving the kernel: with IRQs on it still takes its IPIs, so a freer's
        // synchronisation does not wait for the window to end.
        private static void hold_up(int ms)
        {
            var held = Stopwatch.StartNew();
            while (held.ElapsedMilliseconds < ms)
            {
                Thread.Sleep(1);
                Smp.interrupt_point();
            }
        }

        /// <summary>Runs to the end and returns the exit code.</summary>
        public int run()
        {
            Console.Out.WriteLine($"stress: profile {profile.Name}, {o.cpus} CPUs, seed {seed}, {o.duration.ToString(CultureInfo.InvariantCulture)} s, " +
                $"race windows {o.window_ms} ms, watchdog {o.watchdog.ToString(CultureInfo.InvariantCulture)} s");
            if (variant != null)
                Console.Out.WriteLine($"variant {variant.name} ({variant.bug}): {variant.description}\n  replaces {variant.replaces}; " +
                    $"the analyzers report {string.Join(", ", variant.expected_ids)} on it; expected at run time: {variant.expected_kind}");
            ViolationLog.assertions_off = o.assertions_off;
            int window_ms = o.window_ms;
            if (window_ms > 0)
                RaceWindow.hook = point =>
                {
                    window_rng ??= new Random(Environment.CurrentManagedThreadId);
                    if (windows.TryGetValue(point, out var w) && window_rng.Next(w.odds) == 0)
                    {
                        // The workload may act while one of its GUPs sits here (hugetlb_exit).
                        workload.window_held(point, +1);
                        try
                        {
                            hold_up(window_ms * w.lengths);
                        }
                        finally
                        {
                            workload.window_held(point, -1);
                        }
                    }
                };
            using (Smp.cpu_up())
                workload.setup();
            // After setup, so boot and setup never fail; each point has its own generator, a function of the seed.
            setup_fault(mm.page_alloc.fail_page_alloc, o.fail_alloc, 1);
            setup_fault(mm.memory_hotplug.fail_offline_pages, o.fail_offline, 2);
            setup_fault(mm.pagewalk.fail_page_walk, o.stop_walk, 3);
            if (o.fail_alloc != default || o.fail_offline != default || o.stop_walk != default)
                Console.Out.WriteLine($"fault injection: fail-alloc {describe(o.fail_alloc)}, fail-offline {describe(o.fail_offline)}, stop-walk {describe(o.stop_walk)}");
            if (o.op_log != null)
                op_log = new System.IO.StreamWriter(o.op_log, append: false) { AutoFlush = false };

            DateTime started = DateTime.UtcNow;
            clock.Start();
            var workers = new worker[o.cpus];
            if (o.ops > 0)
                Console.Out.WriteLine($"each CPU stops after {o.ops} operations");
            for (int i = 0; i < workers.Length; i++)
            {
                worker w = workers[i] = new worker(i);
                new Thread(() => work(w)) { Name = $"stress-cpu{i}", IsBackground = true }.Start();
            }

            bool tty = !Console.IsOutputRedirected;
            double interval = tty ? 0.5 : Math.Clamp(o.duration / 10, 1, 30);
            double next_progress = interval;
            string? stall = null;
            while (true)
            {
                Thread.Sleep(50);
                double now = clock.Elapsed.TotalSeconds;
                if (ViolationLog.Count > 0)
                    break;
                stall = find_stall(workers);
                if (stall != null)
                {
                    // What every CPU was doing and holding when it fired, before the others are stopped and go offline.
                    stall += "\n" + describe(workers) + "\n" + Lockdep.debug_show_all_locks();
                    break;
                }
                if (now >= o.duration || workers.All(w => w.finished))
                    break;
                if (now >= next_progress)
                {
                    progress(tty, now);
                    next_progress += interval;
                }
            }
            stop = true;
            double ran = clock.Elapsed.TotalSeconds;
            if (tty)
                Console.Out.WriteLine();

            // After a violation the others may be blocked on what the failed CPU holds: give them a moment only.
            bool failed = ViolationLog.Count > 0 || stall != null;
            TimeSpan grace = failed ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(o.watchdog);
            var deadline = Stopwatch.StartNew();
            while (workers.Any(w => !w.finished) && deadline.Elapsed < grace)
                Thread.Sleep(20);
            var stuck = workers.Where(w => !w.finished).ToList();
            if (!failed)
            {
                if (stuck.Count > 0)
                    stall = $"CPUs did not finish their last operation within {o.watchdog} s of the end\n{Lockdep.debug_show_all_locks()}";
                else if (!Task.Run(Rcu.rcu_barrier).Wait(TimeSpan.FromSeconds(o.watchdog)))
                    stall = $"RCU callbacks did not finish (rcu_barrier)\n{Lockdep.debug_show_all_locks()}";
                else
                {
                    // Everything has stopped: every table must be linked exactly where it belongs, every mapping where the CPUs left it.
                    using (Smp.cpu_up())
                        foreach (string problem in workload.end_of_run_check())
                            _ = ViolationLog.Report(ViolationKind.Bug, "end-of-run check: " + problem);
                }
            }
            if (op_log != null)
            {
                lock (op_log)
                    op_log.Dispose();
            }
            if (!failed && stall == null)
            {
                string faults = string.Join(", ", new[] { mm.page_alloc.fail_page_alloc, mm.memory_hotplug.fail_offline_pages, mm.pagewalk.fail_page_walk }
                    .Where(a => a.Calls > 0 && (a.Probability > 0 || a.Failures > 0)).Select(a => $"{a.name} {a.Failures} of {a.Calls} calls"));
                if (faults.Length > 0)
                    Console.Out.WriteLine($"faults injected: {faults}");
            }
            IReadOnlyList<Violation> violations = ViolationLog.Snapshot();
            TimeSpan? first_violation = violations.Count > 0 ? violations[0].When - started : null;
            return summary(ran, violations, first_violation, stall, stuck);
        }

        private void work(worker w)
        {
            CpuHandle cpu = Smp.cpu_up();
            w.cpu = cpu.Cpu.id;
            Random rng = cpu_random(seed, w.index);
            IReadOnlyList<Operation> ops = workload.operations;
            if (op_log != null)
                Counters.start_noting();
            try
            {
                for (long done = 0; !stop && (o.ops == 0 || done < o.ops); done++)
                {
                    Choice c = workload.next(rng);
                    Operation op = ops[c.op];
                    long start = clock.ElapsedTicks;
                    Interlocked.Exchange(ref w.since, start);
                    w.doing = op.describe(c);
                    op.run(c, counters);
                    if (op_log != null)
                    {
                        string line = $"cpu{w.index} {done} {w.doing}: {Counters.take_noted()}";
                        lock (op_log)
                            op_log.WriteLine(line);
                    }
                    w.doing = null;
                    counters.time(op.name, (clock.ElapsedTicks - start) / (double)Stopwatch.Frequency);
                }
            }
            catch (KernelBugException)
            {
                // Already in the violation log. The CPU stays as it failed, like a task killed by an oops.
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _ = ViolationLog.Report(ViolationKind.Bug, $"oops: {e.GetType().Name} in {w.doing}\n{e}");
                return;
            }
            try
            {
                cpu.Dispose();
            }
            catch (KernelBugException)
            {
                return;
            }
            w.finished = true;
        }

        private string? find_stall(worker[] workers)
        {
            long now = clock.ElapsedTicks;
            foreach (worker w in workers)
            {
                string? doing = w.doing;
                double seconds = (now - Interlocked.Read(ref w.since)) / (double)Stopwatch.Frequency;
                if (doing != null && seconds > o.watchdog)
                    return $"CPU {w.cpu} made no progress for {seconds:F1} s in {doing}";
            }
            return null;
        }

        private string describe(worker[] workers)
        {
            long now = clock.ElapsedTicks;
            return string.Join("\n", workers.Select(w => w.doing is string doing
                ? $"CPU {w.cpu}: in {doing} for {(now - Interlocked.Read(ref w.since)) / (double)Stopwatch.Frequency:F1} s"
                : $"CPU {w.cpu}: between operations"));
        }

        private void progress(bool tty, double now)
        {
            var line = new StringBuilder($"[{now,6:F1}s] {counters.total} ops:");
            foreach (string kind in workload.counter_names)
                line.Append(CultureInfo.InvariantCulture, $" {kind} {counters[kind]}");
            line.Append(CultureInfo.InvariantCulture, $" | violations {ViolationLog.Count}");
            if (!tty)
            {
                Console.Out.WriteLine(line);
                return;
            }
            int width = Math.Max(40, Console.WindowWidth - 1);
            string text = line.Length > width ? line.ToString(0, width) : line.ToString().PadRight(width);
            Console.Out.Write("\r" + text);
        }

        private int summary(double ran, IReadOnlyList<Violation> violations, TimeSpan? first_violation, string? stall, List<worker> stuck)
        {
            var w = Console.Out;
            w.WriteLine("== summary");
            w.WriteLine($"profile {profile.Name}, {o.cpus} CPUs, seed {seed}, ran {ran:F1} s, variant {variant?.name ?? "none"}");
            long total = counters.total;
            w.WriteLine($"operations: {total} ({total / Math.Max(ran, 0.001):F0}/s)");
            foreach (string kind in workload.counter_names.Concat(counters.others(workload.counter_names)))
                w.WriteLine($"  {kind,-40} {counters[kind],10}");
            w.WriteLine("mean time per operation (ms): " + string.Join(", ",
                workload.operations.Select(op => $"{op.name} {counters.mean_seconds(op.name) * 1000:F1}")));

            if (o.assertions_off)
            {
                var (count, first) = ViolationLog.suppressed_assertions;
                w.WriteLine($"assertions off: {count} failed{(first == null ? "" : $", first: {first.Split('\n')[0]}")}");
            }
            if (violations.Count == 0 && stall == null)
            {
                w.WriteLine("violations: none");
                w.WriteLine(variant == null ? "result: clean" : $"result: clean: variant {variant.name} reported nothing (expected {variant.expected_kind})");
                return ExitCode.Clean;
            }
            if (violations.Count > 0)
            {
                string kinds = string.Join(", ", violations.GroupBy(v => v.Kind).Select(g => $"{g.Key} {g.Count()}"));
                w.WriteLine($"violations: {violations.Count} ({kinds}), first after {first_violation?.TotalSeconds:F2} s");
                for (int i = 0; i < violations.Count && i < 10; i++)
                {
                    Violation v = violations[i];
                    string message = i == 0 ? v.Message : v.Message.Split('\n')[0];
                    w.WriteLine($"[{i + 1}] {v.Kind} on CPU {v.Cpu} ({v.Thread}): {message}");
                    if (i == 0 && v.Kind != ViolationKind.UseAfterFree)
                        w.WriteLine($"    reported at:\n{v.Stack}");
                }
            }
            if (stall != null)
                w.WriteLine($"watchdog: {stall}");
            foreach (worker s in stuck)
                w.WriteLine($"CPU {s.cpu} still in {s.doing ?? "(between operations)"} when the run ended");
            if (variant != null && violations.Count > 0)
                w.WriteLine(violations[0].Kind == variant.expected_kind
                    ? $"variant {variant.name}: {variant.expected_kind} reported after {first_violation?.TotalSeconds:F2} s, as expected"
                    : $"variant {variant.name}: UNEXPECTED first violation {violations[0].Kind} (expected {variant.expected_kind})");
            w.WriteLine("result: violation");
            return ExitCode.Violation;
        }
    }
}
