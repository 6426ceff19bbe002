using MmLock;

// Kernel tables are freed by hot-remove everywhere and by huge-vmap collapse where huge vmap exists; hugetlb PMD tables
// by unshare only where PMD sharing exists. Declared here, checked in the app.
[assembly: PageTableSpace("kernel")]
[assembly: TableFreeing("kernel", "hot-remove",
    Holds = new[] { "exclusive MmSample.Mm.mem_hotplug_lock" },
    ExcludedBy = new[] { "MmSample.Mm.mem_hotplug_lock" })]
[assembly: TableFreeing("kernel", "huge-vmap-collapse", When = "CONFIG_HAVE_ARCH_HUGE_VMAP",
    Holds = new[] { "shared MmSample.Mm.init_mm.mmap_lock" },
    ExcludedBy = new[] { "exclusive MmSample.Mm.init_mm.mmap_lock" })]
[assembly: PageTableSpace("hugetlb")]
[assembly: TableFreeing("hugetlb", "pmd-unshare", When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING",
    Holds = new[] { "any MmSample.hugetlb_vma_lock" },
    ExcludedBy = new[] { "any MmSample.hugetlb_vma_lock" })]

namespace MmSample
{
    [Context(Atomic = true)] public sealed class spinlock_t { }
    [Context] public sealed class rw_semaphore { }
    [Context] public sealed class percpu_rw_semaphore { }
    [Context] public sealed class hugetlb_vma_lock { }

    public sealed class mm_struct
    {
        public readonly rw_semaphore mmap_lock = new rw_semaphore();
        public readonly spinlock_t page_table_lock = new spinlock_t();
    }

    public sealed class vm_area_struct
    {
        public readonly mm_struct vm_mm = new mm_struct();
        public readonly hugetlb_vma_lock vm_private_data = new hugetlb_vma_lock();
    }

    public static class Mm
    {
        [AcquiredBefore("init_mm.mmap_lock")]
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
        public static readonly mm_struct init_mm = new mm_struct();

        [AcquiresShared("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void get_online_mems() { }
        [ReleasesShared("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void put_online_mems() { }
        [Acquires("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_lock(mm_struct mm) { }
        [Releases("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_unlock(mm_struct mm) { }
        [AcquiresShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_lock(mm_struct mm) { }
        [ReleasesShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_unlock(mm_struct mm) { }
        [AcquiresShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_lock_read(vm_area_struct vma) { }
        [ReleasesShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_unlock_read(vm_area_struct vma) { }
        [Acquires("l"), NoLockAnalysis("primitive")] public static void spin_lock(spinlock_t l) { }
        [Releases("l"), NoLockAnalysis("primitive")] public static void spin_unlock(spinlock_t l) { }
        [MightSleep] public static void might_sleep() { }

        [Requires("mm.page_table_lock")] public static void set_pte_locked(mm_struct mm, ulong pte) { }

        [PageTableWalker("kernel"), NoLockAnalysis("simulated walk")] public static void ptdump_walk_pgd(mm_struct mm) { }
        [PageTableWalker("hugetlb"), ReturnsGuarded, NoLockAnalysis("simulated lookup")]
        public static ulong[] huge_pte_offset(mm_struct mm, ulong addr) { return new ulong[1]; }
    }
}
