// G3 fixed: lockless walkers are synchronised before i_mmap_rwsem is dropped.
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G03.After;

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
        hugetlb.huge_pmd_unshare_flush(tlb, vma);
        fs.i_mmap_unlock_write(mapping);
        hugetlb.hugetlb_vma_unlock_write(vma);
        mmu_gather_ops.tlb_finish_mmu(tlb);
        return unshared;
    }
}
