// G8 fixed: the memmap is initialised and the block's state changed under the hotplug write lock.
using MmLock;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G08.After;

public static class memory_g08
{
    [Requires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
    public static void memory_block_online(memory_block mem)
    {
        memory_hotplug.mem_hotplug_begin();
        memory_hotplug.online_pages(mem.start_pfn, mem.nr_pages);
        mem.state = memory_block_state.MEM_ONLINE;
        memory_hotplug.mem_hotplug_done();
    }
}
