// G10 fixed: one user of the fixmap slot at a time.
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G10.After;

public static class mmu_g10
{
    public static void alloc_init_pud(pgtable_t pud_table, ulong addr, ulong pud_entry)
    {
        locking.mutex_lock(fixmap.fixmap_lock);
        pXd_t pudp = fixmap.pud_set_fixmap(pud_table, addr);
        pudp.write(pud_entry);
        fixmap.pud_clear_fixmap();
        locking.mutex_unlock(fixmap.fixmap_lock);
    }
}
