// Seed A, as resolved: the remap walks only the vmemmap of a huge page its caller holds, and hot-remove
// migrates or dissolves huge pages before it tears a range down (under the hotplug write lock). So the walk
// is an owner's: the owning walker needs no guard. init_mm's mmap lock is still taken, as in the kernel.
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
using MmLock;
using ReferenceKernelMm;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.A2.After;

public static class hugetlb_vmemmap_a2
{
    [MightSleep]
    public static void vmemmap_remap_range(ulong start, ulong end, leaf_entry_fn remap)
    {
        mmap_lock.mmap_read_lock(K.init_mm);
        pagewalk.walk_kernel_page_table_range_lockless(start, end, remap, null);
        mmap_lock.mmap_read_unlock(K.init_mm);
        tlbflush.flush_tlb_kernel_range(start, end);
    }
}
#endif
