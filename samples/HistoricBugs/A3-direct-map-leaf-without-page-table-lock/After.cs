// Seed A: each direct-map leaf goes in under init_mm.page_table_lock, as x86's phys_pmd_init does.
using ReferenceKernelMm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.A3.After;

public static class init_64_a3
{
    public static void phys_pmd_init(pgtable_t pmd_table, ulong paddr, ulong paddr_end)
    {
        for (; paddr < paddr_end; paddr += pgtable.PMD_SIZE)
        {
            pXd_t pmd = pmd_table.entry(pgtable.index(mm_layout.__va(paddr), pt_level.pmd));
            locking.spin_lock(K.init_mm.page_table_lock);
            x86_init.set_pmd_init(pmd, pgtable.pfn_entry(paddr >> pgtable.PAGE_SHIFT, pgtable.PAGE_KERNEL));
            locking.spin_unlock(K.init_mm.page_table_lock);
        }
    }
}
