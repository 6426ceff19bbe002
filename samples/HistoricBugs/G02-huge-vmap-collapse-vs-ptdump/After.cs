// G2 fixed: the free runs under init_mm's mmap lock for read. A trylock, because the caller can always fall back
// to mapping with pages: if ptdump holds the lock (for write), the table simply stays.
#if CONFIG_HAVE_ARCH_HUGE_VMAP
using ReferenceKernelMm;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G02.After;

public static class pgtable_g02
{
    public static bool pmd_free_pte_page(pXd_t pmdp, ulong addr)
    {
        if (!mmap_lock.mmap_read_trylock(K.init_mm))
            return false;
        mmu.__pmd_free_pte_page(pmdp, addr);
        mmap_lock.mmap_read_unlock(K.init_mm);
        return true;
    }
}
#endif
