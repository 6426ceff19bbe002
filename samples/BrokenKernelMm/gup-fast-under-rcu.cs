using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;
using static ReferenceKernelMm.include.linux.pgtable;

namespace BrokenKernelMm
{
    /// <summary>
    /// Section E: a lockless user-table walk under rcu_read_lock() instead of IRQs off (the dropped RFC's "walker lock").
    /// Without MMU_GATHER_RCU_TABLE_FREE (x86_64-legacy) a freed table waits only for the TLB-flush IPI, which an RCU
    /// reader with IRQs on takes at once: munmap frees the PMD table under the walk. With RCU table freeing the free
    /// waits for the reader, so the bug shows only in x86_64-legacy.
    /// </summary>
    internal static class gup_fast_under_rcu
    {
        internal static readonly Variant variant = Variant.Replacing(
            "gup-fast-under-rcu", "E", "gup_fast with rcu_read_lock() for local_irq_save(): munmap's table free does not wait for it",
            new[] { "MM2001" }, ViolationKind.UseAfterFree, p => !p.MmuGatherRcuTableFree, k => k.gup_fast, gup_fast);

        // mm/gup.c gup_fast with local_irq_save/restore replaced by rcu_read_lock/unlock.
        private static List<ulong> gup_fast(mm_struct mm, ulong start, int nr_pages)
        {
            var pages = new List<ulong>();
            Rcu.rcu_read_lock();
            gup_fast_pgd_range(mm, start, start + (ulong)nr_pages * PAGE_SIZE, pages); // expect: MM2001
            Rcu.rcu_read_unlock();
            return pages;
        }

        // The walk, copied because the port's asserts IRQs off (the kernel's does not).
        [PageTableWalker("user")]
        private static void gup_fast_pgd_range(mm_struct mm, ulong addr, ulong end, List<ulong> pages)
        {
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
