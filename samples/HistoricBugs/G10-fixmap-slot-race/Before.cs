// G10: arm64 writes table pages that are not reachable through the linear map via one fixed virtual slot per level
// (pud_set_fixmap ... pud_clear_fixmap). Memory hot-add (virtio-mem) and another mapper (mark_rodata_ro at boot)
// used the PUD slot at once, each writing through the other's mapping. Fix: fixmap_lock around every use of a slot.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G10.Before;

public static class mmu_g10
{
    public static void alloc_init_pud(ulong pgd_entry, ulong addr, ulong pud_entry)
    {
        // expect MM1001 in all at `fixmap.pxd_set_fixmap_offset(pgd_entry, pt_level.pud, addr)`:
        //   Calling 'pxd_set_fixmap_offset' requires holding 'mmu.fixmap_lock' exclusively
        fixmap_pXd pudp = fixmap.pxd_set_fixmap_offset(pgd_entry, pt_level.pud, addr);
        pudp.write(pud_entry);
        // expect MM1001 in all:
        //   Calling 'pxd_clear_fixmap' requires holding 'mmu.fixmap_lock' exclusively
        fixmap.pxd_clear_fixmap(pt_level.pud);
    }
}
