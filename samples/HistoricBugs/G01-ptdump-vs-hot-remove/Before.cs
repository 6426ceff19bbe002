// G1: ptdump walked the kernel page tables while memory hot-remove freed them (arm64, then riscv, then
// generic ptdump_walk_pgd). The dump held init_mm's mmap lock, which hot-remove never takes.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G01.Before;

public static class ptdump_g01
{
    public static void ptdump_walk_pgd(ptdump_state st)
    {
        mmap_lock.mmap_write_lock(K.init_mm);
        foreach ((ulong start, ulong end) in ptdump_state.kernel_ranges)
            // expect MM2001 in all at `pagewalk.walk_kernel_page_table_range(start, end, note_page, st)`:
            //   Calling 'walk_kernel_page_table_range' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'memory_hotplug.mem_hotplug_lock'
            pagewalk.walk_kernel_page_table_range(start, end, note_page, st);
        mmap_lock.mmap_write_unlock(K.init_mm);
    }

    private static void note_page(pXd_t entry, ulong addr, ulong next, object? priv) =>
        ((ptdump_state)priv!).entries.Add(new ptdump_entry(addr, next - addr, entry.level, false, false));
}
