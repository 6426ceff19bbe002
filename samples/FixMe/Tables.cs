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

    public static class Atomic
    {
        private static int updates;

        // MM3001: a grace-period wait under a spinlock; it moves after the unlock.
        public static void Update(spinlock_t ptl)
        {
            Locks.spin_lock(ptl);
            updates++;
            Locks.synchronize_rcu();
            Locks.spin_unlock(ptl);
        }
    }
}
