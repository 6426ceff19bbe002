// G2: mapping a vmap range with a 2 MiB block first frees the PTE table a previous mapping left there
// (pmd_free_pte_page). Nothing kept ptdump out, which could be walking that table. Fix (queued July 2026; arm64
// first used a static key): free under init_mm's mmap lock for read, taken with a trylock; ptdump holds it for
// write. Only where the architecture has huge vmap (not s390x).
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64
#if CONFIG_HAVE_ARCH_HUGE_VMAP
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G02.Before;

public static class pgtable_g02
{
    public static bool pmd_free_pte_page(pXd_t pmdp, ulong addr)
    {
        // expect MM2003 in all:
        //   Calling '__pmd_free_pte_page' frees 'kernel' tables ('huge-vmap-collapse') without holding 'K.init_mm.mmap_lock'
        mmu.__pmd_free_pte_page(pmdp, addr);
        return true;
    }
}
#endif
