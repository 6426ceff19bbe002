using System.Collections.Generic;
using System.Linq;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace ReferenceKernelMm.Stress
{
    // The kernel functions a variant may replace, as delegate types carrying the contract of the function they stand
    // for: calls through them are checked like calls to the function itself.

    /// <summary>ptdump_walk_pgd: takes its own locks.</summary>
    public delegate void ptdump_walk_pgd_fn(ptdump_state st, mm_struct mm);

    /// <summary>sysfs valid_zones of a memory block.</summary>
    public delegate string show_valid_zones_fn(memory_block mem);

    /// <summary>device_offline of a memory block; takes the device hotplug lock itself. Returns 0 or the error of offline_pages.</summary>
    [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
    public delegate int offline_memory_block_fn(memory_block mem);

    /// <summary>remove_memory; takes the device hotplug lock itself. Returns 0 or -EBUSY.</summary>
    [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
    public delegate int remove_memory_fn(ulong start, ulong size);

    /// <summary>hugetlb_follow_page_mask: called with the mmap lock held.</summary>
    [RequiresShared("vma.vm_mm.mmap_lock")]
    [MightSleep]
    public delegate ulong? hugetlb_follow_page_mask_fn(vm_area_struct vma, ulong address);

    /// <summary>ioremap: maps device memory in the vmalloc area; may sleep.</summary>
    [MightSleep]
    public delegate ulong ioremap_fn(ulong phys, ulong size);

    /// <summary>gup_fast: lockless, takes no lock.</summary>
    public delegate List<ulong> gup_fast_fn(mm_struct mm, ulong start, int nr_pages);

    /// <summary>One replaceable function, by its kernel name.</summary>
    public abstract class Slot
    {
        private protected Slot(string name) { this.name = name; }

        /// <summary>The kernel function's name.</summary>
        public readonly string name;
    }

    /// <summary>One replaceable function and the delegate the operations call.</summary>
    public sealed class Slot<T> : Slot where T : System.Delegate
    {
        internal Slot(string name, T fn) : base(name) { this.fn = fn; }

        /// <summary>What the operations call: the port's function, or a variant's copy.</summary>
        public T fn { get; internal set; }
    }

    /// <summary>The functions the operations call through slots; a variant replaces exactly one of them.</summary>
    public sealed class KernelFunctions
    {
        /// <summary>Every slot.</summary>
        public IEnumerable<Slot> slots => GetType().GetFields().Select(f => f.GetValue(this)).OfType<Slot>();

        /// <summary>ptdump_walk_pgd.</summary>
        public readonly Slot<ptdump_walk_pgd_fn> ptdump_walk_pgd = new("ptdump_walk_pgd", ptdump.ptdump_walk_pgd);

        /// <summary>show_valid_zones.</summary>
        public readonly Slot<show_valid_zones_fn> show_valid_zones = new("show_valid_zones", memory_hotplug.show_valid_zones);

        /// <summary>offline_memory_block.</summary>
        public readonly Slot<offline_memory_block_fn> offline_memory_block = new("offline_memory_block", memory_hotplug.offline_memory_block);

        /// <summary>remove_memory.</summary>
        public readonly Slot<remove_memory_fn> remove_memory = new("remove_memory", memory_hotplug.remove_memory);

        /// <summary>hugetlb_follow_page_mask.</summary>
        public readonly Slot<hugetlb_follow_page_mask_fn> hugetlb_follow_page_mask = new("hugetlb_follow_page_mask", hugetlb.hugetlb_follow_page_mask);

        /// <summary>ioremap.</summary>
        public readonly Slot<ioremap_fn> ioremap = new("ioremap", vmalloc.ioremap);

        /// <summary>gup_fast.</summary>
        public readonly Slot<gup_fast_fn> gup_fast = new("gup_fast", gup.gup_fast);
    }
}
