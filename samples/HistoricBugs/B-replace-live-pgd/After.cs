// Seed B, as merged: adding memory is purely additive and conflicts with nothing, so the new mappings go into
// the live swapper_pg_dir, under the hotplug write lock, and no root is replaced.
using MmLock;
using ReferenceKernelMm;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.B.After;

public static class mmu_b
{
    [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
    public static void hotplug_paging(ulong start, ulong size) =>
        mmu.__create_pgd_mapping(K.init_mm, start, mm_layout.__va(start), size, pgtable.PAGE_KERNEL, block_mappings: false);
}
