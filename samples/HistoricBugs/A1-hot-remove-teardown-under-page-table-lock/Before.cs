// Seed A (arm64 memory hot-remove, 2019): the first version tore down the linear map and freed the empty tables
// under init_mm.page_table_lock. No walker of kernel tables takes that lock, and it does not serialise with the
// other hotplug operations; the kernel frees under mem_hotplug_begin() (the hotplug lock for write).
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.A1.Before;

public static class mmu_a1
{
    public static void arch_remove_memory(ulong start, ulong size)
    {
        locking.spin_lock(K.init_mm.page_table_lock);
        // expect MM2003 in all:
        //   Calling '__remove_pgd_mapping' frees 'kernel' tables ('hot-remove') without holding 'memory_hotplug.mem_hotplug_lock' exclusively
        mmu.__remove_pgd_mapping(K.init_mm, mm_layout.__va(start), size);
        locking.spin_unlock(K.init_mm.page_table_lock);
    }
}
