using System.Threading;
using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>A spinning lock: holding it disables preemption, so the holder may not sleep.</summary>
    [Context(Atomic = true)]
    public sealed class spinlock_t
    {
        /// <summary>Creates an unlocked spinlock of lock class <paramref name="name"/>.</summary>
        public spinlock_t(string name) { dep_map = new lockdep_map(name, atomic: true); }

        /// <summary>The lockdep identity.</summary>
        public readonly lockdep_map dep_map;
        internal int locked;
    }

    /// <summary>spinlock_t operations.</summary>
    public static partial class locking
    {
        /// <summary>Takes the spinlock, spinning while another CPU holds it.</summary>
        [Acquires("lock")]
        [NoLockAnalysis("primitive: implements spinlock_t with an atomic flag")]
        public static void spin_lock(spinlock_t @lock)
        {
            Lockdep.lock_acquire(@lock.dep_map, lock_mode.exclusive, trylock: false);
            Smp.preempt_disable();
            var spin = new SpinWait();
            while (Interlocked.CompareExchange(ref @lock.locked, 1, 0) != 0)
            {
                Smp.irq_poll();
                spin.SpinOnce();
            }
            Lockdep.lock_acquired(@lock.dep_map, lock_mode.exclusive);
        }

        /// <summary>Takes the spinlock if it is free.</summary>
        [TryAcquires(true, "lock")]
        [NoLockAnalysis("primitive: implements spinlock_t with an atomic flag")]
        public static bool spin_trylock(spinlock_t @lock)
        {
            Smp.preempt_disable();
            if (Interlocked.CompareExchange(ref @lock.locked, 1, 0) != 0)
            {
                Smp.preempt_enable();
                return false;
            }
            Lockdep.lock_acquire(@lock.dep_map, lock_mode.exclusive, trylock: true);
            Lockdep.lock_acquired(@lock.dep_map, lock_mode.exclusive);
            return true;
        }

        /// <summary>Releases the spinlock.</summary>
        [Releases("lock")]
        [NoLockAnalysis("primitive: implements spinlock_t with an atomic flag")]
        public static void spin_unlock(spinlock_t @lock)
        {
            Lockdep.lock_release(@lock.dep_map, lock_mode.exclusive);
            Volatile.Write(ref @lock.locked, 0);
            Smp.preempt_enable();
        }

        /// <summary>spin_is_locked: whether any CPU holds the spinlock (a racy read, for checks).</summary>
        public static bool spin_is_locked(spinlock_t @lock) => Volatile.Read(ref @lock.locked) != 0;
    }
}
