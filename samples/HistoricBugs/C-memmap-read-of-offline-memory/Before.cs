// Seed C (memmap of hot-added memory, 2017; s390): the memmap of memory that is not online is uninitialised
// (poisoned), and on s390 it does not exist until the memory is onlined. A /proc/kpageflags-style reader
// walked struct pages by pfn regardless, one word per pfn (here: whether the page is movable).
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using System.Collections.Generic;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.C.Before;

public static class proc_page_c
{
    public static List<bool> kpagemovable_read(ulong pfn, int count)
    {
        var words = new List<bool>();
        for (ulong end = pfn + (ulong)count; pfn < end; pfn++)
        {
            if (!mmzone.pfn_valid(pfn))
                continue;
            // expect MM2007 in all at `mmzone.page_zone(mmzone.pfn_to_page(pfn))`:
            //   Calling 'page_zone' reads the memmap of memory that may be offline: hold 'memory_hotplug.mem_hotplug_lock' or pass an [OnlineCheck] first
            words.Add(mmzone.page_zone(mmzone.pfn_to_page(pfn)) == zone_type.ZONE_MOVABLE);
        }
        return words;
    }
}
