using MmLock;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;

namespace BrokenKernelMm
{
    /// <summary>
    /// Bug G8: offlining a memory block (memmap deinit; on s390 the vmemmap teardown, which frees kernel tables) under the
    /// device hotplug lock only, without mem_hotplug_begin(). offline_pages asserts the hotplug lock: lockdep reports it.
    /// </summary>
    internal static class offline_without_hotplug_lock
    {
        internal static readonly Variant variant = Variant.Replacing(
            "offline-without-hotplug-lock", "G8", "offline_memory_block without mem_hotplug_begin(): memmap teardown outside mem_hotplug_lock",
            new[] { "MM1001", "MM1007" }, ViolationKind.NotHeld, _ => true, k => k.offline_memory_block, offline_memory_block);

        // mm/memory_hotplug.c offline_memory_block, mem_hotplug_begin()/mem_hotplug_done() removed.
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        private static int offline_memory_block(memory_block mem)
        {
            memory_hotplug.lock_device_hotplug();
            int ret = 0;
            if (mem.state == memory_block_state.MEM_ONLINE) // expect: MM1007
            {
                ret = memory_hotplug.offline_pages(mem.start_pfn, mem.nr_pages); // expect: MM1001
                if (ret == 0)
                    mem.state = memory_block_state.MEM_OFFLINE; // expect: MM1007
            }
            memory_hotplug.unlock_device_hotplug();
            return ret;
        }
    }
}
