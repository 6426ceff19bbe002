using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>What kind of rule a <see cref="KernelBugException"/> reports.</summary>
    public enum ViolationKind
    {
        /// <summary>lockdep_assert_held / _held_read failed.</summary>
        NotHeld,
        /// <summary>lockdep_assert_not_held failed, or an Excludes rule was broken.</summary>
        HeldWhenExcluded,
        /// <summary>Sleeping in atomic context (might_sleep).</summary>
        SleepInAtomic,
        /// <summary>Two lock classes taken in both orders.</summary>
        LockOrderInversion,
        /// <summary>Releasing what is not held, or in the wrong mode.</summary>
        BadUnlock,
        /// <summary>Recursive acquire of a non-recursive lock.</summary>
        Recursion,
        /// <summary>Access to a freed page (KASAN).</summary>
        UseAfterFree,
        /// <summary>A kernel BUG_ON / WARN_ON style consistency check.</summary>
        Bug,
        /// <summary>
        /// IRQ-unsafe lock use, lockdep's three reports: a lock class taken both in hard-IRQ context and with IRQs enabled
        /// (inconsistent lock state), a HARDIRQ-safe class held while a HARDIRQ-unsafe one is taken (lock order detected),
        /// or a class changing its usage against such a dependency (irq lock inversion).
        /// </summary>
        IrqUnsafe,
        /// <summary>Two CPUs accessing the same data at once, at least one writing (KCSAN): see <see cref="Kcsan"/>.</summary>
        DataRace,
    }

    /// <summary>One recorded violation: what, where (CPU, thread, stack) and the full message.</summary>
    public sealed record Violation(ViolationKind Kind, string Message, int Cpu, string Thread, string Stack, DateTime When);

    /// <summary>
    /// Thrown by every run-time check of the port. The violation is also appended to <see cref="ViolationLog"/>
    /// before the throw, so a stress driver sees it even when the failing thread swallows the exception.
    /// </summary>
    public sealed class KernelBugException : Exception
    {
        /// <summary>Creates the exception for a recorded violation.</summary>
        public KernelBugException(Violation violation) : base($"{violation.Kind}: {violation.Message}") { Violation = violation; }

        /// <summary>The recorded violation.</summary>
        public Violation Violation { get; }
    }

    /// <summary>The global log of violations, read by the stress driver.</summary>
    public static class ViolationLog
    {
        private static readonly ConcurrentQueue<Violation> log = new();

        /// <summary>All violations recorded since start (or the last <see cref="Clear"/>).</summary>
        public static IReadOnlyList<Violation> Snapshot() => log.ToArray();

        /// <summary>Number of violations recorded.</summary>
        public static int Count => log.Count;

        /// <summary>Forgets every recorded violation.</summary>
        public static void Clear() => log.Clear();

        /// <summary>Records a violation and returns the exception that reports it; callers throw it.</summary>
        public static KernelBugException Report(ViolationKind kind, string message)
        {
            var v = new Violation(kind, message, Smp.raw_smp_processor_id(),
                Thread.CurrentThread.Name ?? $"thread {Environment.CurrentManagedThreadId}",
                new StackTrace(1, false).ToString(), DateTime.UtcNow);
            log.Enqueue(v);
            return new KernelBugException(v);
        }

        private static int suppressed;
        private static string? first_suppressed;

        /// <summary>
        /// With this set (the stress driver's <c>--assertions off</c>), a failed lockdep-style assertion is counted instead of
        /// reported and the code runs on, so a run stops only on what a missing guard breaks: the consequence.
        /// </summary>
        public static bool assertions_off;

        /// <summary>Failed assertions counted while <see cref="assertions_off"/>, and the first one's message.</summary>
        public static (int count, string? first) suppressed_assertions => (Volatile.Read(ref suppressed), first_suppressed);

        /// <summary>A failed assertion (a guard stated at run time and not held): reports and throws, or counts it (<see cref="assertions_off"/>).</summary>
        public static void assertion_failed(ViolationKind kind, string message)
        {
            if (!assertions_off)
                throw Report(kind, message);
            Interlocked.CompareExchange(ref first_suppressed, $"{kind}: {message}", null);
            Interlocked.Increment(ref suppressed);
        }

        /// <summary>BUG_ON: reports and throws when the condition holds.</summary>
        public static void BUG_ON(bool condition, string message)
        {
            if (condition)
                throw Report(ViolationKind.Bug, message);
        }
    }
}
