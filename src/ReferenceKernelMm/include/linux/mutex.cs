using System.Threading;
using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>A sleeping lock with one owner.</summary>
    [Context]
    public sealed class mutex
    {
        /// <summary>Creates an unlocked mutex of lock class <paramref name="name"/>.</summary>
        public mutex(string name) { dep_map = new lockdep_map(name, atomic: false); }

        /// <summary>The lockdep identity.</summary>
        public readonly lockdep_map dep_map;
        internal readonly object sync = new();
        internal bool locked;
    }

    /// <summary>mutex operations.</summary>
    public static partial class locking
    {
        /// <summary>Takes the mutex, sleeping while another task holds it.</summary>
        [Acquires("lock")]
        [NoLockAnalysis("primitive: implements mutex with a monitor")]
        public static void mutex_lock(mutex @lock)
        {
            Lockdep.might_sleep();
            Lockdep.lock_acquire(@lock.dep_map, lock_mode.exclusive, trylock: false);
            CpuStop.sleep_begin();
            lock (@lock.sync)
            {
                while (@lock.locked)
                    Smp.sleep_wait(@lock.sync);
                @lock.locked = true;
            }
            CpuStop.sleep_end();
            Lockdep.lock_acquired(@lock.dep_map, lock_mode.exclusive);
        }

        /// <summary>Takes the mutex if it is free.</summary>
        [TryAcquires(true, "lock")]
        [NoLockAnalysis("primitive: implements mutex with a monitor")]
        public static bool mutex_trylock(mutex @lock)
        {
            lock (@lock.sync)
            {
                if (@lock.locked)
                    return false;
                @lock.locked = true;
            }
            Lockdep.lock_acquire(@lock.dep_map, lock_mode.exclusive, trylock: true);
            Lockdep.lock_acquired(@lock.dep_map, lock_mode.exclusive);
            return true;
        }

        /// <summary>Releases the mutex.</summary>
        [Releases("lock")]
        [NoLockAnalysis("primitive: implements mutex with a monitor")]
        public static void mutex_unlock(mutex @lock)
        {
            Lockdep.lock_release(@lock.dep_map, lock_mode.exclusive);
            lock (@lock.sync)
            {
                @lock.locked = false;
                Monitor.PulseAll(@lock.sync);
            }
        }

        /// <summary>mutex_is_locked: whether any CPU holds the mutex (a racy read, for checks).</summary>
        public static bool mutex_is_locked(mutex @lock)
        {
            lock (@lock.sync)
                return @lock.locked;
        }
    }
}
