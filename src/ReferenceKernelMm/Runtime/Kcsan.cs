using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>
    /// KCSAN-lite: data-race detection on the shared structures the port's guards protect (the vmalloc area lists, the
    /// VMA lists, the reverse map, the PMD share count). An access announces itself for its duration; a write that
    /// overlaps any access of another thread, or a read that overlaps a write, is reported as <see cref="ViolationKind.DataRace"/>.
    /// It knows nothing about locks, so it sees the harm of a missing guard (a list changed under a reader, a lost update)
    /// even when the assertion next to the guard is off. Like KCSAN's watchpoints, each access passes the race window
    /// "kcsan", where a stress run may hold it up so that overlaps become likely. The run goes on after a report, as KCSAN's does.
    /// </summary>
    public static class Kcsan
    {
        internal sealed class watch
        {
            public int readers, writers;
            public volatile string? last;
        }

        private static readonly ConditionalWeakTable<object, watch> watches = new();

        /// <summary>An access in progress; ends at Dispose.</summary>
        public readonly struct access : IDisposable
        {
            private readonly watch w;
            private readonly bool write;

            internal access(watch w, bool write) { this.w = w; this.write = write; }

            /// <summary>Ends the access.</summary>
            public void Dispose()
            {
                if (write)
                    Interlocked.Decrement(ref w.writers);
                else
                    Interlocked.Decrement(ref w.readers);
            }
        }

        /// <summary>A read of <paramref name="data"/> (iterating or looking up) by <paramref name="what"/>, until Dispose.</summary>
        public static access read(object data, string what) => begin(data, what, write: false);

        /// <summary>A write of <paramref name="data"/> (adding, removing, a read-modify-write) by <paramref name="what"/>, until Dispose.</summary>
        public static access write(object data, string what) => begin(data, what, write: true);

        private static access begin(object data, string what, bool write)
        {
            watch w = watches.GetValue(data, _ => new watch());
            string me = $"{what} on CPU {Smp.raw_smp_processor_id()}";
            // Both counters are changed with full fences: of two overlapping accesses, the later one sees the earlier.
            bool race = write
                ? Interlocked.Increment(ref w.writers) > 1 || Volatile.Read(ref w.readers) > 0
                : Interlocked.Increment(ref w.readers) > 0 && Volatile.Read(ref w.writers) > 0;
            string? other = w.last;
            w.last = me;
            if (race)
                _ = ViolationLog.Report(ViolationKind.DataRace, $"data race: {(write ? "write" : "read")} by {me} overlaps another access (the last to begin: {other ?? "unknown"})");
            RaceWindow.at("kcsan");
            return new access(w, write);
        }
    }
}
