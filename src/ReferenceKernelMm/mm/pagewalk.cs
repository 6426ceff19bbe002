using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>Called for each present leaf (a page, or a huge block at pmd/pud level) with its range.</summary>
    public delegate void leaf_entry_fn(pXd_t entry, ulong addr, ulong next, object? priv);

    /// <summary>
    /// Called for each huge PTE of a hugetlb VMA walk, under the walker's vma lock (hugetlb_entry of mm_walk_ops); returns 0,
    /// or an error that stops the walk.
    /// </summary>
    public delegate int hugetlb_entry_fn(pXd_t pte, ulong addr, ulong next, object? priv);

    /// <summary>Kernel page-table walkers and the hugetlb VMA walk (mm/pagewalk.c).</summary>
    public static class pagewalk
    {
        /// <summary>
        /// Stops a walk of a range the walker does not own with -EINTR, as a walk callback returning an error does: a dump
        /// (<see cref="walk_kernel_page_table_range"/>, <see cref="walk_page_range_debug"/>) at a table it is about to
        /// descend into, <see cref="walk_hugetlb_range"/> at a huge PTE it is about to hand to its callback. The walker
        /// releases what it took and the caller what it holds. Walks of an owner's range never stop. Disabled unless set up.
        /// </summary>
        public static readonly lib.fault_attr fail_page_walk = new("fail_page_walk");

        /// <summary>
        /// Walks kernel tables over a range the caller does not own. Hot-remove and huge-vmap collapse can
        /// free tables under it, so the caller excludes both: the hotplug lock (either mode) and init_mm's
        /// mmap lock for write. init_mm's mmap lock alone does not stop hot-remove, which never takes it.
        /// </summary>
        [PageTableWalker("kernel")]
        public static int walk_kernel_page_table_range(ulong start, ulong end, leaf_entry_fn leaf, object? priv)
        {
#if CONFIG_MEMORY_HOTREMOVE
            lockdep.lockdep_assert_held_any(memory_hotplug.mem_hotplug_lock);
#endif
#if CONFIG_HAVE_ARCH_HUGE_VMAP
            mmap_lock.mmap_assert_write_locked(K.init_mm);
#endif
            return walk(K.init_mm.pgd, start, end, leaf, priv, may_stop: true);
        }

        /// <summary>Walks kernel tables over a range the caller owns (it just allocated or mapped it): nobody can free them.</summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        public static void walk_kernel_page_table_range_lockless(ulong start, ulong end, leaf_entry_fn leaf, object? priv) =>
            walk(K.init_mm.pgd, start, end, leaf, priv, may_stop: false);

        /// <summary>
        /// Walks the huge PTEs of [start, end) in a hugetlb VMA (walk_page_range into walk_hugetlb_range). The caller holds
        /// the mmap lock, as walk_page_range asserts; the vma lock (read) keeps shared PMD tables from being unshared under the walk.
        /// Returns 0, or the first error of <paramref name="entry"/> (or <see cref="fail_page_walk"/>'s -EINTR), which ends the
        /// walk there, with the vma lock released.
        /// </summary>
        [RequiresShared("vma.vm_mm.mmap_lock")]
        [MightSleep]
        public static int walk_hugetlb_range(vm_area_struct vma, ulong start, ulong end, hugetlb_entry_fn entry, object? priv)
        {
            mmap_lock.mmap_assert_locked(vma.vm_mm);
            int err = 0;
            hugetlb.hugetlb_vma_lock_read(vma);
            for (ulong addr = start, next; addr < end && err == 0; addr = next)
            {
                ulong haddr = addr & ~(hugetlb.HPAGE_SIZE - 1);
                next = haddr + hugetlb.HPAGE_SIZE < end ? haddr + hugetlb.HPAGE_SIZE : end;
                if (hugetlb.hugetlb_walk(vma, haddr, hugetlb.HPAGE_SIZE) is pXd_t pte)
                {
                    RaceWindow.at("walk_hugetlb_range");
                    err = fail_page_walk.should_fail() ? lib.errno.EINTR : entry(pte, addr, next, priv);
                }
            }
            hugetlb.hugetlb_vma_unlock_read(vma);
            return err;
        }

        /// <summary>
        /// Walks the tables of an mm other than init_mm for a dump (ptdump of efi_mm). A walk that uses no VMAs needs the
        /// mmap lock for write: munmap frees tables under the read lock (bug G7). The kernel's version also accepts
        /// init_mm and hands it to walk_kernel_page_table_range; in the port the caller does, so each walk states its own rule.
        /// </summary>
        [Requires("mm.mmap_lock")]
        public static int walk_page_range_debug(mm_struct mm, ulong start, ulong end, leaf_entry_fn leaf, object? priv)
        {
            mmap_lock.mmap_assert_write_locked(mm);
            ViolationLog.BUG_ON(mm == K.init_mm, "walk_page_range_debug: init_mm is walked by walk_kernel_page_table_range");
            return walk(mm.pgd, start, end, leaf, priv, may_stop: true);
        }

        // 0, or the error that stopped the walk (only where may_stop).
        private static int walk(pgtable_t root, ulong addr, ulong end, leaf_entry_fn leaf, object? priv, bool may_stop)
        {
            for (ulong next; addr < end; addr = next)
            {
                pXd_t pgd = root.entry(index(addr, pt_level.pgd));
                next = addr_end(addr, end, pt_level.pgd);
                int err = walk_entry(pgd, addr, next, leaf, priv, may_stop);
                if (err != 0)
                    return err;
            }
            return 0;
        }

        private static int walk_entry(pXd_t e, ulong addr, ulong end, leaf_entry_fn leaf, object? priv, bool may_stop)
        {
            ulong v = e.read();
            if (pxd_leaf(v, e.level))
            {
                leaf(e, addr, end, priv);
                return 0;
            }
            if (!pxd_table(v, e.level))
                return 0;
            if (may_stop && fail_page_walk.should_fail())
                return lib.errno.EINTR;
            RaceWindow.at("walk_kernel_page_table_range");
            for (ulong next; addr < end; addr = next)
            {
                pXd_t child = pxd_offset(e, addr);
                next = addr_end(addr, end, child.level);
                int err = walk_entry(child, addr, next, leaf, priv, may_stop);
                if (err != 0)
                    return err;
            }
            return 0;
        }
    }
}
