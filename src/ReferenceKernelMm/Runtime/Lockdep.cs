using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>The lockdep identity of one lock instance; its class name groups instances for lock-order checking.</summary>
    public sealed class lockdep_map
    {
        /// <summary>Creates the map of one lock.</summary>
        public lockdep_map(string class_name, bool atomic) { this.class_name = class_name; this.atomic = atomic; }

        /// <summary>The lock class (the kernel's lock_class_key): all mmap_locks share one.</summary>
        public readonly string class_name;

        /// <summary>Whether holding the lock forbids sleeping.</summary>
        public readonly bool atomic;

        /// <inheritdoc />
        public override string ToString() => class_name;
    }

    /// <summary>How a lock is held.</summary>
    public enum lock_mode
    {
        /// <summary>Write / exclusive.</summary>
        exclusive,
        /// <summary>Read / shared.</summary>
        shared,
    }

    /// <summary>
    /// lockdep-lite: the locks each CPU holds, the lock-class order graph and might_sleep.
    /// Every failure is reported through <see cref="ViolationLog"/> and thrown.
    /// </summary>
    public static class Lockdep
    {
        internal sealed record held_lock(lockdep_map map, lock_mode mode);

        private static readonly object graph_lock = new();
        // Per atomic lock class, where it was first taken in hard-IRQ context and with IRQs enabled (lockdep's usage bits).
        private static readonly Dictionary<string, string> in_hardirq = new(), hardirq_on = new();
        private static readonly HashSet<string> reported_irq_unsafe = new();
        // Observed edges: the key class was held when the value classes were acquired.
        private static readonly Dictionary<string, HashSet<string>> after = new();

        /// <summary>Records an acquisition about to happen: checks recursion and lock order. Trylocks add no order edges (they cannot deadlock).</summary>
        public static void lock_acquire(lockdep_map map, lock_mode mode, bool trylock)
        {
            CpuStop.stop_point();
            Cpu cpu = Smp.this_cpu();
            // Usage before recursion, as lockdep marks it: an IPI function spinning on the lock its CPU holds is inconsistent usage.
            if (map.atomic)
                check_irq_usage(map, cpu);
            if (cpu.held_locks.Exists(h => h.map == map))
                throw ViolationLog.Report(ViolationKind.Recursion, $"CPU {cpu.id} acquires {map} ({mode}) which it already holds [{describe_held(cpu)}]");
            if (!trylock)
            {
                lock (graph_lock)
                {
                    foreach (held_lock h in cpu.held_locks)
                    {
                        string from = h.map.class_name, to = map.class_name;
                        if (from == to)
                            continue; // nesting within one class (two mms) needs the kernel's subclass annotation; not modelled
                        if (reaches(to, from))
                            throw ViolationLog.Report(ViolationKind.LockOrderInversion,
                                $"possible circular locking: CPU {cpu.id} acquires {to} while holding {from}, but {to} -> {from} was observed before");
                        if (!after.TryGetValue(from, out HashSet<string>? set))
                            after[from] = set = new HashSet<string>();
                        set.Add(to);
                    }
                }
            }
        }

        // lockdep's inconsistent-usage check: a lock class taken in an IPI function and also with IRQs enabled can deadlock,
        // the IPI spinning on the lock that the code it interrupted holds on the same CPU.
        private static void check_irq_usage(lockdep_map map, Cpu cpu)
        {
            bool in_irq = cpu.in_hardirq;
            if (!in_irq && cpu.irqs_disabled)
                return;
            string where = $"CPU {cpu.id}{(in_irq ? " in an IPI function" : " with IRQs enabled")}";
            lock (graph_lock)
            {
                var (mine, other) = in_irq ? (in_hardirq, hardirq_on) : (hardirq_on, in_hardirq);
                mine.TryAdd(map.class_name, where);
                if (!other.TryGetValue(map.class_name, out string? before) || !reported_irq_unsafe.Add(map.class_name))
                    return;
                throw ViolationLog.Report(ViolationKind.IrqUnsafe,
                    $"inconsistent lock state: {map} taken on {where}, and on {before} before ({(in_irq ? "HARDIRQ-ON-W -> IN-HARDIRQ-W" : "IN-HARDIRQ-W -> HARDIRQ-ON-W")})");
            }
        }

        /// <summary>Marks the lock held once the acquisition succeeded.</summary>
        public static void lock_acquired(lockdep_map map, lock_mode mode)
        {
            Cpu cpu = Smp.this_cpu();
            cpu.held_locks.Add(new held_lock(map, mode));
        }

        /// <summary>Records a release; the lock must be held in <paramref name="mode"/>.</summary>
        public static void lock_release(lockdep_map map, lock_mode mode)
        {
            Cpu cpu = Smp.this_cpu();
            int i = cpu.held_locks.FindLastIndex(h => h.map == map);
            if (i < 0)
                throw ViolationLog.Report(ViolationKind.BadUnlock, $"CPU {cpu.id} releases {map} which it does not hold");
            if (cpu.held_locks[i].mode != mode)
                throw ViolationLog.Report(ViolationKind.BadUnlock, $"CPU {cpu.id} releases {map} as {mode} but holds it {cpu.held_locks[i].mode}");
            cpu.held_locks.RemoveAt(i);
        }

        /// <summary>Changes a held lock's mode (downgrade_write).</summary>
        public static void lock_downgrade(lockdep_map map)
        {
            Cpu cpu = Smp.this_cpu();
            int i = cpu.held_locks.FindLastIndex(h => h.map == map && h.mode == lock_mode.exclusive);
            if (i < 0)
                throw ViolationLog.Report(ViolationKind.BadUnlock, $"CPU {cpu.id} downgrades {map} which it does not hold for write");
            cpu.held_locks[i] = cpu.held_locks[i] with { mode = lock_mode.shared };
        }

        /// <summary>The mode this CPU holds the lock in, or null.</summary>
        public static lock_mode? held_mode(lockdep_map map)
        {
            Cpu? cpu = Smp.this_cpu_or_null();
            return cpu?.held_locks.Find(h => h.map == map)?.mode;
        }

        /// <summary>
        /// might_sleep(): sleeping is a bug with IRQs disabled, inside rcu_read_lock or holding a spinlock
        /// (preemption disabled). Threads that are not CPUs are never atomic.
        /// </summary>
        public static void might_sleep()
        {
            Cpu? cpu = Smp.this_cpu_or_null();
            if (cpu == null)
                return;
            string? why =
                Smp.irqs_disabled() ? "IRQs disabled" :
                cpu.rcu_nesting > 0 ? $"inside rcu_read_lock (nesting {cpu.rcu_nesting})" :
                cpu.preempt_count > 0 ? $"preemption disabled (atomic locks held: {string.Join(", ", cpu.held_locks.Where(h => h.map.atomic).Select(h => h.map.class_name))})" :
                null;
            if (why != null)
                throw ViolationLog.Report(ViolationKind.SleepInAtomic, $"sleeping function called from invalid context on CPU {cpu.id}: {why}");
        }

        /// <summary>
        /// debug_show_all_locks: one line per online CPU with its IRQ, preemption and RCU state and the locks it holds,
        /// for a watchdog. Reads other CPUs' state without stopping them, so a CPU that is still running may be caught mid-change.
        /// </summary>
        public static string debug_show_all_locks()
        {
            var lines = new List<string>();
            foreach (Cpu cpu in Smp.online_cpus())
            {
                string held;
                try { held = describe_held(cpu); }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException) { held = "(changing)"; }
                int pending;
                lock (cpu.irq_sync)
                    pending = cpu.pending.Count;
                lines.Add($"CPU {cpu.id}: IRQs {(cpu.in_hardirq ? "off (in an IPI function)" : cpu.irqs_disabled ? "off" : "on")}, preempt_count {cpu.preempt_count}, rcu_nesting {cpu.rcu_nesting}, " +
                    $"{pending} IPIs pending, {(Volatile.Read(ref cpu.sleeping_on) != null ? "asleep in a kernel wait" : $"sleep depth {cpu.sleep_depth}")}, holds [{held}]");
            }
            return string.Join(Environment.NewLine, lines);
        }

        internal static string describe_held(Cpu cpu) =>
            string.Join(", ", cpu.held_locks.Select(h => $"{h.map.class_name}({h.mode})"));

        private static bool reaches(string from, string to)
        {
            var seen = new HashSet<string>();
            var work = new Stack<string>();
            work.Push(from);
            while (work.Count > 0)
            {
                string n = work.Pop();
                if (n == to)
                    return true;
                if (seen.Add(n) && after.TryGetValue(n, out HashSet<string>? next))
                    foreach (string m in next)
                        work.Push(m);
            }
            return false;
        }
    }
}
