// G6: khugepaged collapses the small pages of a PMD range into a huge page: it clears the PMD that points to the
// PTE table, flushes the TLB, and then reuses or frees the PTE table. gup_fast on another CPU may still be walking
// that table with IRQs off: where tables are freed after an RCU grace period the flush need not interrupt it.
// Fix: tlb_remove_table_sync_one() (an IPI to every CPU, which waits for IRQs-off walkers) before the table goes.
// known gap: the obligation is an order between calls (synchronise after clearing, before freeing), not a context
// held at a call, so no rule of the pack can state it; HistoricBugPairsTests keeps the expected report as a
// skipped test. Khugepaged is not in the port: the collapse is written with its primitives.
// exists in: x86_64 arm64 riscv64 powerpc64 s390x
using MmLock;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G06.Before;

public static class khugepaged_g06
{
    [Requires("mm.mmap_lock")]
    public static void collapse_huge_page(mm_struct mm, ulong address)
    {
        pXd_t pmd = pgtable.pxd_offset(pgtable.pxd_offset(pgtable.pgd_offset(mm, address), address), address);
        pgtable_t table = pgtable.next_table(pmd);
        locking.spin_lock(mm.page_table_lock);
        pmd.write(0);
        locking.spin_unlock(mm.page_table_lock);
        tlbflush.flush_tlb_mm(mm);
        // gap: freed while a gup_fast walker may still be in it
        pgtable.table_free(table, "collapse_huge_page");
    }
}
