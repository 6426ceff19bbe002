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
            while (addr < end)
            {
                pXd_t pgd = pgd_offset(mm, addr);
                if (!pxd_table(pgd.read(), pt_level.pgd))
                    return;
                pXd_t pud = pxd_offset(pgd, addr);
                if (!pxd_table(pud.read(), pt_level.pud))
                    return;
                pXd_t pmd = pxd_offset(pud, addr);
                ulong v = pmd.read();
                if (pxd_leaf(v, pt_level.pmd))
                {
                    pages.Add(entry_pfn(v) + (addr % PMD_SIZE) / PAGE_SIZE);
                    addr += PAGE_SIZE;
                    continue;
                }
                if (!pxd_table(v, pt_level.pmd))
                    return;
                ulong pte = pxd_offset(pmd, addr).read();
                if (!pxd_present(pte))
                    return;
                pages.Add(entry_pfn(pte));
                addr += PAGE_SIZE;
            }
        }
    }
}
