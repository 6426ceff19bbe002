using MmLock;
using static Showcase.Kernel;

namespace Showcase
{
    /// <summary>The kernel-MM rule pack: each historic bug once, MM2001–MM2007 and MM3001.</summary>
    public static class PageTableRules
    {
        // Bug G1: ptdump walking while hot-remove frees tables.
        public static void MM2001_ptdump_without_hotplug_lock()
        {
            mmap_write_lock(init_mm);
            ptdump_walk_pgd(init_mm);
            mmap_write_unlock(init_mm);
        }

        // Bug G4: huge_pte_offset under only mmap_lock on a shared mapping.
        public static ulong MM2002_lookup_under_mmap_lock_only(vm_area_struct vma, ulong addr)
        {
            mmap_read_lock(vma.vm_mm);
            var ptep = huge_pte_offset(vma.vm_mm, addr);
            mmap_read_unlock(vma.vm_mm);
            return ptep[0];
        }

        public static void MM2003_free_without_hotplug_write_lock(ulong start, ulong end)
        {
            free_empty_tables(start, end);
        }

        public static void MM2004_leaf_write_without_ptl(ulong addr)
        {
            set_pte(addr, 0);
        }

        public static ulong MM2005_pte_used_after_unlock(vm_area_struct vma, ulong addr)
        {
            hugetlb_vma_lock_read(vma);
            var ptep = huge_pte_offset(vma.vm_mm, addr);
            hugetlb_vma_unlock_read(vma);
            return ptep[0];
        }

        // 2017 arm64 hot-add proposal: switching swapper_pg_dir while other CPUs run.
        public static void MM2006_replace_root_without_stop_machine(ulong pgd)
        {
            cpu_replace_ttbr1(pgd);
        }

        // Bug G9: valid_zones reading struct pages of offline memory.
        public static int MM2007_valid_zones(ulong pfn)
        {
            return page_zone(pfn);
        }

        public static void MM3001_sleep_under_rcu()
        {
            rcu_read_lock();
            synchronize_rcu();
            rcu_read_unlock();
        }
    }
}
