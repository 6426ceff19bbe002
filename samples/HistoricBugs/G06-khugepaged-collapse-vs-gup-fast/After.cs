// G6 fixed: after the flush, every CPU is interrupted once; IRQs-off walkers finish first.
using MmLock;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G06.After;

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
        mmu_gather_ops.tlb_remove_table_sync_one();
        pgtable.table_free(table, "collapse_huge_page");
    }
}
