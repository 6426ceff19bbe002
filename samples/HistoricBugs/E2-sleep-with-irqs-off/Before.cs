// Seed E (sleeping in atomic context): fast GUP falls back to the slow path for the pages it could not pin
// locklessly. The slow path takes the mmap lock and faults pages in, both of which may sleep, so it must run
// after IRQs are enabled again; here it runs inside the IRQs-off section.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using System.Collections.Generic;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;

namespace HistoricBugs.E2.Before;

public static class gup_e2
{
    public static List<ulong> get_user_pages_fast(mm_struct mm, vm_area_struct vma, ulong start, int nr_pages)
    {
        var pages = new List<ulong>();
        ulong end = start + (ulong)nr_pages * pgtable.PAGE_SIZE;
        ulong flags = Smp.local_irq_save();
        gup.gup_fast_pgd_range(mm, start, end, pages);
        if (pages.Count < nr_pages)
        {
            // expect MM3001 in all:
            //   Acquiring 'mm.mmap_lock' might sleep while 'K.IrqsSaved' is held (acquired at line 18)
            mmap_lock.mmap_read_lock(mm);
            // expect MM3001 in all at `hugetlb.hugetlb_fault(mm, vma, start + (ulong)pages.Count * pgtable.PAGE_SIZE)`:
            //   Calling 'hugetlb_fault' might sleep while 'K.IrqsSaved' is held (acquired at line 18)
            hugetlb.hugetlb_fault(mm, vma, start + (ulong)pages.Count * pgtable.PAGE_SIZE); // then pins it (elided)
            mmap_lock.mmap_read_unlock(mm);
        }
        Smp.local_irq_restore(flags);
        return pages;
    }
}
