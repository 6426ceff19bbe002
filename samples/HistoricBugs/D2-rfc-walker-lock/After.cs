// Seed D, as merged: the hugetlb vma lock (or i_mmap_rwsem) keeps the PMD table from being unshared; it is
// enough in every configuration and under both models.
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.D2.After;

public static class hugetlb_d2
{
    [RequiresShared("vma.vm_mm.mmap_lock")]
    public static bool huge_pte_present(vm_area_struct vma, ulong addr)
    {
        hugetlb.hugetlb_vma_lock_read(vma);
        pXd_t? ptep = hugetlb.hugetlb_walk(vma, addr, hugetlb.HPAGE_SIZE);
        bool present = ptep is pXd_t p && pgtable.pxd_present(p.read());
        hugetlb.hugetlb_vma_unlock_read(vma);
        return present;
    }
}
