// G4: huge_pte_offset() called with only the mmap lock, here by userfaultfd_huge_must_wait (handle_userfault holds
// the mmap lock for read). The mmap lock is this mm's: it does not stop another mm sharing the PMD table from
// unsharing and freeing it. Fix: hold the hugetlb vma lock or i_mmap_rwsem; hugetlb_walk() asserts it.
// Only where PMDs can be shared (not powerpc64, s390x). Also wrong under the RFC walker-lock model, whose message
// names the guards of each configuration: RCU only where tables are RCU-freed.
// exists in: x86_64 x86_64-legacy arm64 riscv64 x86_64+rfc x86_64-legacy+rfc arm64+rfc riscv64+rfc
// models: upstream rfc
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G04.Before;

public static class userfaultfd_g04
{
    [RequiresShared("vma.vm_mm.mmap_lock")]
    public static bool userfaultfd_huge_must_wait(vm_area_struct vma, ulong address)
    {
        // expect MM2002 in x86_64 x86_64-legacy arm64 riscv64 at `hugetlb.huge_pte_offset(vma.vm_mm, address, hugetlb.HPAGE_SIZE)`:
        //   Calling 'huge_pte_offset' looks up 'hugetlb' entries without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock', 'any i_mmap_rw_semaphore'
        // expect MM2002 in x86_64+rfc arm64+rfc riscv64+rfc at `hugetlb.huge_pte_offset(vma.vm_mm, address, hugetlb.HPAGE_SIZE)`:
        //   Calling 'huge_pte_offset' looks up 'hugetlb' entries without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock', 'any i_mmap_rw_semaphore', 'K.RCU', 'K.IrqsOff', 'K.IrqsSaved'
        // expect MM2002 in x86_64-legacy+rfc at `hugetlb.huge_pte_offset(vma.vm_mm, address, hugetlb.HPAGE_SIZE)`:
        //   Calling 'huge_pte_offset' looks up 'hugetlb' entries without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock', 'any i_mmap_rw_semaphore', 'K.IrqsOff', 'K.IrqsSaved'
        pXd_t? ptep = hugetlb.huge_pte_offset(vma.vm_mm, address, hugetlb.HPAGE_SIZE);
        return ptep is not pXd_t p || pgtable.pxd_none(p.read());
    }
}
