using System;
using MmLock;

namespace FixMe
{
    // One or more violations per fix; each comment names the rule and the fix dotnet format applies.
    public static class Tables
    {
        [Requires("ptl")] public static void set_pte_locked(spinlock_t ptl, ulong pte) { }

        // MM1002: remove the unmatched release.
        public static void UnmatchedRelease(spinlock_t ptl)
        {
            set_pte_locked_or_not(ptl);
            Locks.spin_unlock(ptl);
        }

        private static void set_pte_locked_or_not(spinlock_t ptl) { }

        // MM1004: release in a finally.
        public static void LeakedLock(spinlock_t ptl)
        {
            Locks.spin_lock(ptl);
            set_pte_locked(ptl, 1);
        }

        // MM1001: wrap in the lock (the first action offered; moving the requirement to the caller is the last).
        public static void UnlockedSet(spinlock_t ptl)
        {
            set_pte_locked(ptl, 2);
        }

        // MM1001 in an expression body (the README's example): a block body, then the wrap.
        public static void Broken(spinlock_t ptl) => set_pte_locked(ptl, 0);

        // MM1008: the early return does not release; the release goes into a finally.
        [Releases("ptl")]
        public static void FinishUpdate(spinlock_t ptl, bool failed)
        {
            if (failed)
                return;
            Locks.spin_unlock(ptl);
        }
    }

    // MM1001 and MM1004 in the shapes users write: each gets the wrap (or the finally) where it is.
    public static class Shapes
    {
        private static readonly spinlock_t table_lock = new spinlock_t();

        [Requires("ptl")] public static ulong get_pte_locked(spinlock_t ptl) => 0;

        // MM1001 at a return: the return goes inside the try.
        public static ulong Read(spinlock_t ptl)
        {
            return get_pte_locked(ptl);
        }

        // MM1001 in a lambda: the wrap goes inside the lambda's body.
        public static Action Deferred(spinlock_t ptl) => () =>
        {
            Tables.set_pte_locked(ptl, 3);
        };

        // MM1001 in an expression-bodied property: a get accessor with a block body, then the wrap.
        public static ulong Current => get_pte_locked(table_lock);

        // MM1001 inside a using block: the wrap goes inside the block; the comment stays on its statement.
        public static void Logged(spinlock_t ptl, IDisposable scope)
        {
            using (scope)
            {
                Tables.set_pte_locked(ptl, 4); // under the table lock
            }
        }

        // MM1001 in a switch section: the wrap goes inside the section, before its break.
        public static void Select(spinlock_t ptl, int which)
        {
            switch (which)
            {
                case 0:
                    Tables.set_pte_locked(ptl, 5);
                    break;
            }
        }

        // MM1004 at an early return: the statements after the acquire go into a try, the release into its finally.
        public static int EarlyExit(spinlock_t ptl, bool done)
        {
            Locks.spin_lock(ptl);
            if (done)
                return 1;
            Tables.set_pte_locked(ptl, 6);
            Locks.spin_unlock(ptl);
            return 0;
        }
    }

    public static class Walkers
    {
        // MM2001 twice (hot-remove and huge-vmap collapse): one wrap takes both guards, hotplug lock first.
        public static int ptdump_walk(mm_struct mm) => WalkAll(mm);

        private static int WalkAll(mm_struct mm)
        {
            var n = Pgtable.walk_page_range_novma(mm, 0, ulong.MaxValue);
            return n;
        }
    }

    public static class Hugetlb
    {
        // MM2002: the lookup runs without the vma lock; the wrap takes the vma in scope's lock.
        public static ulong Peek(vm_area_struct vma, ulong addr)
        {
            var ptep = Pgtable.huge_pte_offset(vma.vm_mm, addr);
            return ptep == null ? 0 : ptep.val;
        }

        // MM2005: the entry is used after the vma lock was dropped; the release moves after the use.
        public static ulong PeekLate(vm_area_struct vma, ulong addr)
        {
            Locks.hugetlb_vma_lock_read(vma);
            var ptep = Pgtable.huge_pte_offset(vma.vm_mm, addr);
            Locks.hugetlb_vma_unlock_read(vma);
            var v = ptep == null ? 0 : ptep.val;
            return v;
        }
    }

    // Each MM3001 here has one fix, the move before the acquire: dotnet format applies one action (equivalence key) per ID,
    // the first one offered for whichever diagnostic it takes first, so a move after the unlock would leave these two.
    public static class Atomic
    {
        private static int updates;
        public static pte_t? table;

        // MM3001: a sleeping allocation under a spinlock; its result is used under the lock, so it moves before the lock.
        public static void Install(spinlock_t ptl)
        {
            Locks.spin_lock(ptl);
            updates++;
            var pte = Locks.alloc_pte();
            table = pte;
            Locks.spin_unlock(ptl);
        }

        // MM3001 after a using declaration: its guard is released where the block ends, so the wait moves before it.
        public static void UpdateScoped(spinlock_t ptl)
        {
            using var guard = Locks.guard_spin(ptl);
            updates++;
            Locks.synchronize_rcu();
        }
    }
}
