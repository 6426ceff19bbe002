// Seed D, the dropped RFC v2 (2022): protect huge_pte_offset() with a "walker lock" like fast GUP's: a no-op
// without PMD sharing, rcu_read_lock() where page tables are freed after an RCU grace period
// (MMU_GATHER_RCU_TABLE_FREE), local_irq_disable() otherwise. Checked under both models (docs/configuration.md):
// upstream, a shared mapping's lookup needs the vma lock or i_mmap_rwsem wherever PMDs are shared; under the RFC
// model (MmHugetlbWalkerLock=rfc) RCU is enough on x86_64/arm64/riscv64 but not on x86_64-legacy, which frees
// tables without RCU. Same source, different and correct answers.
// exists in: x86_64 x86_64-legacy arm64 riscv64 x86_64-legacy+rfc
// models: upstream rfc
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;

namespace HistoricBugs.D2.Before;

public static class hugetlb_d2
{
    [RequiresShared("vma.vm_mm.mmap_lock")]
    public static bool huge_pte_present(vm_area_struct vma, ulong addr)
    {
        Rcu.rcu_read_lock();
        // expect MM2002 in x86_64 x86_64-legacy arm64 riscv64 at `hugetlb.huge_pte_offset(vma.vm_mm, addr, hugetlb.HPAGE_SIZE)`:
        //   Calling 'huge_pte_offset' looks up 'hugetlb' entries without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock', 'any i_mmap_rw_semaphore'
        // expect MM2002 in x86_64-legacy+rfc at `hugetlb.huge_pte_offset(vma.vm_mm, addr, hugetlb.HPAGE_SIZE)`:
        //   Calling 'huge_pte_offset' looks up 'hugetlb' entries without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock', 'any i_mmap_rw_semaphore', 'K.IrqsOff', 'K.IrqsSaved'
        pXd_t? ptep = hugetlb.huge_pte_offset(vma.vm_mm, addr, hugetlb.HPAGE_SIZE);
        bool present = ptep is pXd_t p && pgtable.pxd_present(p.read());
        Rcu.rcu_read_unlock();
        return present;
    }
}
