// G5 fixed: __split_vma unshares in the middle of the split, with the VMA (here the hugetlb vma lock) and the
// rmap (i_mmap_rwsem) write-locked as well as the mmap lock, and cuts the VMA under the same locks.
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G05.After;

public static class mmap_g05
{
    public const int EINVAL = -22;

    [Requires("vma.vm_mm.mmap_lock")]
    public static int __split_vma(vm_area_struct vma, ulong addr)
    {
        if (addr % hugetlb.HPAGE_SIZE != 0)
            return EINVAL;
        address_space mapping = vma.vm_file!.f_mapping;
        hugetlb.hugetlb_vma_lock_write(vma);
        fs.i_mmap_lock_write(mapping);
        hugetlb.hugetlb_split(vma, addr);
        // vma_adjust: the VMA is cut in two here, under the same locks.
        fs.i_mmap_unlock_write(mapping);
        hugetlb.hugetlb_vma_unlock_write(vma);
        return 0;
    }
}
