using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>Lockless get_user_pages (mm/gup.c).</summary>
    public static class gup
    {
        /// <summary>
        /// Pins the pages mapped at [start, start + nr_pages pages) of <paramref name="mm"/> without taking any
        /// lock: IRQs stay off for the walk, which holds off both the RCU grace period before table freeing and
        /// the sync IPI of tlb_remove_table_sync_one. Returns the pfns found, stopping at the first hole.
        /// </summary>
        public static List<ulong> gup_fast(mm_struct mm, ulong start, int nr_pages)
        {
            var pages = new List<ulong>();
            ulong flags = Smp.local_irq_save();
            try
            {
                gup_fast_pgd_range(mm, start, start + (ulong)nr_pages * PAGE_SIZE, pages);
            }
            finally
            {
                Smp.local_irq_restore(flags);
            }
            return pages;
        }

        /// <summary>
        /// The lockless walk itself: READ_ONCE of each level, huge PMD leaves and PTE tables. The caller keeps IRQs
        /// off for the whole walk (public for the other lockless walkers of user tables, and the samples).
        /// </summary>
        [PageTableWalker("user")]
        public static void gup_fast_pgd_range(mm_struct mm, ulong addr, ulong end, List<ulong> pages)
        {
            lockdep.lockdep_assert_irqs_disabled();
            // Each level from the value read once (READ_ONCE): entries change under a lockless walker.
            while (addr < end)
            {
                ulong pgd = pgd_offset(mm, addr).read();
                if (!pxd_table(pgd, pt_level.pgd))
                    return;
                ulong pud = pxd_offset_lockless(pgd, pt_level.pgd, addr).read();
                if (!pxd_table(pud, pt_level.pud))
                    return;
                pXd_t pmd = pxd_offset_lockless(pud, pt_level.pud, addr);
                RaceWindow.at("gup_fast");
                ulong v = pmd.read();
                if (pxd_leaf(v, pt_level.pmd))
                {
                    pages.Add(entry_pfn(v) + (addr % PMD_SIZE) / PAGE_SIZE);
                    addr += PAGE_SIZE;
                    continue;
                }
                if (!pxd_table(v, pt_level.pmd))
                    return;
                ulong pte = pxd_offset_lockless(v, pt_level.pmd, addr).read();
                if (!pxd_present(pte))
                    return;
                pages.Add(entry_pfn(pte));
                addr += PAGE_SIZE;
            }
        }
    }
}
