using MmLock;

// The page-table spaces of this small kernel and how their tables get freed.
[assembly: PageTableSpace("kernel", LeafLock = new[] { "Showcase.Kernel.init_mm.page_table_lock" })]
[assembly: TableFreeing("kernel", "hot-remove",
    Holds = new[] { "Showcase.Kernel.mem_hotplug_lock" },
    ExcludedBy = new[] { "Showcase.Kernel.mem_hotplug_lock" })]
[assembly: TableFreeing("kernel", "huge-vmap-collapse", When = "!SHOWCASE_NO_HUGE_VMAP",
    Holds = new[] { "shared Showcase.Kernel.init_mm.mmap_lock" },
    ExcludedBy = new[] { "exclusive Showcase.Kernel.init_mm.mmap_lock" })]
[assembly: PageTableSpace("hugetlb")]
[assembly: TableFreeing("hugetlb", "pmd-unshare",
    Holds = new[] { "any Showcase.i_mmap_rwsem_t" },
    ExcludedBy = new[] { "any Showcase.hugetlb_vma_lock", "any Showcase.i_mmap_rwsem_t" })]

namespace Showcase
{
    [Context(Atomic = true)] public sealed class spinlock_t { }
    [Context] public class rw_semaphore { }
    [Context] public sealed class i_mmap_rwsem_t : rw_semaphore { }
    [Context] public sealed class hugetlb_vma_lock { }
    [Context] public sealed class percpu_rw_semaphore { }
    [Context(Atomic = true, Reentrant = true)] public sealed class rcu_t { }
    [Context(Atomic = true)] public sealed class stop_machine_t { }

    public sealed class mm_struct
    {
        public readonly rw_semaphore mmap_lock = new rw_semaphore();
        public readonly spinlock_t page_table_lock = new spinlock_t();
    }

    public sealed class vm_area_struct
    {
        public readonly hugetlb_vma_lock vma_lock = new hugetlb_vma_lock();
        public readonly mm_struct vm_mm = new mm_struct();
    }

    public sealed class page { public int zone; }

    public static class Kernel
    {
        [AcquiredBefore("init_mm.mmap_lock")]
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
        public static readonly mm_struct init_mm = new mm_struct();
        public static readonly rcu_t RCU = new rcu_t();
        public static readonly stop_machine_t STOP_MACHINE = new stop_machine_t();

        [AcquiresShared("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void get_online_mems() { }
        [ReleasesShared("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void put_online_mems() { }
        [Acquires("mem_hotplug_lock"), Excludes("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void mem_hotplug_begin() { }
        [Releases("mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void mem_hotplug_done() { }
        [Excludes("mem_hotplug_lock"), NoLockAnalysis("takes the hotplug lock for write")] public static void offline_and_remove_memory(ulong start, ulong size) { }
        [Acquires("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_lock(mm_struct mm) { }
        [Releases("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_unlock(mm_struct mm) { }
        [AcquiresShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_lock(mm_struct mm) { }
        [ReleasesShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_unlock(mm_struct mm) { }
        [Acquires("ptl"), NoLockAnalysis("primitive")] public static void spin_lock(spinlock_t ptl) { }
        [Releases("ptl"), NoLockAnalysis("primitive")] public static void spin_unlock(spinlock_t ptl) { }
        [AcquiresShared("RCU"), NoLockAnalysis("primitive")] public static void rcu_read_lock() { }
        [ReleasesShared("RCU"), NoLockAnalysis("primitive")] public static void rcu_read_unlock() { }
        [AcquiresShared("vma.vma_lock"), NoLockAnalysis("primitive")] public static void hugetlb_vma_lock_read(vm_area_struct vma) { }
        [ReleasesShared("vma.vma_lock"), NoLockAnalysis("primitive")] public static void hugetlb_vma_unlock_read(vm_area_struct vma) { }
        [MightSleep, NoLockAnalysis("primitive")] public static void synchronize_rcu() { }
        [OnlineCheck, NoLockAnalysis("primitive")] public static page? pfn_to_online_page(ulong pfn) => pfn == 0 ? null : new page();

        [PageTableWalker("kernel"), NoLockAnalysis("simulated walk")] public static void ptdump_walk_pgd(mm_struct mm) { }
        [PageTableWalker("hugetlb"), ReturnsGuarded, NoLockAnalysis("simulated lookup")] public static ulong[] huge_pte_offset(mm_struct mm, ulong addr) => new ulong[1];
        [TableFreer("kernel", "hot-remove"), NoLockAnalysis("simulated free")] public static void free_empty_tables(ulong start, ulong end) { }
        [LeafModifier("kernel"), NoLockAnalysis("simulated write")] public static void set_pte(ulong addr, ulong pte) { }
        [ReplacesLiveRoot("STOP_MACHINE"), NoLockAnalysis("simulated switch")] public static void cpu_replace_ttbr1(ulong pgd) { }
        [ReadsMemmap("mem_hotplug_lock"), NoLockAnalysis("simulated read")] public static int page_zone(ulong pfn) => 0;
    }
}
