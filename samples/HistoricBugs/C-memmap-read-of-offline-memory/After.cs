// Seed C, as fixed upstream (fs/proc/page.c, 2019): pfn_to_online_page() returns null for memory that is not
// online, and only its struct page is read; offline pfns read as zero.
using System.Collections.Generic;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.C.After;

public static class proc_page_c
{
    public static List<bool> kpagemovable_read(ulong pfn, int count)
    {
        var words = new List<bool>();
        for (ulong end = pfn + (ulong)count; pfn < end; pfn++)
        {
            if (!mmzone.pfn_valid(pfn))
                continue;
            page? p = memory_hotplug.pfn_to_online_page(pfn);
            words.Add(p != null && mmzone.page_zone(p) == zone_type.ZONE_MOVABLE);
        }
        return words;
    }
}
