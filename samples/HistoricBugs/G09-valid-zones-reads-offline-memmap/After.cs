// G9 fixed: an offline block reports the zones it could be onlined to without touching its memmap.
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G09.After;

public static class memory_g09
{
    public static string show_valid_zones(memory_block mem)
    {
        page? p = memory_hotplug.pfn_to_online_page(mem.start_pfn);
        if (p == null)
            return "Normal Movable";
        return mmzone.page_zone(p) == zone_type.ZONE_MOVABLE ? "Movable" : "Normal";
    }
}
