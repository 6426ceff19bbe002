// Seed B (arm64 memory hot-add, 2017): hotplug_paging copied swapper_pg_dir, added the new memory to the copy
// and switched to it with cpu_replace_ttbr1, which was meant for one CPU. Other CPUs still use the old root and
// may be writing it (the fixmap); that needs stop_machine-like synchronisation.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.B.Before;

public static class mmu_b
{
    public static void hotplug_paging(ulong start, ulong size)
    {
        pgtable_t pgd = pgtable.table_alloc(pt_level.pgd, "hotplug_paging");
        // The whole top level (PGD_SIZE), not one page of it; the mappings of [start, start + size) go into the copy.
        for (int i = 0; i < pgtable.PTRS_PER_TABLE; i++)
            pgd.entry(i).write(K.init_mm.pgd.entry(i).read());
        // expect MM2006 in all:
        //   Calling 'cpu_replace_ttbr1' replaces a live page-table root without holding 'mmu_context.STOP_MACHINE'
        mmu_context.cpu_replace_ttbr1(pgd);
    }
}
