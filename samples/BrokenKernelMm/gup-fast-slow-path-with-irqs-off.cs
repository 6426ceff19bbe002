using System.Collections.Generic;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;
using static ReferenceKernelMm.include.linux.pgtable;

namespace BrokenKernelMm
{
    /// <summary>
    /// gup_fast falling back to the slow path (mmap lock, then GUP's lookup) before it re-enables IRQs: taking a
    /// sleeping lock with IRQs off. might_sleep in down_read reports it the first time the fast walk finds nothing.
    /// </summary>
    internal static class gup_fast_slow_path_with_irqs_off
    {
        internal static readonly Variant variant = Variant.Replacing(
            "gup-fast-slow-path-with-irqs-off", "E", "gup_fast taking the mmap lock for its slow path with IRQs still off",
            new[] { "MM3001" }, ViolationKind.SleepInAtomic, _ => true, k => k.gup_fast, gup_fast);

        // mm/gup.c gup_fast_fallback with the slow path moved inside local_irq_save/restore.
        private static List<ulong> gup_fast(mm_struct mm, ulong start, int nr_pages)
        {
            ulong flags = Smp.local_irq_save();
            List<ulong> pages = gup.gup_fast(mm, start, nr_pages);
            if (pages.Count < nr_pages)
            {
                mmap_lock.mmap_read_lock(mm); // expect: MM3001
                vm_area_struct? vma = mmap.vma_lookup(mm, start);
                if (vma != null)
                {
                    mmap_lock.mmap_assert_locked(vma.vm_mm);
                    hugetlb.hugetlb_follow_page_mask(vma, start + (ulong)pages.Count * PAGE_SIZE); // expect: MM3001
                }
                mmap_lock.mmap_read_unlock(mm);
            }
            Smp.local_irq_restore(flags);
            return pages;
        }
    }
}
