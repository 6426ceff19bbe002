// Seed B (arm64 memory hot-add, 2017): hotplug_paging copied swapper_pg_dir, added the new memory to the copy,
// switched to it with cpu_replace_ttbr1, copied it back and switched back. cpu_replace_ttbr1 was meant for one CPU:
// the others still use the old root and may be writing it (the fixmap), so it needs stop_machine (or boot, when no
// other CPU runs). The copy is PGD_SIZE, not PAGE_SIZE.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using MmLock;
using ReferenceKernelMm;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.B.Before;

public static class mmu_b
{
    [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
    [MightSleep]
    public static void hotplug_paging(ulong start, ulong size)
    {
        pgtable_t pgd = pgtable.table_alloc(pt_level.pgd, "hotplug_paging");
        for (int i = 0; i < mmu.PGD_SIZE / sizeof(ulong); i++)
            pgd.entry(i).write(K.init_mm.pgd.entry(i).read());
        mmu.__create_pgd_mapping(pgd, start, mm_layout.__va(start), size, pgtable.PAGE_KERNEL, mmu.pgd_pgtable_alloc, mmu.NO_BLOCK_MAPPINGS);
        // expect MM2006 in all:
        //   Calling 'cpu_replace_ttbr1' replaces a live page-table root without holding one of 'K.StopMachine', 'K.SingleCpuBoot'
        mmu_context.cpu_replace_ttbr1(pgd);
        for (int i = 0; i < mmu.PGD_SIZE / sizeof(ulong); i++)
            K.init_mm.pgd.entry(i).write(pgd.entry(i).read());
        // expect MM2006 in all:
        //   Calling 'cpu_replace_ttbr1' replaces a live page-table root without holding one of 'K.StopMachine', 'K.SingleCpuBoot'
        mmu_context.cpu_replace_ttbr1(K.init_mm.pgd);
    }
}
