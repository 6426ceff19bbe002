// G9: sysfs memoryN/valid_zones read the zone of the block's first struct page also when the block was offline.
// The memmap of offline memory is uninitialised (poisoned), on s390 absent, and the memory may be being removed.
// Fix: check the online state first; pfn_to_online_page() returns null for offline memory.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G09.Before;

public static class memory_g09
{
    public static string show_valid_zones(memory_block mem)
    {
        // expect MM2007 in all at `mmzone.page_zone(mmzone.pfn_to_page(mem.start_pfn))`:
        //   Calling 'page_zone' reads the memmap of memory that may be offline: hold 'memory_hotplug.mem_hotplug_lock' or pass an [OnlineCheck] first
        return mmzone.page_zone(mmzone.pfn_to_page(mem.start_pfn)) == zone_type.ZONE_MOVABLE ? "Movable" : "Normal";
    }
}
