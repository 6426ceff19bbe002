using System;
using System.Collections.Generic;
using System.Threading;
using MmLock;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>An IPI function, run on each target CPU in hard-IRQ context: with IRQs off, on the sender too (on_each_cpu).</summary>
    [RequiresAny("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved")]
    public delegate void smp_call_func_t(object? info);

    /// <summary>A simulated CPU: the state the hardware keeps per CPU (IRQ flag, pending IPIs) and the per-CPU kernel state (preempt count, RCU nesting, held locks).</summary>
    public sealed class Cpu
    {
        internal Cpu(int id) { this.id = id; }

        /// <summary>The CPU number, as returned by <see cref="Smp.smp_processor_id"/>.</summary>
        public readonly int id;

        // Serialises IRQ-flag changes with IPI delivery, so an IPI is either taken at once or queued, never lost.
        internal readonly object irq_sync = new();
        internal bool online;
        internal volatile bool irqs_disabled;
        // Running IPI functions (hard-IRQ context), with irqs_disabled set until they return; set and cleared under irq_sync.
        internal volatile bool in_hardirq;
        internal readonly Queue<CallSingleData> pending = new();
        // pending.Count, readable without irq_sync: the fast path of every interrupt point.
        internal int pending_count;
        // The monitor the CPU sleeps on in a kernel wait, so a sender can wake it to take its IPI.
        internal object? sleeping_on;

        internal int preempt_count;
        internal int rcu_nesting;
        // Odd while the CPU is inside an RCU reader (rcu_read_lock, IRQs off or preemption off); bumped on each transition.
        internal long rcu_seq;
        internal readonly List<Lockdep.held_lock> held_locks = new();
        // Nesting of kernel waits (sleeping locks, grace periods) the CPU is sleeping in: stop_machine counts it stopped.
        internal int sleep_depth;

        /// <summary>Whether the CPU is in an sched-RCU read-side section of any kind.</summary>
        internal bool in_rcu_reader => rcu_nesting > 0 || irqs_disabled || preempt_count > 0;

        // Called by the owning thread after any change of the reader state.
        internal void rcu_note_reader_state()
        {
            bool odd = (Volatile.Read(ref rcu_seq) & 1) != 0;
            if (odd == in_rcu_reader)
                return;
            Interlocked.Increment(ref rcu_seq);
            if (odd)
                Rcu.note_quiescent_state();
        }
    }

    /// <summary>One IPI request shared by all its targets.</summary>
    internal sealed class CallSingleData
    {
        public CallSingleData(smp_call_func_t func, object? info, int targets) { this.func = func; this.info = info; remaining = targets; }
        public readonly smp_call_func_t func;
        public readonly object? info;
        public int remaining;
        public readonly ManualResetEventSlim done = new(false);

        [NoLockAnalysis("primitive: the target CPU's hard-IRQ context, in which IRQs are off")]
        public void run_on()
        {
            try { func(info); }
            finally
            {
                if (Interlocked.Decrement(ref remaining) == 0)
                    done.Set();
            }
        }
    }

    /// <summary>Returned by <see cref="Smp.cpu_up"/>: the thread stays a CPU until disposed.</summary>
    public sealed class CpuHandle : IDisposable
    {
        internal CpuHandle(Cpu cpu) { Cpu = cpu; }

        /// <summary>The CPU the thread runs as.</summary>
        public Cpu Cpu { get; }

        /// <summary>Takes the CPU offline (cpu_down).</summary>
        public void Dispose() => Smp.cpu_down(Cpu);
    }

    /// <summary>
    /// CPUs, IRQ flags and IPIs. A thread becomes a CPU with <see cref="cpu_up"/>.
    /// An IPI is queued on each online target and runs on the target's own thread, in hard-IRQ context, at its next
    /// interrupt point with IRQs on: any primitive (<see cref="CpuStop.stop_point"/>), a spin on a lock, enabling IRQs
    /// again, or a kernel sleep, which the sender wakes. A CPU with IRQs disabled runs it only when it enables them: the
    /// window that IPI-based synchronisation (<c>tlb_remove_table_sync_one</c>) relies on. Offline CPUs get none; a CPU
    /// going offline runs what it was sent before (the kernel's flush on the dying CPU).
    /// </summary>
    public static class Smp
    {
        private static readonly object cpus_lock = new();
        private static readonly List<Cpu> cpus = new();

        [ThreadStatic] private static Cpu? current;

        /// <summary>The most CPUs that can be brought up (per-CPU arrays are this long).</summary>
        public const int NR_CPUS = 64;

        /// <summary>How long a sender waits before reporting a stuck IPI (CONFIG_CSD_LOCK_WAIT_DEBUG); it keeps waiting after that.</summary>
        public static TimeSpan csd_lock_timeout = TimeSpan.FromSeconds(10);

        /// <summary>Registers the calling thread as a new online CPU.</summary>
        public static CpuHandle cpu_up()
        {
            if (current != null)
                throw ViolationLog.Report(ViolationKind.Bug, $"thread is already CPU {current.id}");
            lock (CpuStop.stop_lock)
            {
                CpuStop.wait_for_no_stop();
                return cpu_up_locked();
            }
        }

        private static CpuHandle cpu_up_locked()
        {
            lock (cpus_lock)
            {
                Cpu? cpu = cpus.Find(c => !c.online);
                if (cpu == null)
                {
                    if (cpus.Count == NR_CPUS)
                        throw ViolationLog.Report(ViolationKind.Bug, $"more than NR_CPUS={NR_CPUS} CPUs");
                    cpu = new Cpu(cpus.Count);
                    cpus.Add(cpu);
                }
                lock (cpu.irq_sync)
                {
                    cpu.online = true;
                    cpu.irqs_disabled = false;
                }
                current = cpu;
                return new CpuHandle(cpu);
            }
        }

        internal static void cpu_down(Cpu cpu)
        {
            if (current != cpu)
                throw ViolationLog.Report(ViolationKind.Bug, $"CPU {cpu.id} taken down from another thread");
            bool dirty = cpu.irqs_disabled || cpu.rcu_nesting != 0 || cpu.preempt_count != 0 || cpu.held_locks.Count != 0;
            string state = Lockdep.describe_held(cpu);
            // A CPU that dies in atomic context is still taken offline cleanly, so senders and grace periods never wait for it.
            cpu.rcu_nesting = 0;
            cpu.preempt_count = 0;
            cpu.held_locks.Clear();
            if (cpu.irqs_disabled)
                irq_enable(cpu);
            cpu.rcu_note_reader_state();
            CallSingleData[] flushed;
            lock (cpus_lock)
            {
                lock (cpu.irq_sync)
                {
                    cpu.online = false;
                    flushed = take_pending(cpu);
                }
            }
            handle_ipis(cpu, flushed);
            lock (cpus_lock)
                current = null;
            CpuStop.cpu_dying(cpu);
            ViolationLog.BUG_ON(dirty, $"CPU {cpu.id} went offline in atomic context or holding locks ({state})");
        }

        /// <summary>The calling CPU; throws when the thread is not a CPU.</summary>
        public static Cpu this_cpu() =>
            current ?? throw ViolationLog.Report(ViolationKind.Bug, "kernel code on a thread that is not a CPU (call Smp.cpu_up first)");

        internal static Cpu? this_cpu_or_null() => current;

        /// <summary>The current CPU's number (the IPI's target inside an IPI function, which runs on the target's thread).</summary>
        public static int smp_processor_id() => this_cpu().id;

        /// <summary>Like <see cref="smp_processor_id"/>, -1 on a thread that is not a CPU.</summary>
        public static int raw_smp_processor_id() => current?.id ?? -1;

        /// <summary>Online CPUs at this instant.</summary>
        public static IReadOnlyList<Cpu> online_cpus()
        {
            lock (cpus_lock)
                return cpus.FindAll(c => c.online);
        }

        /// <summary>Whether IRQs are disabled on this CPU (always inside an IPI function).</summary>
        public static bool irqs_disabled() => this_cpu().irqs_disabled;

        /// <summary>Whether this CPU is running an IPI function (in_hardirq).</summary>
        public static bool in_hardirq() => this_cpu().in_hardirq;

        /// <summary>Disables IRQs; does not nest.</summary>
        [Acquires("ReferenceKernelMm.K.IrqsOff")]
        [NoLockAnalysis("primitive: the IRQ flag of the simulated CPU")]
        public static void local_irq_disable()
        {
            CpuStop.stop_point();
            Cpu cpu = this_cpu();
            lock (cpu.irq_sync)
                cpu.irqs_disabled = true;
            cpu.rcu_note_reader_state();
        }

        /// <summary>Enables IRQs and takes the IPIs that arrived while they were off.</summary>
        [Releases("ReferenceKernelMm.K.IrqsOff")]
        [NoLockAnalysis("primitive: the IRQ flag of the simulated CPU")]
        public static void local_irq_enable()
        {
            Cpu cpu = this_cpu();
            ViolationLog.BUG_ON(!cpu.irqs_disabled, $"local_irq_enable on CPU {cpu.id} with IRQs already enabled");
            // IRQs on inside a handler would let IPIs nest in it; the kernel's lockdep warns the same way.
            ViolationLog.BUG_ON(cpu.in_hardirq, $"local_irq_enable on CPU {cpu.id} in an IPI function");
            irq_enable(cpu);
            CpuStop.stop_point();
        }

        /// <summary>Disables IRQs and returns the previous state for <see cref="local_irq_restore"/>; nests.</summary>
        [Acquires("ReferenceKernelMm.K.IrqsSaved")]
        [NoLockAnalysis("primitive: the IRQ flag of the simulated CPU")]
        public static ulong local_irq_save()
        {
            CpuStop.stop_point();
            Cpu cpu = this_cpu();
            ulong flags;
            lock (cpu.irq_sync)
            {
                flags = cpu.irqs_disabled ? 0UL : 1UL;
                cpu.irqs_disabled = true;
            }
            cpu.rcu_note_reader_state();
            return flags;
        }

        /// <summary>Restores the IRQ state saved by <see cref="local_irq_save"/>; takes pending IPIs if that enables IRQs.</summary>
        [Releases("ReferenceKernelMm.K.IrqsSaved")]
        [NoLockAnalysis("primitive: the IRQ flag of the simulated CPU")]
        public static void local_irq_restore(ulong flags)
        {
            Cpu cpu = this_cpu();
            ViolationLog.BUG_ON(!cpu.irqs_disabled, $"local_irq_restore on CPU {cpu.id} with IRQs enabled");
            if (flags != 0)
                irq_enable(cpu);
            CpuStop.stop_point();
        }

        private static void irq_enable(Cpu cpu)
        {
            CallSingleData[] taken;
            lock (cpu.irq_sync)
            {
                cpu.irqs_disabled = false;
                taken = take_pending(cpu);
            }
            handle_ipis(cpu, taken);
            cpu.rcu_note_reader_state();
        }

        // Under cpu.irq_sync, IRQs on: dequeues the IPIs and, if any, enters hard-IRQ context with IRQs off in the same
        // step, so a stop_machine disabling IRQs (also under irq_sync) sees either the IPI queued or its handler running.
        private static CallSingleData[] take_pending(Cpu cpu)
        {
            CallSingleData[] taken = cpu.pending.ToArray();
            cpu.pending.Clear();
            Volatile.Write(ref cpu.pending_count, 0);
            if (taken.Length != 0)
            {
                cpu.in_hardirq = true;
                cpu.irqs_disabled = true;
            }
            return taken;
        }

        // Runs what take_pending took, on the target's own thread; the handlers are an RCU-sched reader, may not
        // sleep, send IPIs or take nested ones. Every handler runs even if one fails, so no sender waits forever.
        // Leaving hard-IRQ context restores the interrupted context's IRQs-on state, whatever the handlers did.
        private static void handle_ipis(Cpu cpu, CallSingleData[] taken)
        {
            if (taken.Length == 0)
                return;
            cpu.rcu_note_reader_state();
            Exception? failed = null;
            foreach (CallSingleData csd in taken)
            {
                try { csd.run_on(); }
                catch (Exception e) { failed ??= e; }
            }
            lock (cpu.irq_sync)
            {
                cpu.in_hardirq = false;
                cpu.irqs_disabled = false;
            }
            cpu.rcu_note_reader_state();
            if (failed != null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
        }

        /// <summary>A point where a CPU outside the kernel (waiting in user space) takes its IPIs and stops for stop_machine.</summary>
        public static void interrupt_point() => CpuStop.stop_point();

        /// <summary>An interrupt point: a CPU with IRQs on (so not in an IPI function) runs the IPIs queued for it.</summary>
        internal static void irq_poll()
        {
            Cpu? cpu = current;
            if (cpu == null || cpu.irqs_disabled || Volatile.Read(ref cpu.pending_count) == 0)
                return;
            CallSingleData[] taken;
            lock (cpu.irq_sync)
            {
                if (cpu.irqs_disabled)
                    return;
                taken = take_pending(cpu);
            }
            handle_ipis(cpu, taken);
        }

        /// <summary>
        /// Monitor.Wait of a kernel sleep; the caller holds <paramref name="sync"/> and loops on its condition. A sleeping CPU
        /// still takes interrupts: a sender wakes it, and the IPI runs here, outside <paramref name="sync"/>.
        /// </summary>
        internal static void sleep_wait(object sync)
        {
            Cpu? cpu = current;
            if (cpu == null || cpu.irqs_disabled)
            {
                Monitor.Wait(sync, 10);
                return;
            }
            // Published before the check, so a sender that queues after it sees it and pulses (it takes sync, which Wait releases).
            Interlocked.Exchange(ref cpu.sleeping_on, sync);
            if (Volatile.Read(ref cpu.pending_count) == 0)
                Monitor.Wait(sync, 10);
            Interlocked.Exchange(ref cpu.sleeping_on, null);
            if (Volatile.Read(ref cpu.pending_count) == 0)
                return;
            Monitor.Exit(sync);
            try { irq_poll(); }
            finally { Monitor.Enter(sync); }
        }

        /// <summary>Runs <paramref name="func"/> on every other online CPU; with <paramref name="wait"/>, returns only after all have run it.</summary>
        [Excludes("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved")]
        public static void smp_call_function(smp_call_func_t func, object? info, bool wait)
        {
            CpuStop.stop_point();
            Cpu self = this_cpu();
            // Waiting with IRQs off (in an IPI function too) deadlocks against a CPU sending to us the same way.
            if (self.irqs_disabled)
                ViolationLog.assertion_failed(ViolationKind.HeldWhenExcluded, $"smp_call_function on CPU {self.id} with IRQs disabled");
            // The extra count keeps `done` unset until every target has been posted.
            var csd = new CallSingleData(func, info, 1);
            foreach (Cpu c in online_cpus())
            {
                if (c == self)
                    continue;
                lock (c.irq_sync)
                {
                    if (!c.online)
                        continue;
                    Interlocked.Increment(ref csd.remaining);
                    c.pending.Enqueue(csd);
                    Volatile.Write(ref c.pending_count, c.pending.Count);
                }
                if (Volatile.Read(ref c.sleeping_on) is object sleeping)
                {
                    lock (sleeping)
                        Monitor.PulseAll(sleeping);
                }
            }
            if (Interlocked.Decrement(ref csd.remaining) == 0)
                csd.done.Set();
            if (!wait)
                return;
            // csd_lock_wait spins with IRQs on: IPIs sent to this CPU meanwhile run, so two senders never wait on each other.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            bool warned = false;
            while (!csd.done.Wait(1))
            {
                // Also a stop point: a stop_machine waiting for this CPU parks it here, and its targets answer while parked.
                CpuStop.stop_point();
                if (!warned && waited.Elapsed > csd_lock_timeout)
                {
                    // The kernel warns and keeps waiting; so do we (the report lands in the violation log).
                    _ = ViolationLog.Report(ViolationKind.Bug, $"CPU {self.id}: IPI not answered after {csd_lock_timeout.TotalSeconds}s (csd lock)");
                    warned = true;
                }
            }
        }

        /// <summary>Runs <paramref name="func"/> on every online CPU, this one included (with IRQs off here, as in an IPI).</summary>
        [Excludes("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved")]
        public static void on_each_cpu(smp_call_func_t func, object? info, bool wait)
        {
            smp_call_function(func, info, wait);
            ulong flags = local_irq_save();
            try { func(info); }
            finally { local_irq_restore(flags); }
        }

        /// <summary>preempt_disable: the CPU becomes an RCU-sched reader and may not sleep.</summary>
        internal static void preempt_disable()
        {
            CpuStop.stop_point();
            Cpu cpu = this_cpu();
            cpu.preempt_count++;
            cpu.rcu_note_reader_state();
        }

        /// <summary>preempt_enable.</summary>
        internal static void preempt_enable()
        {
            Cpu cpu = this_cpu();
            ViolationLog.BUG_ON(cpu.preempt_count == 0, $"preempt count underflow on CPU {cpu.id}");
            cpu.preempt_count--;
            cpu.rcu_note_reader_state();
            CpuStop.stop_point();
        }
    }
}
