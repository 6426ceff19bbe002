// G3: huge_pmd_unshare drops this mm's use of a shared PMD table while gup_fast on another CPU may still be walking
// it, and the table can be reused before that walk ends. Fix: synchronise with lockless walkers
// (tlb_remove_table_sync_one), later batched through the mmu_gather and flushed while i_mmap_rwsem is still held:
// once it is dropped, a fault can share the table again, or its last user free it. Here the batch is flushed after.
// (The original form, no synchronisation at all, is an omission no lock rule can see; the batched fix can be.)
// exists in: x86_64 x86_64-legacy arm64 riscv64
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G03.Before;

public static class hugetlb_g03
{
    public static int hugetlb_unshare_pmds(vm_area_struct vma, ulong start, ulong end)
    {
        address_space mapping = vma.vm_file!.f_mapping;
        mmu_gather tlb = mmu_gather_ops.tlb_gather_mmu(vma.vm_mm);
        int unshared = 0;
        hugetlb.hugetlb_vma_lock_write(vma);
        fs.i_mmap_lock_write(mapping);
        for (ulong addr = start; addr < end; addr += pgtable.PUD_SIZE)
        {
            pXd_t? ptep = hugetlb.hugetlb_walk(vma, addr, hugetlb.HPAGE_SIZE);
            if (ptep is pXd_t p && hugetlb.huge_pmd_unshare(tlb, vma, addr, p))
                unshared++;
        }
        fs.i_mmap_unlock_write(mapping);
        hugetlb.hugetlb_vma_unlock_write(vma);
        // expect MM1001 in all:
        //   Calling 'huge_pmd_unshare_flush' requires holding 'vma.vm_file.f_mapping.i_mmap_rwsem' exclusively; 'vma.vm_file.f_mapping.i_mmap_rwsem' was released at line 27
        hugetlb.huge_pmd_unshare_flush(tlb, vma);
        mmu_gather_ops.tlb_finish_mmu(tlb);
        return unshared;
    }
}
