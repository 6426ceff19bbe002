using MmLock;

// Kernel tables are freed by hot-remove everywhere and by huge-vmap collapse where huge vmap exists;
// hugetlb PMD tables are freed by unshare only where PMD sharing exists. The profile (MmArch) decides.
[assembly: PageTableSpace("kernel")]
[assembly: TableFreeing("kernel", "hot-remove",
    Holds = new[] { "exclusive Consumer.Mm.mem_hotplug_lock" },
    ExcludedBy = new[] { "Consumer.Mm.mem_hotplug_lock" })]
[assembly: TableFreeing("kernel", "huge-vmap-collapse", When = "CONFIG_HAVE_ARCH_HUGE_VMAP",
    Holds = new[] { "shared Consumer.Mm.init_mm.mmap_lock" },
    ExcludedBy = new[] { "exclusive Consumer.Mm.init_mm.mmap_lock" })]
[assembly: PageTableSpace("hugetlb")]
[assembly: TableFreeing("hugetlb", "pmd-unshare", When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING",
    Holds = new[] { "any Consumer.hugetlb_vma_lock" },
    ExcludedBy = new[] { "any Consumer.hugetlb_vma_lock" })]

namespace Consumer
{
    [Context] public sealed class rw_semaphore { }
    [Context] public sealed class percpu_rw_semaphore { }
    [Context] public sealed class hugetlb_vma_lock { }

    public sealed class mm_struct { public readonly rw_semaphore mmap_lock = new(); }

    public sealed class vm_area_struct
    {
        public readonly mm_struct vm_mm = new();
        public readonly hugetlb_vma_lock vm_private_data = new();
    }

    public static class Mm
    {
        [AcquiredBefore("init_mm.mmap_lock")]
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new();
        public static readonly mm_struct init_mm = new();

        [AcquiresShared("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void get_online_mems() { }
        [ReleasesShared("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void put_online_mems() { }
        [Acquires("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_lock(mm_struct mm) { }
        [Releases("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_unlock(mm_struct mm) { }
        [AcquiresShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_lock(mm_struct mm) { }
        [ReleasesShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_unlock(mm_struct mm) { }
        [AcquiresShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_lock_read(vm_area_struct vma) { }
        [ReleasesShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_unlock_read(vm_area_struct vma) { }

        [PageTableWalker("kernel"), NoLockAnalysis("simulated walk")] public static void ptdump_walk_pgd(mm_struct mm) { }
        [PageTableWalker("hugetlb"), ReturnsGuarded, NoLockAnalysis("simulated lookup")]
        public static ulong[] huge_pte_offset(mm_struct mm, ulong addr) => new ulong[1];
    }

    public static class Program
    {
        // Guarded against hot-remove only: enough where huge vmap does not exist (s390x), not elsewhere.
        public static void dump_kernel_tables()
        {
            Mm.get_online_mems();
            Mm.ptdump_walk_pgd(Mm.init_mm);
            Mm.put_online_mems();
        }

        // mmap_lock does not stop another mm unsharing the PMD (bug G4); fine where PMD sharing does not exist.
        public static ulong read_huge_pte(vm_area_struct vma, ulong addr)
        {
            Mm.mmap_read_lock(vma.vm_mm);
            var ptep = Mm.huge_pte_offset(vma.vm_mm, addr);
            var pte = ptep[0];
            Mm.mmap_read_unlock(vma.vm_mm);
            return pte;
        }

        public static void Main()
        {
            dump_kernel_tables();
            System.Console.WriteLine(read_huge_pte(new vm_area_struct(), 0));
        }
    }
}
