using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.mm
{
    /// <summary>
    /// The page allocator, for kernel pages (page tables) only. They come from boot memory (ZONE_NORMAL);
    /// hot-added memory is movable and never holds them, which is what lets it be offlined.
    /// </summary>
    public static class page_alloc
    {
        private static readonly object zone_lock = new();
        // All free pfns, and the recently freed ones on top (the per-CPU hot list): a freed page is handed out
        // again first, which is what turns a stale reference into a visible reuse.
        private static readonly SortedSet<ulong> free_set = init();
        private static readonly Stack<ulong> hot = new();

        private static SortedSet<ulong> init()
        {
            mmzone.memblock_init();
            var free = new SortedSet<ulong>();
            // pfn 0 stays reserved so that a zero entry never names a real table.
            for (ulong pfn = 1; pfn < mmzone.BOOT_MEMORY >> pgtable.PAGE_SHIFT; pfn++)
                free.Add(pfn);
            return free;
        }

        /// <summary>Pages left.</summary>
        public static int nr_free_pages()
        {
            lock (zone_lock)
                return free_set.Count;
        }

        /// <summary>Allocates a zeroed page (GFP_KERNEL: may sleep).</summary>
        [MightSleep]
        public static FrameRef get_zeroed_page(string op)
        {
            lockdep.might_sleep();
            ulong pfn;
            lock (zone_lock)
            {
                if (free_set.Count == 0)
                    throw ViolationLog.Report(ViolationKind.Bug, "out of memory for kernel pages");
                // Entries of the hot list taken meanwhile by a contiguous allocation are skipped.
                while (hot.Count > 0 && !free_set.Contains(hot.Peek()))
                    hot.Pop();
                pfn = hot.Count > 0 ? hot.Pop() : free_set.Min;
                free_set.Remove(pfn);
            }
            return PhysMem.allocate(PhysMem.frame(pfn), op);
        }

        /// <summary>Allocates 2^<paramref name="order"/> physically contiguous, naturally aligned pages, or null when none are free (alloc_pages with __GFP_NORETRY).</summary>
        [MightSleep]
        public static ulong? alloc_pages_exact(int order, string op)
        {
            lockdep.might_sleep();
            ulong nr = 1UL << order;
            ulong start;
            lock (zone_lock)
            {
                ulong run = 0;
                start = 0;
                foreach (ulong pfn in free_set)
                {
                    if (run > 0 && pfn == start + run)
                        run++;
                    else if (pfn % nr == 0)
                        (start, run) = (pfn, 1);
                    else
                        run = 0;
                    if (run == nr)
                        break;
                }
                if (run != nr)
                    return null;
                for (ulong pfn = start; pfn < start + nr; pfn++)
                    free_set.Remove(pfn);
            }
            for (ulong pfn = start; pfn < start + nr; pfn++)
                PhysMem.allocate(PhysMem.frame(pfn), op);
            return start;
        }

        /// <summary>Frees a page; its frame is poisoned so later accesses are reported with this free.</summary>
        public static void free_page(FrameRef page, string op)
        {
            PhysMem.free(page, op);
            lock (zone_lock)
            {
                free_set.Add(page.pfn);
                hot.Push(page.pfn);
            }
        }

        /// <summary>Allocates a page-table page and marks its struct page (pagetable_alloc); may sleep.</summary>
        [MightSleep]
        public static FrameRef pagetable_alloc(string op)
        {
            FrameRef f = get_zeroed_page(op);
            page p = mmzone.pfn_to_page(f.pfn);
            p.page_table = true;
            p.pt_share_count = 0;
            p.ptl = new spinlock_t("ptlock");
            return f;
        }

        /// <summary>Frees a page-table page (pagetable_free).</summary>
        public static void pagetable_free(FrameRef table, string op)
        {
            page p = mmzone.pfn_to_page(table.pfn);
            ViolationLog.BUG_ON(!p.page_table, $"pagetable_free of pfn 0x{table.pfn:x}, which is not a page table");
            ViolationLog.BUG_ON(p.pt_share_count != 0, $"freeing page table pfn 0x{table.pfn:x} still shared by {p.pt_share_count} mms");
            p.page_table = false;
            p.ptl = null;
            free_page(table, op);
        }
    }
}
