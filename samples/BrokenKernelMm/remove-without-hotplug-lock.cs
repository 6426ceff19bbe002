using MmLock;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;

namespace BrokenKernelMm
{
    /// <summary>
    /// Kernel-rules A: hot-remove tearing down the memmap, vmemmap and linear map (freeing kernel tables) under the device
    /// hotplug lock only, without mem_hotplug_begin(): walkers that hold get_online_mems() are not excluded.
    /// arch_remove_memory asserts the hotplug lock: lockdep reports it.
    /// </summary>
    internal static class remove_without_hotplug_lock
    {
        internal static readonly Variant variant = Variant.Replacing(
            "remove-without-hotplug-lock", "A", "try_remove_memory without mem_hotplug_begin(): tables freed while get_online_mems() holders walk",
            new[] { "MM1001", "MM1007" }, ViolationKind.NotHeld, _ => true, k => k.remove_memory, remove_memory);

        // mm/memory_hotplug.c remove_memory and try_remove_memory, mem_hotplug_begin()/mem_hotplug_done() removed.
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        private static int remove_memory(ulong start, ulong size)
        {
            memory_hotplug.lock_device_hotplug();
            ulong start_pfn = start >> ReferenceKernelMm.include.linux.pgtable.PAGE_SHIFT;
            ulong end_pfn = start_pfn + (size >> ReferenceKernelMm.include.linux.pgtable.PAGE_SHIFT);
            foreach (memory_block mem in memory_hotplug.memory_blocks.Values)
            {
                if (mem.start_pfn >= start_pfn && mem.start_pfn < end_pfn && mem.state != memory_block_state.MEM_OFFLINE) // expect: MM1007
                {
                    memory_hotplug.unlock_device_hotplug();
                    return memory_hotplug.EBUSY;
                }
            }
            foreach (ulong pfn in memory_hotplug.memory_blocks.Keys)
                if (pfn >= start_pfn && pfn < end_pfn)
                    memory_hotplug.memory_blocks.TryRemove(pfn, out _);
            mmu.arch_remove_memory(start, size); // expect: MM1001
            memory_hotplug.unlock_device_hotplug();
            return 0;
        }
    }
}
