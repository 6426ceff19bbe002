// G1 fixed: get_online_mems() keeps hot-remove out for the whole walk; init_mm's mmap lock (write) keeps
// huge-vmap collapse out (G2). Lock order: mem_hotplug_lock before the mmap lock.
using ReferenceKernelMm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G01.After;

public static class ptdump_g01
{
    public static void ptdump_walk_pgd(ptdump_state st)
    {
        memory_hotplug.get_online_mems();
        mmap_lock.mmap_write_lock(K.init_mm);
        foreach ((ulong start, ulong end) in ptdump_state.kernel_ranges)
            pagewalk.walk_kernel_page_table_range(start, end, note_page, st);
        mmap_lock.mmap_write_unlock(K.init_mm);
        memory_hotplug.put_online_mems();
    }

    private static void note_page(pXd_t entry, ulong addr, ulong next, object? priv) =>
        ((ptdump_state)priv!).entries.Add(new ptdump_entry(addr, next - addr, entry.level, false, false));
}
