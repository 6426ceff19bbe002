using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.fs;

namespace ReferenceKernelMm.mm
{
    /// <summary>VMA lookup and munmap of hugetlb VMAs (mm/mmap.c, mm/vma.c).</summary>
    public static class mmap
    {
        /// <summary>Error code of an invalid argument.</summary>
        public const int EINVAL = -22;

        /// <summary>The VMA of <paramref name="mm"/> containing <paramref name="addr"/>, or null (vma_lookup). Needs the mmap lock.</summary>
        [RequiresShared("mm.mmap_lock")]
        public static vm_area_struct? vma_lookup(mm_struct mm, ulong addr)
        {
            mmap_lock.mmap_assert_locked(mm);
            using (Kcsan.read(mm.mmap, $"vma_lookup({mm})"))
            {
                foreach (vm_area_struct vma in mm.mmap)
                    if (addr >= vma.vm_start && addr < vma.vm_end)
                        return vma;
            }
            return null;
        }

        /// <summary>Removes a VMA from its file's reverse map (unlink_file_vma): after this, huge_pmd_share cannot find its tables.</summary>
        [MightSleep]
        public static void unlink_file_vma(vm_area_struct vma)
        {
            address_space mapping = vma.vm_file!.f_mapping;
            i_mmap_lock_write(mapping);
            using (Kcsan.write(mapping.i_mmap, $"unlink_file_vma({mapping.host})"))
                mapping.i_mmap.Remove(vma);
            i_mmap_unlock_write(mapping);
        }

        /// <summary>
        /// Tears down a detached hugetlb VMA (unmap_region): unmap its pages, unlink it from the file, then free its page
        /// tables through one gather, which lockless walkers are synchronised with before the tables reach the allocator.
        /// </summary>
        [Requires("vma.vm_mm.mmap_lock")]
        [MightSleep]
        public static void unmap_region(vm_area_struct vma)
        {
            mmap_lock.mmap_assert_write_locked(vma.vm_mm);
            mmu_gather tlb = mmu_gather_ops.tlb_gather_mmu(vma.vm_mm);
            hugetlb.__unmap_hugepage_range_final(tlb, vma);
            unlink_file_vma(vma);
            hugetlb.hugetlb_free_pgd_range(tlb, vma);
            mmu_gather_ops.tlb_finish_mmu(tlb);
        }

        /// <summary>munmap(2) of a whole hugetlb VMA of <paramref name="mm"/> (vm_munmap); 0 or -EINVAL.</summary>
        [MightSleep]
        public static int vm_munmap(mm_struct mm, ulong start, ulong len)
        {
            mmap_lock.mmap_write_lock(mm);
            vm_area_struct? vma = vma_lookup(mm, start);
            if (vma == null || vma.vm_start != start || vma.vm_end != start + len || (vma.vm_flags & vm_flags_t.VM_HUGETLB) == 0)
            {
                mmap_lock.mmap_write_unlock(mm);
                return EINVAL;
            }
            using (Kcsan.write(mm.mmap, $"vm_munmap({mm})"))
                mm.mmap.Remove(vma);
            // The VMA is mm's, whose lock is held: stated for the analyzer and checked.
            mmap_lock.mmap_assert_write_locked(vma.vm_mm);
            unmap_region(vma);
            mmap_lock.mmap_write_unlock(mm);
            return 0;
        }
    }
}
