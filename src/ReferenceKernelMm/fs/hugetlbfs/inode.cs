using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.fs;

// fs/hugetlbfs in the kernel; the namespace leaves out "fs", which would hide the include.linux.fs helpers.
namespace ReferenceKernelMm.hugetlbfs
{
    /// <summary>Hole punching of a hugetlbfs file (fs/hugetlbfs/inode.c).</summary>
    public static class inode
    {
        /// <summary>
        /// Punches the whole file (hugetlbfs_punch_hole): unmaps it from every VMA mapping it, unsharing shared PMD tables.
        /// It takes i_mmap_rwsem and each VMA's lock but no mmap lock, which is why the mmap lock alone does not keep a
        /// shared PMD table alive (bug G4).
        /// </summary>
        [MightSleep]
        public static void hugetlbfs_punch_hole(@file f)
        {
            address_space mapping = f.f_mapping;
            i_mmap_lock_write(mapping);
            hugetlb_vmdelete_list(mapping);
            i_mmap_unlock_write(mapping);
        }

        /// <summary>Unmaps every VMA of the mapping (hugetlb_vmdelete_list); called with i_mmap_rwsem held for write.</summary>
        [Requires("mapping.i_mmap_rwsem")]
        [MightSleep]
        private static void hugetlb_vmdelete_list(address_space mapping)
        {
            i_mmap_assert_write_locked(mapping);
            using Kcsan.access reading = Kcsan.read(mapping.i_mmap, $"hugetlb_vmdelete_list({mapping.host})");
            foreach (vm_area_struct vma in mapping.i_mmap)
            {
                // Against the usual order (vma lock, then i_mmap_rwsem), hence a trylock: a VMA whose lock is busy is skipped.
                if (!hugetlb.hugetlb_vma_trylock_write(vma))
                    continue;
                // The same i_mmap_rwsem, reached through the VMA: stated for the analyzer and checked.
                i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
                hugetlb.unmap_hugepage_range(vma, vma.vm_start, vma.vm_end);
                hugetlb.hugetlb_vma_unlock_write(vma);
            }
        }
    }
}
