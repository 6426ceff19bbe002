using MmLock;

namespace FixMe
{
    [Context(Atomic = true)] public sealed class spinlock_t { }

    public static class Locks
    {
        [Acquires("l"), NoLockAnalysis("primitive")] public static void spin_lock(spinlock_t l) { }
        [Releases("l"), NoLockAnalysis("primitive")] public static void spin_unlock(spinlock_t l) { }
    }

    public static class Tables
    {
        [Requires("ptl")] public static void set_pte_locked(spinlock_t ptl, ulong pte) { }

        public static void UnmatchedRelease(spinlock_t ptl)
        {
            set_pte_locked_or_not(ptl);
            Locks.spin_unlock(ptl);
        }

        private static void set_pte_locked_or_not(spinlock_t ptl) { }

        public static void LeakedLock(spinlock_t ptl)
        {
            Locks.spin_lock(ptl);
            set_pte_locked(ptl, 1);
        }
    }
}
