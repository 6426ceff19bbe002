// Seed A, as merged: arch_remove_memory runs under the hotplug lock held for write by try_remove_memory
// (mem_hotplug_begin), which every kernel walker that does not own its range excludes with get_online_mems().
using MmLock;
using ReferenceKernelMm;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.A1.After;

public static class mmu_a1
{
    [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
    public static void arch_remove_memory(ulong start, ulong size)
    {
        mmu.__remove_pgd_mapping(K.init_mm, mm_layout.__va(start), size);
    }
}
