// G8: onlining a memory block initialised its memmap (on s390 also created it, MEMMAP_ON_ONLINE) under the device
// hotplug lock only, outside mem_hotplug_lock: memmap readers and the other hotplug operations, which rely on the
// hotplug lock, raced with it. Fix: memory_block_online/offline take mem_hotplug_begin() (write).
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using MmLock;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G08.Before;

public static class memory_g08
{
    [Requires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
    public static void memory_block_online(memory_block mem)
    {
        // expect MM1001 in all:
        //   Calling 'online_pages' requires holding 'memory_hotplug.mem_hotplug_lock' exclusively
        memory_hotplug.online_pages(mem.start_pfn, mem.nr_pages);
        // expect MM1007 in all at `mem.state`:
        //   Writing 'state' requires holding 'memory_hotplug.mem_hotplug_lock' exclusively
        mem.state = memory_block_state.MEM_ONLINE;
    }
}
