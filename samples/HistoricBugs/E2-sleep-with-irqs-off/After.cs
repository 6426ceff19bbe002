// Seed E: the lockless attempt ends with local_irq_restore; only then does the slow path sleep.
using System.Collections.Generic;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;

namespace HistoricBugs.E2.After;

public static class gup_e2
{
    public static List<ulong> get_user_pages_fast(mm_struct mm, vm_area_struct vma, ulong start, int nr_pages)
    {
        var pages = new List<ulong>();
        ulong end = start + (ulong)nr_pages * pgtable.PAGE_SIZE;
        ulong flags = Smp.local_irq_save();
        gup.gup_fast_pgd_range(mm, start, end, pages);
        Smp.local_irq_restore(flags);
        if (pages.Count < nr_pages)
        {
            mmap_lock.mmap_read_lock(mm);
            hugetlb.hugetlb_fault(mm, vma, start + (ulong)pages.Count * pgtable.PAGE_SIZE); // then pins it (elided)
            mmap_lock.mmap_read_unlock(mm);
        }
        return pages;
    }
}
