// Seed D (hugetlb PMD sharing, 2022): a fault that must hand over to userfaultfd drops the hugetlb vma lock first
// (hugetlb_handle_userfault; handle_userfault sleeps). The entry looked up under the lock is only valid while
// it is held: once dropped, another mm can unshare the PMD table and it can be freed.
// Without PMD sharing no lock is needed for the entry in the first place.
// exists in: x86_64 x86_64-legacy arm64 riscv64
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.D1.Before;

public static class hugetlb_d1
{
    [RequiresShared("vma.vm_mm.mmap_lock")]
    public static bool hugetlb_handle_userfault(vm_area_struct vma, ulong addr)
    {
        hugetlb.hugetlb_vma_lock_read(vma);
        pXd_t? ptep = hugetlb.hugetlb_walk(vma, addr, hugetlb.HPAGE_SIZE);
        hugetlb.hugetlb_vma_unlock_read(vma);
        // handle_userfault(...) would run here, with the vma lock dropped.
        // expect MM2005 in all at `ptep`:
        //   'ptep' from 'hugetlb_walk' is used after 'vma.vm_private_data' was released at line 19
        return ptep is not pXd_t p || pgtable.pxd_none(p.read());
    }
}
