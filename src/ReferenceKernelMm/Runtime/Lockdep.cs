using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>The lockdep identity of one lock instance; its class name groups instances for lock-order checking.</summary>
    public sealed class lockdep_map
    {
        /// <summary>Creates the map of one lock.</summary>
        public lockdep_map(string class_name, bool atomic)
        {
            this.class_name = class_name;
            this.atomic = atomic;
            key = Lockdep.register_class(class_name);
        }

        /// <summary>The lock class (the kernel's lock_class_key): all mmap_locks share one.</summary>
        public readonly string class_name;

        internal readonly lock_class key;

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

    /// <summary>lockdep's hard-IRQ usage bits of a lock class (LOCK_USED_IN_HARDIRQ[_READ], LOCK_ENABLED_HARDIRQ[_READ]).</summary>
    internal enum usage_bit { IN_HARDIRQ_W, IN_HARDIRQ_R, HARDIRQ_ON_W, HARDIRQ_ON_R }

    /// <summary>A lock class (the kernel's struct lock_class): what every lock of one class name shares.</summary>
    internal sealed class lock_class
    {
        internal lock_class(string name) { this.name = name; }

        public readonly string name;
        // Under Lockdep.graph_lock: the classes taken while this one was held, and those held when this one was taken.
        public readonly HashSet<lock_class> locks_after = new(), locks_before = new();
        // The usage bits set (1 << usage_bit): written under graph_lock, read without it by the fast path of every acquisition.
        public volatile int usage_mask;
        // Where each usage bit was first set (the kernel's usage_traces).
        public readonly string?[] usage_traces = new string?[4];

        public override string ToString() => name;
    }

    /// <summary>
    /// lockdep-lite: the locks each CPU holds, the lock-class order graph, hard-IRQ usage and might_sleep.
    /// Every failure is reported through <see cref="ViolationLog"/> and thrown.
    /// </summary>
    public static class Lockdep
    {
        // hardirq: taken in an IPI function; its locks and those of the code it interrupted form separate chains.
        internal sealed record held_lock(lockdep_map map, lock_mode mode, bool hardirq);

        private static readonly object graph_lock = new();
        private static readonly Dictionary<string, lock_class> classes = new();

        internal static lock_class register_class(string name)
        {
            lock (graph_lock)
            {
                if (!classes.TryGetValue(name, out lock_class? c))
                    classes[name] = c = new lock_class(name);
                return c;
            }
        }

        /// <summary>Records an acquisition about to happen: checks IRQ usage, recursion and lock order. Trylocks add no order edges (they cannot deadlock).</summary>
        public static void lock_acquire(lockdep_map map, lock_mode mode, bool trylock)
        {
            CpuStop.stop_point();
            Cpu cpu = Smp.this_cpu();
            // Usage before recursion, as lockdep marks it: an IPI function spinning on the lock its CPU holds is inconsistent usage.
            mark_usage(map.key, mode, cpu);
            if (cpu.held_locks.Exists(h => h.map == map))
                throw ViolationLog.Report(ViolationKind.Recursion, $"CPU {cpu.id} acquires {map} ({mode}) which it already holds [{describe_held(cpu)}]");
            if (!trylock)
            {
                lock (graph_lock)
                {
                    lock_class to = map.key;
                    foreach (held_lock h in cpu.held_locks)
                    {
                        // lockdep's irq_context: an IPI function's locks depend on none of the code it interrupted.
                        if (h.hardirq != cpu.in_hardirq)
                            continue;
                        lock_class from = h.map.key;
                        if (from == to)
                            continue; // nesting within one class (two mms) needs the kernel's subclass annotation; not modelled
                        if (closure(to, forwards: true).Contains(from))
                            throw ViolationLog.Report(ViolationKind.LockOrderInversion,
                                $"possible circular locking: CPU {cpu.id} acquires {to} while holding {from}, but {to} -> {from} was observed before");
                        // Only a new dependency is checked, as lockdep's check_prev_add.
                        if (from.locks_after.Add(to))
                        {
                            to.locks_before.Add(from);
                            check_irq_usage(cpu, from, to);
                        }
                    }
                }
            }
        }

        private static bool has(lock_class c, usage_bit bit) => (c.usage_mask & (1 << (int)bit)) != 0;

        private static string usage_str(usage_bit bit) => bit switch
        {
            usage_bit.IN_HARDIRQ_W => "IN-HARDIRQ-W",
            usage_bit.IN_HARDIRQ_R => "IN-HARDIRQ-R",
            usage_bit.HARDIRQ_ON_W => "HARDIRQ-ON-W",
            _ => "HARDIRQ-ON-R",
        };

        // lockdep's [HC..:HE..] of the CPU taking the lock: in hard-IRQ context, hard IRQs enabled.
        private static string irq_state(Cpu cpu) => $"CPU {cpu.id} [HC{(cpu.in_hardirq ? 1 : 0)}:HE{(cpu.irqs_disabled ? 0 : 1)}]";

        // lockdep's mark_usage: taken in hard-IRQ context (an IPI function) the class becomes HARDIRQ-safe, taken with IRQs
        // enabled HARDIRQ-unsafe; with IRQs off outside an IPI function neither. A new bit is checked against the class's
        // own usage (inconsistent lock state: the IPI can spin on the lock the code it interrupted holds) and against the
        // classes it already depends on (irq lock inversion).
        private static void mark_usage(lock_class c, lock_mode mode, Cpu cpu)
        {
            bool in_irq = cpu.in_hardirq, read = mode == lock_mode.shared;
            if (!in_irq && cpu.irqs_disabled)
                return;
            usage_bit bit = in_irq ? (read ? usage_bit.IN_HARDIRQ_R : usage_bit.IN_HARDIRQ_W) : (read ? usage_bit.HARDIRQ_ON_R : usage_bit.HARDIRQ_ON_W);
            if (has(c, bit))
                return;
            lock (graph_lock)
            {
                if (has(c, bit))
                    return;
                c.usage_traces[(int)bit] = $"CPU {cpu.id} {(in_irq ? "in an IPI function" : "with IRQs enabled")}, at {caller()}";
                c.usage_mask |= 1 << (int)bit;
                // valid_state: the opposite direction's write usage conflicts, and for a write its read usage too (two
                // readers do not exclude each other).
                usage_bit excl_w = in_irq ? usage_bit.HARDIRQ_ON_W : usage_bit.IN_HARDIRQ_W;
                usage_bit excl_r = in_irq ? usage_bit.HARDIRQ_ON_R : usage_bit.IN_HARDIRQ_R;
                usage_bit? prev = has(c, excl_w) ? excl_w : !read && has(c, excl_r) ? excl_r : null;
                if (prev is usage_bit p)
                    throw ViolationLog.Report(ViolationKind.IrqUnsafe,
                        $"inconsistent lock state: inconsistent {{{usage_str(p)}}} -> {{{usage_str(bit)}}} usage. {irq_state(cpu)} takes: {c}, at {caller()}. " +
                        $"{{{usage_str(p)}}} state was registered at: {c.usage_traces[(int)p]}");
                // check_usage_forwards / check_usage_backwards: a safe class must not have taken an unsafe one, nor an
                // unsafe one have been taken under a safe one.
                lock_class? other = closure(c, forwards: in_irq).FirstOrDefault(o => has(o, excl_w));
                if (other != null)
                    throw ViolationLog.Report(ViolationKind.IrqUnsafe,
                        $"possible irq lock inversion dependency detected: {irq_state(cpu)} just changed the state of lock: {c} {{{usage_str(bit)}}}, at {caller()}; " +
                        (in_irq ? "but this lock took another, HARDIRQ-unsafe lock in the past: " : "but this lock was taken by another, HARDIRQ-safe lock in the past: ") +
                        $"{other}, which became HARDIRQ-irq-{(in_irq ? "unsafe" : "safe")} at: {other.usage_traces[(int)excl_w]}; " +
                        "and interrupts could create inverse lock ordering between them");
            }
        }

        // lockdep's check_irq_usage for a new dependency prev -> next, under graph_lock: a HARDIRQ-safe class held (prev or
        // one held before it) while a HARDIRQ-unsafe class is taken (next or one taken after it). One CPU holds the unsafe
        // lock with IRQs on, a second holds the safe one and waits for it, and an IPI to the first waits for the safe one.
        private static void check_irq_usage(Cpu cpu, lock_class prev, lock_class next)
        {
            const int in_w = 1 << (int)usage_bit.IN_HARDIRQ_W, in_r = 1 << (int)usage_bit.IN_HARDIRQ_R;
            int safe = closure(prev, forwards: false).Aggregate(0, (m, c) => m | c.usage_mask) & (in_w | in_r);
            if (safe == 0)
                return;
            // exclusive_mask: each hard-IRQ use is excluded by the same kind of use with IRQs enabled.
            int unsafe_mask = safe << ((int)usage_bit.HARDIRQ_ON_W - (int)usage_bit.IN_HARDIRQ_W);
            lock_class? unsafe_class = closure(next, forwards: true).FirstOrDefault(c => (c.usage_mask & unsafe_mask) != 0);
            if (unsafe_class == null)
                return;
            usage_bit unsafe_bit = (unsafe_class.usage_mask & unsafe_mask & (1 << (int)usage_bit.HARDIRQ_ON_W)) != 0 ? usage_bit.HARDIRQ_ON_W : usage_bit.HARDIRQ_ON_R;
            usage_bit safe_bit = unsafe_bit == usage_bit.HARDIRQ_ON_W ? usage_bit.IN_HARDIRQ_W : usage_bit.IN_HARDIRQ_R;
            lock_class safe_class = closure(prev, forwards: false).First(c => has(c, safe_bit));
            throw ViolationLog.Report(ViolationKind.IrqUnsafe,
                $"HARDIRQ-safe -> HARDIRQ-unsafe lock order detected: {irq_state(cpu)} is trying to acquire: {next}, at {caller()}; " +
                $"and this CPU is already holding: {prev}; which would create a new lock dependency: {prev} -> {next}; " +
                $"but this new dependency connects a HARDIRQ-irq-safe lock: {safe_class}, which became HARDIRQ-irq-safe at: {safe_class.usage_traces[(int)safe_bit]}; " +
                $"to a HARDIRQ-irq-unsafe lock: {unsafe_class}, which became HARDIRQ-irq-unsafe at: {unsafe_class.usage_traces[(int)unsafe_bit]}");
        }

        // lockdep's breadth-first search of the dependency graph, under graph_lock: start, then every class taken after it
        // (forwards) or held before it.
        private static IEnumerable<lock_class> closure(lock_class start, bool forwards)
        {
            var seen = new HashSet<lock_class> { start };
            var work = new Queue<lock_class>();
            work.Enqueue(start);
            while (work.Count > 0)
            {
                lock_class c = work.Dequeue();
                yield return c;
                foreach (lock_class n in forwards ? c.locks_after : c.locks_before)
                    if (seen.Add(n))
                        work.Enqueue(n);
            }
        }

        // The function that took the lock: the first frame outside lockdep and the lock primitives (lockdep keeps a stack trace).
        private static string caller()
        {
            foreach (StackFrame f in new StackTrace(1, false).GetFrames())
            {
                Type? t = f.GetMethod()?.DeclaringType;
                if (t == null || t.Namespace is "ReferenceKernelMm.Runtime" or "ReferenceKernelMm.include.linux")
                    continue;
                while (t.DeclaringType != null && t.Name.StartsWith('<'))
                    t = t.DeclaringType; // a lambda's closure class: name its method's class
                string name = f.GetMethod()!.Name;
                if (name.StartsWith('<') && name.IndexOf('>') is > 1 and int end)
                    name = name[1..end]; // a lambda or local function ("<f>b__0_1"): name the method it is in
                return $"{t.Name}.{name}";
            }
            return "?";
        }

        /// <summary>Marks the lock held once the acquisition succeeded.</summary>
        public static void lock_acquired(lockdep_map map, lock_mode mode)
        {
            Cpu cpu = Smp.this_cpu();
            cpu.held_locks.Add(new held_lock(map, mode, cpu.in_hardirq));
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
    }
}
