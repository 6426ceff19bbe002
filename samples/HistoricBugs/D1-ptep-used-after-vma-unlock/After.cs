// Seed D: what the entry says is read while the vma lock is held; after the hand-off the fault looks it up again.
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.D1.After;

public static class hugetlb_d1
{
    [RequiresShared("vma.vm_mm.mmap_lock")]
    public static bool hugetlb_handle_userfault(vm_area_struct vma, ulong addr)
    {
        hugetlb.hugetlb_vma_lock_read(vma);
        pXd_t? ptep = hugetlb.hugetlb_walk(vma, addr, hugetlb.HPAGE_SIZE);
        bool must_wait = ptep is not pXd_t p || pgtable.pxd_none(p.read());
        hugetlb.hugetlb_vma_unlock_read(vma);
        // handle_userfault(...) runs here; the fault is retried from the start.
        return must_wait;
    }
}
