using System.Threading;
using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>A sleeping reader/writer lock; waiting writers hold off new readers.</summary>
    [Context]
    public class rw_semaphore
    {
        /// <summary>Creates an unlocked rw_semaphore of lock class <paramref name="name"/>.</summary>
        public rw_semaphore(string name) { dep_map = new lockdep_map(name, atomic: false); }

        /// <summary>The lockdep identity.</summary>
        public readonly lockdep_map dep_map;
        internal readonly object sync = new();
        internal int readers;
        internal bool writer;
        internal int writers_waiting;
    }

    /// <summary>rw_semaphore operations.</summary>
    public static partial class locking
    {
        /// <summary>Takes the read side.</summary>
        [AcquiresShared("sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static void down_read(rw_semaphore sem)
        {
            Lockdep.might_sleep();
            Lockdep.lock_acquire(sem.dep_map, lock_mode.shared, trylock: false);
            CpuStop.sleep_begin();
            lock (sem.sync)
            {
                while (sem.writer || sem.writers_waiting > 0)
                    Smp.sleep_wait(sem.sync);
                sem.readers++;
            }
            CpuStop.sleep_end();
            Lockdep.lock_acquired(sem.dep_map, lock_mode.shared);
        }

        /// <summary>Takes the read side if no writer holds or waits for it.</summary>
        [TryAcquiresShared(true, "sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static bool down_read_trylock(rw_semaphore sem)
        {
            lock (sem.sync)
            {
                if (sem.writer || sem.writers_waiting > 0)
                    return false;
                sem.readers++;
            }
            Lockdep.lock_acquire(sem.dep_map, lock_mode.shared, trylock: true);
            Lockdep.lock_acquired(sem.dep_map, lock_mode.shared);
            return true;
        }

        /// <summary>Releases the read side.</summary>
        [ReleasesShared("sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static void up_read(rw_semaphore sem)
        {
            Lockdep.lock_release(sem.dep_map, lock_mode.shared);
            lock (sem.sync)
            {
                sem.readers--;
                if (sem.readers == 0)
                    Monitor.PulseAll(sem.sync);
            }
        }

        /// <summary>Takes the write side.</summary>
        [Acquires("sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static void down_write(rw_semaphore sem)
        {
            Lockdep.might_sleep();
            Lockdep.lock_acquire(sem.dep_map, lock_mode.exclusive, trylock: false);
            CpuStop.sleep_begin();
            lock (sem.sync)
            {
                sem.writers_waiting++;
                while (sem.writer || sem.readers > 0)
                    Smp.sleep_wait(sem.sync);
                sem.writers_waiting--;
                sem.writer = true;
            }
            CpuStop.sleep_end();
            Lockdep.lock_acquired(sem.dep_map, lock_mode.exclusive);
        }

        /// <summary>Takes the write side if it is free.</summary>
        [TryAcquires(true, "sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static bool down_write_trylock(rw_semaphore sem)
        {
            lock (sem.sync)
            {
                if (sem.writer || sem.readers > 0)
                    return false;
                sem.writer = true;
            }
            Lockdep.lock_acquire(sem.dep_map, lock_mode.exclusive, trylock: true);
            Lockdep.lock_acquired(sem.dep_map, lock_mode.exclusive);
            return true;
        }

        /// <summary>Releases the write side.</summary>
        [Releases("sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static void up_write(rw_semaphore sem)
        {
            Lockdep.lock_release(sem.dep_map, lock_mode.exclusive);
            lock (sem.sync)
            {
                sem.writer = false;
                Monitor.PulseAll(sem.sync);
            }
        }

        /// <summary>Turns the held write side into a read side without letting a writer in between.</summary>
        [Downgrades("sem")]
        [NoLockAnalysis("primitive: implements rw_semaphore with a monitor")]
        public static void downgrade_write(rw_semaphore sem)
        {
            Lockdep.lock_downgrade(sem.dep_map);
            lock (sem.sync)
            {
                sem.writer = false;
                sem.readers = 1;
                Monitor.PulseAll(sem.sync);
            }
        }

        /// <summary>rwsem_is_locked: whether a reader or a writer holds the semaphore (a racy read, for checks).</summary>
        public static bool rwsem_is_locked(rw_semaphore sem)
        {
            lock (sem.sync)
                return sem.writer || sem.readers > 0;
        }
    }
}
