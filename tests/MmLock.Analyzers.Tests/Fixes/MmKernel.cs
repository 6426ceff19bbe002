namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// A kernel vocabulary for the fixes that need page-table spaces, lock order and hugetlb (/0/Kernel.cs, namespace M):
    /// the shape of docs/examples/KernelTypes.cs. The huge-vmap freeing is declared before hot-remove on purpose, so that a
    /// fix that inserts both guards in lock order (mem_hotplug_lock before mmap_lock) cannot pass by following clause order.
    /// </summary>
    internal static class MmKernel
    {
        public static readonly string[] Symbols = { "CONFIG_MEMORY_HOTREMOVE", "CONFIG_HAVE_ARCH_HUGE_VMAP", "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING" };

        public const string Prelude = @"
using System;
using MmLock;
[assembly: PageTableSpace(""kernel"", LeafLock = new[] { ""M.K.init_mm.page_table_lock"" })]
[assembly: TableFreeing(""kernel"", ""huge_vmap_collapse"", Holds = new[] { ""shared M.K.init_mm.mmap_lock"" },
    ExcludedBy = new[] { ""exclusive M.K.init_mm.mmap_lock"" }, When = ""CONFIG_HAVE_ARCH_HUGE_VMAP"")]
[assembly: TableFreeing(""kernel"", ""hot_remove"", Holds = new[] { ""exclusive M.K.mem_hotplug_lock"" },
    ExcludedBy = new[] { ""M.K.mem_hotplug_lock"" }, When = ""CONFIG_MEMORY_HOTREMOVE"")]
[assembly: PageTableSpace(""hugetlb"")]
[assembly: TableFreeing(""hugetlb"", ""pmd_unshare"", Holds = new[] { ""any M.i_mmap_rwsem_t"", ""any M.hugetlb_vma_lock"" },
    ExcludedBy = new[] { ""any M.hugetlb_vma_lock"", ""any M.i_mmap_rwsem_t"" }, When = ""CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING"")]
namespace M
{
    [Context] public class rw_semaphore { }
    public sealed class i_mmap_rwsem_t : rw_semaphore { }
    public sealed class hugetlb_vma_lock : rw_semaphore { }
    [Context] public sealed class percpu_rw_semaphore { }
    [Context] public sealed class mutex { }
    [Context(Atomic = true)] public sealed class spinlock_t { }
    [Context(Atomic = true, Reentrant = true)] public sealed class rcu_read_side { }
    [Context(Atomic = true, Idempotent = true)] public sealed class irqs_disabled { }
    public sealed class pte_t { public ulong val; }
    public sealed class mm_struct
    {
        public readonly rw_semaphore mmap_lock = new rw_semaphore();
        public readonly spinlock_t page_table_lock = new spinlock_t();
    }
    public sealed class address_space { public readonly i_mmap_rwsem_t i_mmap_rwsem = new i_mmap_rwsem_t(); }
    public sealed class file_t { public readonly address_space f_mapping = new address_space(); }
    public sealed class vm_area_struct
    {
        public readonly mm_struct vm_mm = new mm_struct();
        public readonly file_t vm_file = new file_t();
        public readonly hugetlb_vma_lock vm_private_data = new hugetlb_vma_lock();
    }
    public static class K
    {
        [AcquiredBefore(""M.K.init_mm.mmap_lock"")]
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
        public static readonly mm_struct init_mm = new mm_struct();
        public static readonly rcu_read_side RCU = new rcu_read_side();
        public static readonly irqs_disabled IRQ = new irqs_disabled();
        public const ulong PMD_SIZE = 2UL << 20;
    }
    [ScopedGuard] public readonly struct online_mems_guard : IDisposable
    {
        [NoLockAnalysis(""scoped guard"")] public void Dispose() => Kernel.put_online_mems();
    }
    public static class Kernel
    {
        [AcquiresShared(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_read_lock(mm_struct mm) { }
        [ReleasesShared(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_read_unlock(mm_struct mm) { }
        [Acquires(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_write_lock(mm_struct mm) { }
        [Releases(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_write_unlock(mm_struct mm) { }
        [Acquires(""ptl""), NoLockAnalysis(""primitive"")] public static void spin_lock(spinlock_t ptl) { }
        [Releases(""ptl""), NoLockAnalysis(""primitive"")] public static void spin_unlock(spinlock_t ptl) { }
        [Acquires(""K.RCU""), NoLockAnalysis(""primitive"")] public static void rcu_read_lock() { }
        [Releases(""K.RCU""), NoLockAnalysis(""primitive"")] public static void rcu_read_unlock() { }
        [Acquires(""K.IRQ""), NoLockAnalysis(""primitive"")] public static void local_irq_disable() { }
        [Releases(""K.IRQ""), NoLockAnalysis(""primitive"")] public static void local_irq_enable() { }
        [Acquires(""m""), NoLockAnalysis(""primitive"")] public static void mutex_lock(mutex m) { }
        [Releases(""m""), NoLockAnalysis(""primitive"")] public static void mutex_unlock(mutex m) { }
        [MightSleep, NoLockAnalysis(""primitive"")] public static void synchronize_rcu() { }
        [MightSleep, NoLockAnalysis(""primitive"")] public static void cond_resched() { }
        [MightSleep, NoLockAnalysis(""primitive"")] public static int copy_to_user(ulong to, ulong value) => 0;
        [AcquiresShared(""K.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void get_online_mems() { }
        [ReleasesShared(""K.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void put_online_mems() { }
        [AcquiresShared(""K.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static online_mems_guard guard_online_mems() => default;
        [AcquiresShared(""vma.vm_private_data""), NoLockAnalysis(""primitive"")] public static void hugetlb_vma_lock_read(vm_area_struct vma) { }
        [ReleasesShared(""vma.vm_private_data""), NoLockAnalysis(""primitive"")] public static void hugetlb_vma_unlock_read(vm_area_struct vma) { }
        [AcquiresShared(""mapping.i_mmap_rwsem""), NoLockAnalysis(""primitive"")] public static void i_mmap_lock_read(address_space mapping) { }
        [ReleasesShared(""mapping.i_mmap_rwsem""), NoLockAnalysis(""primitive"")] public static void i_mmap_unlock_read(address_space mapping) { }
        [PageTableWalker(""hugetlb""), ReturnsGuarded] public static pte_t? huge_pte_offset(mm_struct mm, ulong addr, ulong sz) => null;
        public static ulong huge_ptep_get(pte_t? ptep) => ptep?.val ?? 0;
        [PageTableWalker(""kernel"")] public static int walk_page_range_novma(mm_struct mm, ulong start, ulong end) => 0;
    }
}
";
    }
}
