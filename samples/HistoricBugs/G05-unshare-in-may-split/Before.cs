// G5: splitting a hugetlb VMA at an address that is not PUD-aligned must unshare the PMD table around it. That
// was done in the ->may_split callback, before __split_vma takes the VMA and rmap locks, so a fault could share
// the table again before the split. Fix: unshare during the split, under the mmap, VMA and rmap write locks
// (hugetlb_split asserts them). Only where PMDs can be shared.
// exists in: x86_64 x86_64-legacy arm64 riscv64
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G05.Before;

public static class hugetlb_g05
{
    public const int EINVAL = -22;

    // ->may_split: __split_vma calls it with the mmap lock held for write, before anything else is locked.
    [Requires("vma.vm_mm.mmap_lock")]
    public static int hugetlb_vm_op_split(vm_area_struct vma, ulong addr)
    {
        if (addr % hugetlb.HPAGE_SIZE != 0)
            return EINVAL;
        // expect MM1001 in all:
        //   Calling 'hugetlb_split' requires holding 'vma.vm_private_data' exclusively
        // expect MM1001 in all:
        //   Calling 'hugetlb_split' requires holding 'vma.vm_file.f_mapping.i_mmap_rwsem' exclusively
        hugetlb.hugetlb_split(vma, addr);
        return 0;
    }
}
