// G4 fixed: the lookup and the read of the entry run under the hugetlb vma lock, through hugetlb_walk().
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G04.After;

public static class userfaultfd_g04
{
    [RequiresShared("vma.vm_mm.mmap_lock")]
    public static bool userfaultfd_huge_must_wait(vm_area_struct vma, ulong address)
    {
        hugetlb.hugetlb_vma_lock_read(vma);
        pXd_t? ptep = hugetlb.hugetlb_walk(vma, address, hugetlb.HPAGE_SIZE);
        bool must_wait = ptep is not pXd_t p || pgtable.pxd_none(p.read());
        hugetlb.hugetlb_vma_unlock_read(vma);
        return must_wait;
    }
}
