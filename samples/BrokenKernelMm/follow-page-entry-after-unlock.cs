using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;
using static ReferenceKernelMm.include.linux.locking;
using static ReferenceKernelMm.include.linux.pgtable;

namespace BrokenKernelMm
{
    /// <summary>
    /// The fixed lookup with the vma lock dropped too early: hugetlb_walk runs under the lock, but the entry it returned
    /// is read after the unlock, when a hole punch and the last sharer's munmap may already have freed its table.
    /// Only where PMD tables are shared.
    /// </summary>
    internal static class follow_page_entry_after_unlock
    {
        internal static readonly Variant variant = Variant.Replacing(
            "follow-page-entry-after-unlock", "G4", "hugetlb_follow_page_mask reading the huge PTE after dropping the vma lock",
            new[] { "MM2005" }, ViolationKind.UseAfterFree, p => p.HugetlbPmdPageTableSharing, k => k.hugetlb_follow_page_mask, hugetlb_follow_page_mask);

        // mm/hugetlb.c hugetlb_follow_page_mask with hugetlb_vma_unlock_read moved up to right after the walk.
        [RequiresShared("vma.vm_mm.mmap_lock")]
        [MightSleep]
        private static ulong? hugetlb_follow_page_mask(vm_area_struct vma, ulong address)
        {
            mmap_lock.mmap_assert_locked(vma.vm_mm);
            ulong? pfn = null;
            hugetlb.hugetlb_vma_lock_read(vma);
            pXd_t? pte = hugetlb.hugetlb_walk(vma, address & ~(hugetlb.HPAGE_SIZE - 1), hugetlb.HPAGE_SIZE);
            hugetlb.hugetlb_vma_unlock_read(vma);
            if (pte is pXd_t p) // expect: MM2005
            {
                RaceWindow.at("hugetlb_follow_page_mask");
                spinlock_t ptl = hugetlb.huge_pte_lockptr(p);
                spin_lock(ptl);
                ulong entry = p.read();
                if (pxd_present(entry))
                    pfn = entry_pfn(entry) + (address % hugetlb.HPAGE_SIZE) / PAGE_SIZE;
                spin_unlock(ptl);
            }
            return pfn;
        }
    }
}
