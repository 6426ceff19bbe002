using MmLock;
using MmSample;

namespace MmApp
{
    // Markers: '// expect: ID' is reported in every profile checked (arm64, s390x); '// expect: ID [arm64]' in arm64 only.
    public static class Walkers
    {
        // The app's own walker of the library's kernel space.
        [PageTableWalker("kernel"), NoLockAnalysis("simulated walk")]
        public static void walk_kernel_range(ulong start, ulong end) { }

        // Guarded against hot-remove only: enough without huge vmap (s390x), not with it.
        public static void dump_kernel_tables()
        {
            Mm.get_online_mems();
            Mm.ptdump_walk_pgd(Mm.init_mm); // expect: MM2001 [arm64]
            walk_kernel_range(0, 4096); // expect: MM2001 [arm64]
            Mm.put_online_mems();
        }

        // Both guards, in lock order: clean everywhere.
        public static void dump_kernel_tables_safely()
        {
            Mm.get_online_mems();
            Mm.mmap_write_lock(Mm.init_mm);
            Mm.ptdump_walk_pgd(Mm.init_mm);
            walk_kernel_range(0, 4096);
            Mm.mmap_write_unlock(Mm.init_mm);
            Mm.put_online_mems();
        }

        // The wrong order of the library's AcquiredBefore.
        public static void dump_in_wrong_order()
        {
            Mm.mmap_write_lock(Mm.init_mm);
            Mm.get_online_mems(); // expect: MM1009
            Mm.ptdump_walk_pgd(Mm.init_mm);
            Mm.put_online_mems();
            Mm.mmap_write_unlock(Mm.init_mm);
        }

        // mmap_lock does not stop another mm unsharing the PMD; fine where PMD sharing does not exist.
        public static ulong read_huge_pte(vm_area_struct vma, ulong addr)
        {
            Mm.mmap_read_lock(vma.vm_mm);
            ulong[] ptep = Mm.huge_pte_offset(vma.vm_mm, addr); // expect: MM2002 [arm64]
            ulong pte = ptep[0];
            Mm.mmap_read_unlock(vma.vm_mm);
            return pte;
        }

        public static void set_pte_unlocked(mm_struct mm)
        {
            Mm.set_pte_locked(mm, 1); // expect: MM1001
        }

        public static void set_pte_then_sleep(mm_struct mm)
        {
            Mm.spin_lock(mm.page_table_lock);
            Mm.set_pte_locked(mm, 1);
            Mm.might_sleep(); // expect: MM3001
            Mm.spin_unlock(mm.page_table_lock);
        }

        public static void lock_and_forget(mm_struct mm)
        {
            Mm.spin_lock(mm.page_table_lock);
        } // expect: MM1004
    }

    public static class Program
    {
        public static void Main()
        {
            Walkers.dump_kernel_tables_safely();
            System.Console.WriteLine("MmSample.App ran: " + Walkers.read_huge_pte(new vm_area_struct(), 0));
        }
    }
}
