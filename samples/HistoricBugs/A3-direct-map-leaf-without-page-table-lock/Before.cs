// Seed A (kernel leaf entries): populating kernel tables is serialised by init_mm.page_table_lock on every
// architecture. Owners of a range (vmap, ioremap) write its leaves without it; x86's direct-map setup for
// hot-added memory writes into tables it shares with neighbours, and must take it.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.A3.Before;

public static class init_64_a3
{
    public static void phys_pmd_init(pgtable_t pmd_table, ulong paddr, ulong paddr_end)
    {
        for (; paddr < paddr_end; paddr += pgtable.PMD_SIZE)
        {
            pXd_t pmd = pmd_table.entry(pgtable.index(mm_layout.__va(paddr), pt_level.pmd));
            // expect MM2004 in all:
            //   Calling 'set_pmd_init' modifies 'kernel' leaf entries without a leaf lock: hold 'K.init_mm.page_table_lock'
            x86_init.set_pmd_init(pmd, pgtable.pfn_entry(paddr >> pgtable.PAGE_SHIFT, pgtable.PAGE_KERNEL));
        }
    }
}
