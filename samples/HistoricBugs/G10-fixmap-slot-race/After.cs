// G10 fixed: one user of the fixmap slots at a time. A mutex, as in the kernel: allocating tables under it sleeps.
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G10.After;

public static class mmu_g10
{
    public static void alloc_init_pud(ulong pgd_entry, ulong addr, ulong pud_entry)
    {
        locking.mutex_lock(mmu.fixmap_lock);
        fixmap_pXd pudp = fixmap.pxd_set_fixmap_offset(pgd_entry, pt_level.pud, addr);
        pudp.write(pud_entry);
        fixmap.pxd_clear_fixmap(pt_level.pud);
        locking.mutex_unlock(mmu.fixmap_lock);
    }
}
