using System.Threading;
using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>
    /// A reader/writer lock whose readers only touch a per-CPU counter. A writer closes the fast path
    /// (<c>block</c>), waits a grace period so every reader that missed the flag has counted itself
    /// (the reader checks and counts with preemption off, an RCU-sched reader), then waits for the sum to drop to zero.
    /// </summary>
    [Context]
    public sealed class percpu_rw_semaphore
    {
        /// <summary>Creates an unlocked semaphore of lock class <paramref name="name"/>.</summary>
        public percpu_rw_semaphore(string name) { dep_map = new lockdep_map(name, atomic: false); }

        /// <summary>The lockdep identity.</summary>
        public readonly lockdep_map dep_map;
        internal readonly int[] read_count = new int[Smp.NR_CPUS];
        internal readonly object sync = new();
        // Under sync; a writer waiting for another sleeps in a kernel wait, where IPIs still reach its CPU.
        internal bool writer;
        internal volatile bool block;

        internal int readers()
        {
            int sum = 0;
            for (int i = 0; i < read_count.Length; i++)
                sum += Volatile.Read(ref read_count[i]);
            return sum;
        }
    }

    /// <summary>percpu_rw_semaphore operations.</summary>
    public static partial class locking
    {
        /// <summary>Takes the read side: a per-CPU increment unless a writer is active.</summary>
        [AcquiresShared("sem")]
        [NoLockAnalysis("primitive: implements percpu_rw_semaphore")]
        public static void percpu_down_read(percpu_rw_semaphore sem)
        {
            Lockdep.might_sleep();
            Lockdep.lock_acquire(sem.dep_map, lock_mode.shared, trylock: false);
            Smp.preempt_disable();
            int cpu = Smp.smp_processor_id();
            bool fast = !sem.block;
            if (fast)
                Interlocked.Increment(ref sem.read_count[cpu]);
            Smp.preempt_enable();
            if (!fast)
            {
                CpuStop.sleep_begin();
                lock (sem.sync)
                {
                    while (sem.block)
                        Smp.sleep_wait(sem.sync);
                    Interlocked.Increment(ref sem.read_count[cpu]);
                }
                CpuStop.sleep_end();
            }
            Lockdep.lock_acquired(sem.dep_map, lock_mode.shared);
        }

        /// <summary>Releases the read side, waking a writer that waits for the readers to drain.</summary>
        [ReleasesShared("sem")]
        [NoLockAnalysis("primitive: implements percpu_rw_semaphore")]
        public static void percpu_up_read(percpu_rw_semaphore sem)
        {
            Lockdep.lock_release(sem.dep_map, lock_mode.shared);
            Interlocked.Decrement(ref sem.read_count[Smp.smp_processor_id()]);
            if (sem.block)
            {
                lock (sem.sync)
                    Monitor.PulseAll(sem.sync);
            }
        }

        /// <summary>Takes the write side: excludes other writers, blocks new readers and waits for current ones.</summary>
        [Acquires("sem")]
        [NoLockAnalysis("primitive: implements percpu_rw_semaphore")]
        public static void percpu_down_write(percpu_rw_semaphore sem)
        {
            Lockdep.might_sleep();
            Lockdep.lock_acquire(sem.dep_map, lock_mode.exclusive, trylock: false);
            CpuStop.sleep_begin();
            lock (sem.sync)
            {
                while (sem.writer)
                    Smp.sleep_wait(sem.sync);
                sem.writer = true;
                sem.block = true;
            }
            Rcu.synchronize_rcu();
            lock (sem.sync)
            {
                while (sem.readers() != 0)
                    Smp.sleep_wait(sem.sync);
            }
            CpuStop.sleep_end();
            Lockdep.lock_acquired(sem.dep_map, lock_mode.exclusive);
        }

        /// <summary>Releases the write side and lets blocked readers in.</summary>
        [Releases("sem")]
        [NoLockAnalysis("primitive: implements percpu_rw_semaphore")]
        public static void percpu_up_write(percpu_rw_semaphore sem)
        {
            Lockdep.lock_release(sem.dep_map, lock_mode.exclusive);
            lock (sem.sync)
            {
                sem.block = false;
                sem.writer = false;
                Monitor.PulseAll(sem.sync);
            }
        }

        /// <summary>Whether a reader or the writer holds the semaphore (a racy read, for checks; the kernel has only lockdep's percpu_rwsem_is_held).</summary>
        public static bool percpu_rwsem_is_locked(percpu_rw_semaphore sem)
        {
            lock (sem.sync)
                return sem.writer || sem.readers() > 0;
        }
    }
}
