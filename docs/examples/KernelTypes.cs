// Shared declarations for the examples in docs/rules/*.md.
// Every ```csharp block on a rule page compiles as a file of its own together with this file and
// src/Annotations/*.cs. The names follow the kernel (snake_case), as the port does.
// Primitive bodies are stubs: [NoLockAnalysis] keeps MM1008 from reporting them, their contracts
// still bind every caller.
#nullable enable
using System;
using MmLock;

// ---- page-table spaces and the ways their tables are freed (contract §2, kernel-rules A and D) ----
[assembly: PageTableSpace("kernel", LeafLock = new[] { "K.init_mm.page_table_lock" })]
[assembly: TableFreeing("kernel", "hot_remove",                  // arch_remove_memory -> free_empty_tables
    Holds = new[] { "exclusive K.mem_hotplug_lock" },
    ExcludedBy = new[] { "K.mem_hotplug_lock" },                 // get_online_mems() is enough
    When = "CONFIG_MEMORY_HOTREMOVE")]
[assembly: TableFreeing("kernel", "huge_vmap_collapse",          // pmd_free_pte_page / pud_free_pmd_page
    Holds = new[] { "shared K.init_mm.mmap_lock" },
    ExcludedBy = new[] { "exclusive K.init_mm.mmap_lock" },      // ptdump holds it for write
    When = "CONFIG_HAVE_ARCH_HUGE_VMAP")]
[assembly: PageTableSpace("hugetlb")]
[assembly: TableFreeing("hugetlb", "pmd_unshare",                // huge_pmd_unshare
    Holds = new[] { "any i_mmap_rwsem_t", "any hugetlb_vma_lock" },
    ExcludedBy = new[] { "any hugetlb_vma_lock", "any i_mmap_rwsem_t" },
    When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING")]

// ---- context types ----
[Context] public class rw_semaphore { }
public sealed class i_mmap_rwsem_t : rw_semaphore { }            // address_space.i_mmap_rwsem
public sealed class hugetlb_vma_lock : rw_semaphore { }          // vma->vm_private_data
[Context] public sealed class percpu_rw_semaphore { }
[Context] public sealed class mutex { }
[Context(Atomic = true)] public sealed class spinlock_t { }
[Context(Atomic = true, Reentrant = true)] public sealed class rcu_read_side { }
[Context(Atomic = true, Idempotent = true)] public sealed class irqs_disabled { }
[Context(Atomic = true)] public sealed class cpu_stopper { }
[Context(Atomic = true)] public sealed class boot_cpu_only { }

// ---- plain kernel data ----
public sealed class pgd_t { }
public sealed class pmd_t { public ulong val; }
public sealed class pte_t { public ulong val; }
public sealed class zone { [GuardedBy("K.mem_hotplug_lock")] public ulong present_pages; }
public sealed class page { public ulong flags; }

public sealed class mm_struct
{
    public readonly rw_semaphore mmap_lock = new rw_semaphore();
    public readonly spinlock_t page_table_lock = new spinlock_t();
    public pgd_t pgd = new pgd_t();
}

public sealed class address_space { public readonly i_mmap_rwsem_t i_mmap_rwsem = new i_mmap_rwsem_t(); }
public sealed class file_t { public readonly address_space f_mapping = new address_space(); }

public sealed class vm_area_struct
{
    public vm_area_struct(mm_struct mm) { vm_mm = mm; }
    public readonly mm_struct vm_mm;
    public readonly file_t vm_file = new file_t();
    public readonly hugetlb_vma_lock vm_private_data = new hugetlb_vma_lock();
    public ulong vm_start, vm_end, vm_flags;
}

/// <summary>Global contexts and global objects (token_context_lock in the kernel).</summary>
public static class K
{
    [AcquiredBefore("K.init_mm.mmap_lock")]
    public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
    public static readonly mm_struct init_mm = new mm_struct();
    public static readonly rcu_read_side RCU = new rcu_read_side();
    public static readonly irqs_disabled IRQ = new irqs_disabled();
    public static readonly cpu_stopper STOP_MACHINE = new cpu_stopper();
    public static readonly boot_cpu_only SINGLE_CPU_BOOT = new boot_cpu_only();
    public static readonly pgd_t swapper_pg_dir = new pgd_t();
    public const ulong PAGE_SIZE = 4096, PMD_SIZE = 2UL << 20;
    public const int EINTR = 4, EAGAIN = 11, ENOMEM = 12;
}

/// <summary>Runs with every other CPU stopped (the callback holds the stop_machine token).</summary>
[Requires("K.STOP_MACHINE")]
public delegate int cpu_stop_fn_t(object? data);

/// <summary>A scoped guard like the kernel's guard(...)(): disposing the local releases the context.</summary>
[ScopedGuard]
public readonly struct online_mems_guard : IDisposable
{
    [NoLockAnalysis("scoped guard: the analyzer models the release at the disposal of the local")]
    public void Dispose() => Kernel.put_online_mems();
}

public static class Kernel
{
    // mmap_lock
    [AcquiresShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_lock(mm_struct mm) { }
    [TryAcquiresShared(true, "mm.mmap_lock"), NoLockAnalysis("primitive")] public static bool mmap_read_trylock(mm_struct mm) => true;
    [TryAcquiresShared(0, "mm.mmap_lock"), NoLockAnalysis("primitive")] public static int mmap_read_lock_killable(mm_struct mm) => 0;
    [ReleasesShared("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_read_unlock(mm_struct mm) { }
    [Acquires("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_lock(mm_struct mm) { }
    [Releases("mm.mmap_lock"), NoLockAnalysis("primitive")] public static void mmap_write_unlock(mm_struct mm) { }
    [RequiresShared("mm.mmap_lock")] public static vm_area_struct? find_vma(mm_struct mm, ulong addr) => null;

    // spinlocks, RCU, IRQs, mutexes
    [Acquires("ptl"), NoLockAnalysis("primitive")] public static void spin_lock(spinlock_t ptl) { }
    [Releases("ptl"), NoLockAnalysis("primitive")] public static void spin_unlock(spinlock_t ptl) { }
    [Acquires("K.RCU"), NoLockAnalysis("primitive")] public static void rcu_read_lock() { }
    [Releases("K.RCU"), NoLockAnalysis("primitive")] public static void rcu_read_unlock() { }
    [MightSleep] public static void synchronize_rcu() { }
    [Acquires("K.IRQ"), NoLockAnalysis("primitive")] public static void local_irq_disable() { }
    [Releases("K.IRQ"), NoLockAnalysis("primitive")] public static void local_irq_enable() { }
    [Acquires("m"), NoLockAnalysis("primitive")] public static void mutex_lock(mutex m) { }
    [Releases("m"), NoLockAnalysis("primitive")] public static void mutex_unlock(mutex m) { }

    // memory hotplug (kernel-rules A)
    [AcquiresShared("K.mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void get_online_mems() { }
    [ReleasesShared("K.mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void put_online_mems() { }
    [AcquiresShared("K.mem_hotplug_lock")] public static online_mems_guard guard_online_mems() { get_online_mems(); return default; }
    [Excludes("K.mem_hotplug_lock"), Acquires("K.mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void mem_hotplug_begin() { }
    [Releases("K.mem_hotplug_lock"), NoLockAnalysis("primitive")] public static void mem_hotplug_done() { }

    // hugetlb (kernel-rules D)
    [AcquiresShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_lock_read(vm_area_struct vma) { }
    [ReleasesShared("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_unlock_read(vm_area_struct vma) { }
    [Acquires("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_lock_write(vm_area_struct vma) { }
    [Releases("vma.vm_private_data"), NoLockAnalysis("primitive")] public static void hugetlb_vma_unlock_write(vm_area_struct vma) { }
    [AcquiresShared("mapping.i_mmap_rwsem"), NoLockAnalysis("primitive")] public static void i_mmap_lock_read(address_space mapping) { }
    [ReleasesShared("mapping.i_mmap_rwsem"), NoLockAnalysis("primitive")] public static void i_mmap_unlock_read(address_space mapping) { }
    [PageTableWalker("hugetlb"), ReturnsGuarded] public static pte_t? huge_pte_offset(mm_struct mm, ulong addr, ulong sz) => null;
    [RequiresAny("vma.vm_private_data", "vma.vm_file.f_mapping.i_mmap_rwsem"), ReturnsGuarded]
    // Either alternative is an instance of a type huge_pte_offset's 'any T' accepts, so the lookup is covered.
    public static pte_t? hugetlb_walk(vm_area_struct vma, ulong addr, ulong sz) => huge_pte_offset(vma.vm_mm, addr, sz);
    public static ulong huge_ptep_get(pte_t ptep) => ptep.val;

    // kernel page tables (kernel-rules A and B)
    [PageTableWalker("kernel")] public static int walk_page_range_novma(mm_struct mm, ulong start, ulong end) => 0;
    [PageTableWalker("kernel", OwnsRange = true)] public static int walk_kernel_page_table_range_lockless(ulong start, ulong end) => 0;
    [TableFreer("kernel", "huge_vmap_collapse")] public static int pmd_free_pte_page(pmd_t pmd, ulong addr) => 1;
    [LeafModifier("kernel")] public static void set_pmd(pmd_t pmdp, ulong val) { pmdp.val = val; }
    [LeafModifier("kernel", OwnsRange = true)] public static int vmap_pte_range(pmd_t pmd, ulong addr, ulong end) => 0;
    [ReplacesLiveRoot("K.STOP_MACHINE", "K.SINGLE_CPU_BOOT")] public static void cpu_replace_ttbr1(pgd_t pgd) { }
    [MightSleep, NoLockAnalysis("primitive: runs fn on one CPU with all others stopped")]
    public static int stop_machine(cpu_stop_fn_t fn, object? data) => fn(data);

    // memmap of possibly-offline memory (kernel-rules C)
    public static page pfn_to_page(ulong pfn) => new page();
    [OnlineCheck] public static page? pfn_to_online_page(ulong pfn) => null;
    [ReadsMemmap("K.mem_hotplug_lock")] public static zone page_zone(page page) => new zone();
}
