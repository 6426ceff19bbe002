using System;
using System.Globalization;

namespace ReferenceKernelMm.Stress
{
    /// <summary>Process exit codes of the driver.</summary>
    public static class ExitCode
    {
        /// <summary>The run finished with no violation (or --list, --plan, --help).</summary>
        public const int Clean = 0;
        /// <summary>A violation was reported: use-after-free, failed assertion, BUG, or the watchdog saw no progress.</summary>
        public const int Violation = 1;
        /// <summary>Bad command line: unknown option or value, profile mismatch, unknown variant.</summary>
        public const int Usage = 2;
        /// <summary>The variant's bug does not exist in this build's profile; nothing was run.</summary>
        public const int NotApplicable = 3;
    }

    /// <summary>The command line.</summary>
    public sealed class StressOptions
    {
        /// <summary>Profile the user asked for; null means the build's.</summary>
        public string? profile;
        /// <summary>Run time in seconds.</summary>
        public double duration = 10;
        /// <summary>Simulated CPUs running operations.</summary>
        public int cpus = 8;
        /// <summary>Seed of the operation choices; null picks one (printed).</summary>
        public int? seed;
        /// <summary>Broken variant to run; null runs the port's functions.</summary>
        public string? variant;
        /// <summary>List operations and variants, then exit.</summary>
        public bool list;
        /// <summary>Print the first this many operations of each CPU, then exit.</summary>
        public int plan;
        /// <summary>Seconds one operation may run before the watchdog reports a stall.</summary>
        public double watchdog = 10;
        /// <summary>Milliseconds a race window holds a walker up; 0 disables the windows.</summary>
        public int window_ms = 1;
        /// <summary>Assertions count instead of stopping the run (--assertions off): only a consequence is a violation.</summary>
        public bool assertions_off;
        /// <summary>Print usage.</summary>
        public bool help;
        /// <summary>Fault injection (probability, or every-Nth when interval &gt; 0): page allocations whose callers handle failure.</summary>
        public (double probability, long interval) fail_alloc;
        /// <summary>Fault injection: offline_pages failing with -EBUSY (a hot-remove failing half-way).</summary>
        public (double probability, long interval) fail_offline;
        /// <summary>Fault injection: dump walks stopped part-way with -EINTR.</summary>
        public (double probability, long interval) stop_walk;
        /// <summary>Operations each CPU runs before it stops; 0: no limit (the duration ends the run).</summary>
        public long ops;
        /// <summary>File the operation log is written to; null: none.</summary>
        public string? op_log;

        /// <summary>The usage text.</summary>
        public static string Usage(string host) =>
            $"""
            usage: {host} [options]
              --profile NAME     the build's architecture profile (default); a different one is refused: rebuild with -p:MmArch=NAME
              --duration SEC     how long to run (default 10)
              --cpus N           simulated CPUs running operations, 1..32 (default 8)
              --seed N           seed of each CPU's choice of operations (default: random, printed)
              --variant NAME     run a broken variant in place of the port's function (see --list)
              --list             list the operations and variants, then exit
              --plan N           print the first N operations each CPU would run for the seed, then exit
              --watchdog SEC     report a stall when an operation runs longer than this (default 10)
              --window-ms MS     how long a race window holds a walker up, 0 for none (default 1)
              --assertions on|off  off: a failed assertion is counted and the code runs on, so only a consequence of
                                 the missing guard (use-after-free, BUG, lockdep report, stall) is a violation (default on)
              --fail-alloc RATE  fail page-table and vmemmap allocations (fail_page_alloc): RATE is a probability
                                 0..1, or 1/N to fail every N-th call (default 0: none)
              --fail-offline RATE  fail offline_pages with -EBUSY (fail_offline_pages): a hot-remove fails half-way and
                                 rolls back (default 0)
              --stop-walk RATE   stop dump walks and walk_hugetlb_range part-way with -EINTR (fail_page_walk)
                                 (default 0)
                                 The injections draw from generators seeded by --seed: with --cpus 1 the same calls fail in every run.
              --ops N            each CPU stops after N operations (default: none; --duration still bounds the run)
              --op-log FILE      write the operation log (CPU, number, operation, what it did) to FILE; with --cpus 1 and
                                 --ops the log is a function of the seed alone
              --help
            exit codes: 0 clean, 1 violation, 2 bad usage, 3 variant not applicable to this build's profile
            """;

        /// <summary>Parses <paramref name="args"/>; returns null and sets <paramref name="error"/> on bad usage.</summary>
        public static StressOptions? Parse(string[] args, out string? error)
        {
            var o = new StressOptions();
            error = null;
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                string? inline_value = null;
                int eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
                {
                    inline_value = arg[(eq + 1)..];
                    arg = arg[..eq];
                }
                string? Value()
                {
                    if (inline_value != null)
                        return inline_value;
                    if (i + 1 < args.Length)
                        return args[++i];
                    return null;
                }
                switch (arg)
                {
                    case "--help" or "-h":
                        o.help = true;
                        break;
                    case "--list":
                        o.list = true;
                        break;
                    case "--profile":
                        o.profile = Value();
                        if (string.IsNullOrEmpty(o.profile))
                            error = "--profile needs a profile name";
                        break;
                    case "--variant":
                        o.variant = Value();
                        if (string.IsNullOrEmpty(o.variant))
                            error = "--variant needs a variant name (see --list)";
                        break;
                    case "--duration":
                        error = ParseDouble(arg, Value(), 0.1, 86400, out o.duration);
                        break;
                    case "--watchdog":
                        error = ParseDouble(arg, Value(), 0.5, 3600, out o.watchdog);
                        break;
                    case "--cpus":
                        error = ParseInt(arg, Value(), 1, 32, out o.cpus);
                        break;
                    case "--plan":
                        error = ParseInt(arg, Value(), 1, 100000, out o.plan);
                        break;
                    case "--window-ms":
                        error = ParseInt(arg, Value(), 0, 1000, out o.window_ms);
                        break;
                    case "--assertions":
                        string? mode = Value();
                        if (mode is not ("on" or "off"))
                            error = $"--assertions needs 'on' or 'off', not '{mode}'";
                        o.assertions_off = mode == "off";
                        break;
                    case "--fail-alloc":
                        error = ParseRate(arg, Value(), out o.fail_alloc);
                        break;
                    case "--fail-offline":
                        error = ParseRate(arg, Value(), out o.fail_offline);
                        break;
                    case "--stop-walk":
                        error = ParseRate(arg, Value(), out o.stop_walk);
                        break;
                    case "--ops":
                        error = ParseInt(arg, Value(), 1, int.MaxValue, out int ops);
                        o.ops = ops;
                        break;
                    case "--op-log":
                        o.op_log = Value();
                        if (string.IsNullOrEmpty(o.op_log))
                            error = "--op-log needs a file name";
                        break;
                    case "--seed":
                        error = ParseInt(arg, Value(), int.MinValue, int.MaxValue, out int seed);
                        o.seed = seed;
                        break;
                    default:
                        error = $"unknown option '{args[i]}'";
                        break;
                }
                if (error != null)
                    return null;
            }
            return o;
        }

        private static string? ParseDouble(string name, string? text, double min, double max, out double value)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || value < min || value > max)
                return $"{name} needs a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'";
            return null;
        }

        // A probability 0..1, or 1/N: every N-th call.
        private static string? ParseRate(string name, string? text, out (double probability, long interval) rate)
        {
            rate = default;
            if (text != null && text.StartsWith("1/", StringComparison.Ordinal))
            {
                if (long.TryParse(text[2..], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= 1)
                {
                    rate = (0, n);
                    return null;
                }
            }
            else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p >= 0 && p <= 1)
            {
                rate = (p, 0);
                return null;
            }
            return $"{name} needs a probability from 0 to 1 or 1/N (every N-th call), not '{text}'";
        }

        private static string? ParseInt(string name, string? text, int min, int max, out int value)
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) || value < min || value > max)
                return $"{name} needs an integer from {min} to {max}, not '{text}'";
            return null;
        }
    }
}
