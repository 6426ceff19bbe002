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
    /// Bug G4: GUP's hugetlb lookup with huge_pte_offset under the mmap lock only. On a shared mapping, hole punching
    /// (which takes no mmap lock) unshares this mm's PMD table, and the last other sharer's munmap frees it: the read
    /// of the entry after the lookup is a use-after-free. Only where PMD tables are shared.
    /// </summary>
    internal static class follow_page_under_mmap_lock
    {
        internal static readonly Variant variant = Variant.Replacing(
            "follow-page-under-mmap-lock", "G4", "hugetlb_follow_page_mask with huge_pte_offset under the mmap lock only, against hole punch and munmap",
            new[] { "MM2002" }, ViolationKind.UseAfterFree, p => p.HugetlbPmdPageTableSharing, k => k.hugetlb_follow_page_mask, hugetlb_follow_page_mask);

        // mm/hugetlb.c hugetlb_follow_page_mask before the 2022 series: no vma lock, huge_pte_offset instead of hugetlb_walk.
        [RequiresShared("vma.vm_mm.mmap_lock")]
        [MightSleep]
        private static ulong? hugetlb_follow_page_mask(vm_area_struct vma, ulong address)
        {
            mmap_lock.mmap_assert_locked(vma.vm_mm);
            ulong? pfn = null;
            pXd_t? pte = hugetlb.huge_pte_offset(vma.vm_mm, address & ~(hugetlb.HPAGE_SIZE - 1), hugetlb.HPAGE_SIZE); // expect: MM2002
            if (pte is pXd_t p)
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
