using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>
    /// What stop_machine needs from the simulated hardware: stopping every other CPU where the kernel would let its
    /// stopper thread run. A thread cannot be preempted at an arbitrary instruction, so a CPU stops itself at its next
    /// <em>stop point</em> — any primitive the model observes (entering or leaving atomic context, a lock acquire,
    /// a page-table memory access, allocating or freeing a frame, sending an IPI) — provided it is preemptible there
    /// (IRQs on, preemption on, outside rcu_read_lock). A CPU sleeping in a kernel wait (a sleeping lock, a grace period)
    /// counts as stopped at once, as the stopper would run on it; if its wait ends during the stop it stops before
    /// returning to kernel code. CPUs in atomic context finish their section first, as in the kernel.
    /// The protocol follows multi_cpu_stop: every CPU acknowledges with IRQs enabled (so IPIs still reach the stopped
    /// ones while stragglers finish), then all have IRQs disabled while fn runs on the caller, then all resume.
    /// A thread that stays a CPU while blocked outside kernel code never acknowledges: it is a CPU that never reaches a
    /// scheduling point, and the stop waits for it (reported after <see cref="Smp.csd_lock_timeout"/>, like a stuck IPI).
    /// </summary>
    internal static class CpuStop
    {
        internal enum multi_stop_state
        {
            MULTI_STOP_PREPARE,
            MULTI_STOP_RUN,
            MULTI_STOP_EXIT,
        }

        internal sealed class multi_stop_data
        {
            public multi_stop_data(Cpu caller) { this.caller = caller; }
            public readonly Cpu caller;
            public readonly HashSet<Cpu> targets = new();
            public readonly HashSet<Cpu> acked = new();
            public multi_stop_state state;
        }

        // Orders every decision about the stop in progress; taken before Smp's cpus_lock and a CPU's irq_sync.
        internal static readonly object stop_lock = new();
        private static volatile multi_stop_data? active;

        /// <summary>Whether this CPU is running fn under stop_machine now.</summary>
        internal static bool running_on(Cpu cpu)
        {
            multi_stop_data? s = active;
            return s != null && s.caller == cpu && s.state == multi_stop_state.MULTI_STOP_RUN;
        }

        /// <summary>A primitive is about to run on this thread: a preemptible CPU that a stop is waiting for stops here.</summary>
        internal static void stop_point()
        {
            Smp.irq_poll();
            multi_stop_data? s = active;
            if (s != null)
                stop_point_slow(s);
        }

        private static void stop_point_slow(multi_stop_data s)
        {
            // A CPU in atomic context (an IPI function included: IRQs are off in it) is not preemptible.
            Cpu? cpu = Smp.this_cpu_or_null();
            if (cpu == null || cpu == s.caller || cpu.in_rcu_reader)
                return;
            lock (stop_lock)
            {
                if (active == s && s.targets.Contains(cpu))
                    park(cpu, s);
            }
        }

        // Under stop_lock: acknowledge and stay until the stop ends.
        private static void park(Cpu cpu, multi_stop_data s)
        {
            s.acked.Add(cpu);
            Monitor.PulseAll(stop_lock);
            // Parked in MULTI_STOP_PREPARE with IRQs still on: IPIs sent meanwhile run here, before the stop disables IRQs.
            while (s.state != multi_stop_state.MULTI_STOP_EXIT)
                Smp.sleep_wait(stop_lock);
        }

        /// <summary>The calling CPU starts sleeping in a kernel wait (nests).</summary>
        internal static void sleep_begin()
        {
            Cpu? cpu = Smp.this_cpu_or_null();
            if (cpu == null)
                return;
            // Full fence before reading `active`; the stopper fences between setting it and reading sleep_depth,
            // so one of the two sees the other.
            Interlocked.Increment(ref cpu.sleep_depth);
            if (active != null)
            {
                lock (stop_lock)
                    Monitor.PulseAll(stop_lock);
            }
        }

        /// <summary>The calling CPU's kernel wait is over: if the stop counted it as stopped, it stays stopped until the stop ends.</summary>
        internal static void sleep_end()
        {
            Cpu? cpu = Smp.this_cpu_or_null();
            if (cpu == null)
                return;
            if (Interlocked.Decrement(ref cpu.sleep_depth) != 0 || active == null)
                return;
            lock (stop_lock)
            {
                multi_stop_data? s = active;
                if (s != null && s.acked.Contains(cpu))
                {
                    // Stopped with IRQs on, like a parked CPU: IPIs queued meanwhile run here, or the stop would wait for them forever.
                    while (s.state != multi_stop_state.MULTI_STOP_EXIT)
                        Smp.sleep_wait(stop_lock);
                }
            }
        }

        /// <summary>cpu_up: no CPU comes online during a stop (the kernel's stop_machine holds cpus_read_lock).</summary>
        internal static void wait_for_no_stop()
        {
            while (active != null)
                Monitor.Wait(stop_lock);
        }

        /// <summary>cpu_down: a stop in progress no longer waits for this CPU.</summary>
        internal static void cpu_dying(Cpu cpu)
        {
            lock (stop_lock)
            {
                multi_stop_data? s = active;
                if (s != null && s.targets.Remove(cpu))
                {
                    s.acked.Remove(cpu);
                    Monitor.PulseAll(stop_lock);
                }
            }
        }

        /// <summary>
        /// Stops every other online CPU and disables IRQs everywhere (MULTI_STOP_PREPARE, then DISABLE_IRQ); returns
        /// when the caller may run fn. Must be called preemptible, one stop at a time (stop_cpus_mutex).
        /// </summary>
        internal static void multi_cpu_stop_begin()
        {
            Cpu self = Smp.this_cpu();
            ViolationLog.BUG_ON(self.in_rcu_reader, $"stop_machine on CPU {self.id} from atomic context");
            var s = new multi_stop_data(self);
            lock (stop_lock)
            {
                ViolationLog.BUG_ON(active != null, "two stop_machine in progress");
                active = s;
                Interlocked.MemoryBarrier();
                foreach (Cpu c in Smp.online_cpus())
                    if (c != self)
                        s.targets.Add(c);
                var waited = Stopwatch.StartNew();
                bool reported = false;
                while (true)
                {
                    foreach (Cpu c in s.targets)
                        if (Volatile.Read(ref c.sleep_depth) > 0)
                            s.acked.Add(c);
                    // IRQs go off only once no IPI is queued or running anywhere: a stopped CPU cannot answer one (the
                    // kernel's targets take them until MULTI_STOP_DISABLE_IRQ), and a running handler re-enables IRQs on exit.
                    Smp.irq_poll();
                    if (s.acked.Count == s.targets.Count && no_pending(s.targets) &&
                        Volatile.Read(ref self.pending_count) == 0)
                        break;
                    Monitor.Wait(stop_lock, 50);
                    if (!reported && waited.Elapsed > Smp.csd_lock_timeout)
                    {
                        reported = true;
                        var late = new List<int>();
                        var unanswered = new List<int>();
                        foreach (Cpu c in s.targets)
                        {
                            if (!s.acked.Contains(c))
                                late.Add(c.id);
                            else if (Volatile.Read(ref c.pending_count) != 0)
                                unanswered.Add(c.id);
                        }
                        string what = late.Count != 0
                            ? $"CPUs {string.Join(", ", late)} not stopped"
                            : $"IPIs to CPUs {string.Join(", ", unanswered)} not answered";
                        // The kernel's soft-lockup watchdog would fire; the stop keeps waiting.
                        _ = ViolationLog.Report(ViolationKind.Bug,
                            $"stop_machine on CPU {self.id}: {what} after {Smp.csd_lock_timeout.TotalSeconds}s (atomic, or blocked outside kernel code)");
                    }
                }
                // Every CPU disables IRQs; the stopped ones do it in their stopper, so the model does it on their behalf.
                foreach (Cpu c in s.targets)
                {
                    lock (c.irq_sync)
                        c.irqs_disabled = true;
                }
                lock (self.irq_sync)
                    self.irqs_disabled = true;
                s.state = multi_stop_state.MULTI_STOP_RUN;
            }
            self.rcu_note_reader_state();
        }

        private static bool no_pending(IEnumerable<Cpu> cpus)
        {
            foreach (Cpu c in cpus)
                if (Volatile.Read(ref c.pending_count) != 0 || c.in_hardirq)
                    return false;
            return true;
        }

        /// <summary>Enables IRQs everywhere again and lets the stopped CPUs go (MULTI_STOP_EXIT).</summary>
        internal static void multi_cpu_stop_end()
        {
            Cpu self = Smp.this_cpu();
            lock (stop_lock)
            {
                multi_stop_data? s = active;
                ViolationLog.BUG_ON(s == null || s.caller != self, $"stop_machine ended on CPU {self.id}, which does not run it");
                foreach (Cpu c in s!.targets)
                {
                    lock (c.irq_sync)
                    {
                        // Nobody can send an IPI while every CPU has IRQs off.
                        ViolationLog.BUG_ON(c.pending.Count != 0, $"IPI queued to stopped CPU {c.id}");
                        c.irqs_disabled = false;
                    }
                }
                lock (self.irq_sync)
                {
                    ViolationLog.BUG_ON(self.pending.Count != 0, $"IPI queued to stop_machine's CPU {self.id}");
                    self.irqs_disabled = false;
                }
                s.state = multi_stop_state.MULTI_STOP_EXIT;
                active = null;
                Monitor.PulseAll(stop_lock);
            }
            self.rcu_note_reader_state();
        }
    }
}
