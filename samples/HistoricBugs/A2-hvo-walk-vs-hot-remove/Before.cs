// Seed A (arm64 HugeTLB vmemmap optimisation, 2021): vmemmap_remap_range rewrites vmemmap PTEs with the generic
// kernel walker under init_mm's mmap lock for read, as if that kept hot-remove out. It does not (hot-remove never
// takes it), and a shared walker needs the hotplug lock and, against huge-vmap collapse, the mmap lock for write.
// HVO exists only where CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP is set (arm64 disabled it in 2023).
// exists in: x86_64 x86_64-legacy
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
using MmLock;
using ReferenceKernelMm;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.A2.Before;

public static class hugetlb_vmemmap_a2
{
    [MightSleep]
    public static void vmemmap_remap_range(ulong start, ulong end, leaf_entry_fn remap)
    {
        mmap_lock.mmap_read_lock(K.init_mm);
        // expect MM2001 in all:
        //   Calling 'walk_kernel_page_table_range' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'memory_hotplug.mem_hotplug_lock'
        // expect MM2001 in all:
        //   Calling 'walk_kernel_page_table_range' walks 'kernel' page tables without excluding the 'huge-vmap-collapse' freeing: hold 'K.init_mm.mmap_lock' exclusively
        pagewalk.walk_kernel_page_table_range(start, end, remap, null);
        mmap_lock.mmap_read_unlock(K.init_mm);
        tlbflush.flush_tlb_kernel_range(start, end);
    }
}
#endif
