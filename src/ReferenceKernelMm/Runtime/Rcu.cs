using System;
using System.Collections.Generic;
using System.Threading;
using MmLock;

namespace ReferenceKernelMm.Runtime
{
    /// <summary>An RCU callback, as queued by <see cref="Rcu.call_rcu"/>.</summary>
    public delegate void rcu_callback_t();

    /// <summary>
    /// RCU with real grace periods and sched-RCU semantics: a CPU is a reader inside
    /// <c>rcu_read_lock</c>, with IRQs disabled or with preemption disabled (spinlocks).
    /// <see cref="synchronize_rcu"/> snapshots every CPU that is inside a reader and waits until
    /// each has left that reader (its sequence count moved on); readers that start later are not waited for.
    /// </summary>
    public static class Rcu
    {
        private static readonly object gp_lock = new();
        private static int gp_waiters;

        private static readonly object cb_lock = new();
        private static readonly List<rcu_callback_t> cb_queue = new();
        private static long cb_queued, cb_done;
        private static Thread? cb_worker;

        /// <summary>Enters an RCU read-side section; nests.</summary>
        [Acquires("ReferenceKernelMm.K.RCU")]
        [NoLockAnalysis("primitive: per-CPU nesting count")]
        public static void rcu_read_lock()
        {
            CpuStop.stop_point();
            Cpu cpu = Smp.this_cpu();
            cpu.rcu_nesting++;
            cpu.rcu_note_reader_state();
        }

        /// <summary>Leaves an RCU read-side section.</summary>
        [Releases("ReferenceKernelMm.K.RCU")]
        [NoLockAnalysis("primitive: per-CPU nesting count")]
        public static void rcu_read_unlock()
        {
            Cpu cpu = Smp.this_cpu();
            if (cpu.rcu_nesting == 0)
                throw ViolationLog.Report(ViolationKind.BadUnlock, $"rcu_read_unlock on CPU {cpu.id} outside a read-side section");
            cpu.rcu_nesting--;
            cpu.rcu_note_reader_state();
            CpuStop.stop_point();
        }

        /// <summary>Whether this CPU is inside <c>rcu_read_lock</c> (not counting IRQs-off or preempt-off readers).</summary>
        public static bool rcu_read_lock_held() => Smp.this_cpu().rcu_nesting > 0;

        /// <summary>Whether this CPU is in any sched-RCU reader (rcu_read_lock_any_held).</summary>
        public static bool rcu_read_lock_any_held() => Smp.this_cpu().in_rcu_reader;

        /// <summary>Callers currently waiting in <see cref="synchronize_rcu"/> (tests use it to order events).</summary>
        internal static int synchronize_rcu_waiters => Volatile.Read(ref gp_waiters);

        internal static void note_quiescent_state()
        {
            if (Volatile.Read(ref gp_waiters) == 0)
                return;
            lock (gp_lock)
                Monitor.PulseAll(gp_lock);
        }

        /// <summary>Waits for every RCU reader that started before the call to finish.</summary>
        [MightSleep]
        public static void synchronize_rcu()
        {
            Lockdep.might_sleep();
            // Orders the caller's earlier stores (an unpublished pointer) before the reads of reader state (smp_mb).
            Interlocked.MemoryBarrier();
            var snapshot = new List<(Cpu cpu, long seq)>();
            foreach (Cpu c in Smp.online_cpus())
            {
                long seq = Volatile.Read(ref c.rcu_seq);
                if ((seq & 1) != 0)
                    snapshot.Add((c, seq));
            }
            if (snapshot.Count == 0)
                return;
            Interlocked.Increment(ref gp_waiters);
            CpuStop.sleep_begin();
            try
            {
                lock (gp_lock)
                {
                    // A reader leaves by bumping its sequence and then pulsing under gp_lock, so no wake-up is lost;
                    // the timeout only bounds the cost of a CPU going offline mid-reader (which cpu_down forbids).
                    while (snapshot.Exists(s => Volatile.Read(ref s.cpu.rcu_seq) == s.seq))
                        Smp.sleep_wait(gp_lock);
                }
            }
            finally
            {
                Interlocked.Decrement(ref gp_waiters);
                CpuStop.sleep_end();
            }
        }

        /// <summary>Queues <paramref name="func"/> to run after a grace period, on the RCU callback worker.</summary>
        public static void call_rcu(rcu_callback_t func)
        {
            lock (cb_lock)
            {
                cb_queue.Add(func);
                cb_queued++;
                if (cb_worker == null)
                {
                    cb_worker = new Thread(rcu_cb_worker) { Name = "rcuc", IsBackground = true };
                    cb_worker.Start();
                }
                Monitor.PulseAll(cb_lock);
            }
        }

        /// <summary>Waits until every callback queued before the call has run.</summary>
        [MightSleep]
        public static void rcu_barrier()
        {
            Lockdep.might_sleep();
            CpuStop.sleep_begin();
            lock (cb_lock)
            {
                long target = cb_queued;
                while (cb_done < target)
                    Smp.sleep_wait(cb_lock);
            }
            CpuStop.sleep_end();
        }

        // The callback kthread is a CPU of its own, so callbacks can use kernel primitives.
        private static void rcu_cb_worker()
        {
            using CpuHandle self = Smp.cpu_up();
            while (true)
            {
                rcu_callback_t[] batch;
                CpuStop.sleep_begin();
                lock (cb_lock)
                {
                    while (cb_queue.Count == 0)
                        Smp.sleep_wait(cb_lock);
                    batch = cb_queue.ToArray();
                    cb_queue.Clear();
                }
                CpuStop.sleep_end();
                synchronize_rcu();
                foreach (rcu_callback_t cb in batch)
                {
                    try { cb(); }
                    catch (KernelBugException) { /* already in the violation log; the worker must survive */ }
                }
                lock (cb_lock)
                {
                    cb_done += batch.Length;
                    Monitor.PulseAll(cb_lock);
                }
            }
        }
    }
}
