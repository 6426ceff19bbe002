// G7 fixed: the dump holds the mmap lock for write, so munmap cannot free tables under it.
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G07.After;

public static class debug_pagetables_g07
{
    public static int ptdump_curusr_show(mm_struct mm, ulong start, ulong end)
    {
        int leaves = 0;
        mmap_lock.mmap_write_lock(mm);
        pagewalk.walk_page_range_debug(mm, start, end, (entry, addr, next, priv) => leaves++, null);
        mmap_lock.mmap_write_unlock(mm);
        return leaves;
    }
}
