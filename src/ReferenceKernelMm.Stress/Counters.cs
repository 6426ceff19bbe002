using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace ReferenceKernelMm.Stress
{
    /// <summary>Operations done, by kind; written by the CPUs, read by the progress line and the summary.</summary>
    public sealed class Counters
    {
        private readonly ConcurrentDictionary<string, long> counts = new();
        private readonly ConcurrentDictionary<string, (long n, double seconds)> times = new();

        // What the operation running on this thread counted, for the operation log; null when no log is kept.
        [System.ThreadStatic] private static List<string>? noted;

        /// <summary>Counts one operation of <paramref name="kind"/>.</summary>
        public void add(string kind)
        {
            counts.AddOrUpdate(kind, 1, (_, n) => n + 1);
            noted?.Add(kind);
        }

        /// <summary>Starts noting what this thread's operations count (<see cref="take_noted"/>).</summary>
        public static void start_noting() => noted = new List<string>();

        /// <summary>What was counted on this thread since the last call, joined; empty when nothing was noted.</summary>
        public static string take_noted()
        {
            if (noted == null)
                return "";
            string s = string.Join(", ", noted);
            noted.Clear();
            return s;
        }

        /// <summary>Records that one run of operation <paramref name="op"/> took <paramref name="seconds"/>.</summary>
        public void time(string op, double seconds) => times.AddOrUpdate(op, (1, seconds), (_, t) => (t.n + 1, t.seconds + seconds));

        /// <summary>Mean seconds per run of operation <paramref name="op"/>, 0 when it never ran.</summary>
        public double mean_seconds(string op) => times.TryGetValue(op, out var t) ? t.seconds / t.n : 0;

        /// <summary>The count of <paramref name="kind"/>.</summary>
        public long this[string kind] => counts.TryGetValue(kind, out long n) ? n : 0;

        /// <summary>All operations counted.</summary>
        public long total => counts.Values.Sum();

        /// <summary>Kinds counted that are not in <paramref name="known"/> (skips), sorted.</summary>
        public IEnumerable<string> others(IEnumerable<string> known) => counts.Keys.Except(known).Order();
    }
}
