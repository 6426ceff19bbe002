using System;
using MmLock;

// The vocabulary of the sample: two kernel page-table freeings (so a kernel walker needs two guards, taken in the
// declared lock order) and the hugetlb PMD unshare (guarded by the vma lock or i_mmap_rwsem of some vma).
[assembly: PageTableSpace("kernel")]
[assembly: TableFreeing("kernel", "huge_vmap_collapse", Holds = new[] { "shared FixMe.K.init_mm.mmap_lock" },
    ExcludedBy = new[] { "exclusive FixMe.K.init_mm.mmap_lock" })]
[assembly: TableFreeing("kernel", "hot_remove", Holds = new[] { "exclusive FixMe.K.mem_hotplug_lock" },
    ExcludedBy = new[] { "FixMe.K.mem_hotplug_lock" })]
[assembly: PageTableSpace("hugetlb")]
[assembly: TableFreeing("hugetlb", "pmd_unshare", Holds = new[] { "any FixMe.i_mmap_rwsem_t", "any FixMe.hugetlb_vma_lock" },
    ExcludedBy = new[] { "any FixMe.hugetlb_vma_lock", "any FixMe.i_mmap_rwsem_t" })]

namespace FixMe
{
    [Context(Atomic = true)] public sealed class spinlock_t { }
    [Context] public class rw_semaphore { }
    public sealed class i_mmap_rwsem_t : rw_semaphore { }
    public sealed class hugetlb_vma_lock : rw_semaphore { }
    [Context] public sealed class percpu_rw_semaphore { }
    public sealed class pte_t { public ulong val; }

    public sealed class mm_struct { public readonly rw_semaphore mmap_lock = new rw_semaphore(); }
    public sealed class address_space { public readonly i_mmap_rwsem_t i_mmap_rwsem = new i_mmap_rwsem_t(); }
    public sealed class vm_area_struct
    {
        public readonly mm_struct vm_mm = new mm_struct();
        public readonly address_space vm_mapping = new address_space();
        public readonly hugetlb_vma_lock vm_private_data = new hugetlb_vma_lock();
    }

    public static class K
    {
        [AcquiredBefore("FixMe.K.init_mm.mmap_lock")]
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
        public static readonly mm_struct init_mm = new mm_struct();
    }

    // A scoped guard (the kernel's guard(spinlock)), from Locks.guard_spin: released where its 'using' ends.
    [ScopedGuard] public readonly struct spin_guard : IDisposable
    {
        [NoLockAnalysis("scoped guard")] public void Dispose() { }
    }

    public static class Locks
    {
        [Acquires("l"), NoLockAnalysis("primitive")] public static void spin_lock(spinlock_t l) { }
        [Releases("l"), NoLockAnalysis("primitive")] public static void spin_unlock(spinlock_t l) { }
        [AcquiresShared("FixMe.K.mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void get_online_mems() { }
        [ReleasesShared("FixMe.K.mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void put_online_mems() { }
        [Acquires("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_lock(mm_struct mm) { }
        [Releases("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_unlock(mm_struct mm) { }
        [AcquiresShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_lock_read(vm_area_struct vma) { }
        [ReleasesShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_unlock_read(vm_area_struct vma) { }
        [Acquires("l"), NoLockAnalysis("primitive")] public static spin_guard guard_spin(spinlock_t l) => default;
        [MightSleep, NoLockAnalysis("primitive")] public static void synchronize_rcu() { }
        [MightSleep, NoLockAnalysis("primitive")] public static pte_t alloc_pte() => new pte_t();
    }

    public static class Pgtable
    {
        [PageTableWalker("kernel")] public static int walk_page_range_novma(mm_struct mm, ulong start, ulong end) => 0;
        [PageTableWalker("hugetlb"), ReturnsGuarded] public static pte_t? huge_pte_offset(mm_struct mm, ulong addr) => null;
    }
}
