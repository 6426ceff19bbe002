// G10: arm64 __create_pgd_mapping writes PUD tables through the shared fixmap slot. Memory hot-add (virtio-mem) and
// another mapping (mark_rodata_ro at boot) could use the slot at once, each writing through the other's mapping.
// Fix: fixmap_lock around the use of the slot.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G10.Before;

public static class mmu_g10
{
    public static void alloc_init_pud(pgtable_t pud_table, ulong addr, ulong pud_entry)
    {
        // expect MM1001 in all at `fixmap.pud_set_fixmap(pud_table, addr)`:
        //   Calling 'pud_set_fixmap' requires holding 'fixmap.fixmap_lock' exclusively
        pXd_t pudp = fixmap.pud_set_fixmap(pud_table, addr);
        pudp.write(pud_entry);
        // expect MM1001 in all:
        //   Calling 'pud_clear_fixmap' requires holding 'fixmap.fixmap_lock' exclusively
        fixmap.pud_clear_fixmap();
    }
}
