using MmLock;
using ReferenceKernelMm.include.linux;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>Called for each present leaf (a page, or a huge block at pmd/pud level) with its range.</summary>
    public delegate void leaf_entry_fn(pXd_t entry, ulong addr, ulong next, object? priv);

    /// <summary>Kernel page-table walkers (mm/pagewalk.c).</summary>
    public static class pagewalk
    {
        /// <summary>
        /// Walks kernel tables over a range the caller does not own. Hot-remove and huge-vmap collapse can
        /// free tables under it, so the caller excludes both: the hotplug lock (either mode) and init_mm's
        /// mmap lock for write. init_mm's mmap lock alone does not stop hot-remove, which never takes it.
        /// </summary>
        [PageTableWalker("kernel")]
        public static void walk_kernel_page_table_range(ulong start, ulong end, leaf_entry_fn leaf, object? priv)
        {
#if CONFIG_MEMORY_HOTREMOVE
            lockdep.lockdep_assert_held_any(memory_hotplug.mem_hotplug_lock);
#endif
#if CONFIG_HAVE_ARCH_HUGE_VMAP
            mmap_lock.mmap_assert_write_locked(K.init_mm);
#endif
            walk(start, end, leaf, priv);
        }

        /// <summary>Walks kernel tables over a range the caller owns (it just allocated or mapped it): nobody can free them.</summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        public static void walk_kernel_page_table_range_lockless(ulong start, ulong end, leaf_entry_fn leaf, object? priv) =>
            walk(start, end, leaf, priv);

        /// <summary>
        /// Walks the tables of a user mm without looking at its VMAs (walk_page_range_novma). munmap detaches the VMAs,
        /// downgrades the mmap lock to read and only then frees the tables, so a walk that does not stop at VMA holes
        /// needs the mmap lock for write (G7).
        /// </summary>
        [Requires("mm.mmap_lock")]
        public static void walk_page_range_novma(mm_struct mm, ulong start, ulong end, leaf_entry_fn leaf, object? priv)
        {
            mmap_lock.mmap_assert_write_locked(mm);
            walk(mm, start, end, leaf, priv);
        }

        private static void walk(ulong addr, ulong end, leaf_entry_fn leaf, object? priv) => walk(K.init_mm, addr, end, leaf, priv);

        private static void walk(mm_struct mm, ulong addr, ulong end, leaf_entry_fn leaf, object? priv)
        {
            for (ulong next; addr < end; addr = next)
            {
                pXd_t pgd = pgd_offset(mm, addr);
                next = addr_end(addr, end, pt_level.pgd);
                walk_entry(pgd, addr, next, leaf, priv);
            }
        }

        private static void walk_entry(pXd_t e, ulong addr, ulong end, leaf_entry_fn leaf, object? priv)
        {
            ulong v = e.read();
            if (pxd_leaf(v, e.level))
            {
                leaf(e, addr, end, priv);
                return;
            }
            if (!pxd_table(v, e.level))
                return;
            for (ulong next; addr < end; addr = next)
            {
                pXd_t child = pxd_offset(e, addr);
                next = addr_end(addr, end, child.level);
                walk_entry(child, addr, next, leaf, priv);
            }
        }
    }
}
