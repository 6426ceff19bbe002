// Seed B, as merged: adding memory is purely additive and conflicts with nothing, so the new mappings go into the
// live swapper_pg_dir and no root is replaced. (The port's mmu.hotplug_paging keeps the 2017 sequence, made safe
// by running it inside one stop_machine callback.)
using MmLock;
using ReferenceKernelMm;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.B.After;

public static class mmu_b
{
    [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
    [MightSleep]
    public static void hotplug_paging(ulong start, ulong size) =>
        mmu.__create_pgd_mapping(K.init_mm.pgd, start, mm_layout.__va(start), size, pgtable.PAGE_KERNEL, mmu.pgd_pgtable_alloc, mmu.NO_BLOCK_MAPPINGS);
}
