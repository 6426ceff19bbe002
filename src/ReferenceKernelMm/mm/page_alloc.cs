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

        /// <summary>
        /// fail_page_alloc: fails the allocations whose callers handle failure (<see cref="try_get_zeroed_page"/>,
        /// <see cref="try_pagetable_alloc"/>, <see cref="alloc_pages_exact"/>); the others are __GFP_NOFAIL. Disabled unless set up.
        /// </summary>
        public static readonly lib.fault_attr fail_page_alloc = new("fail_page_alloc");

        /// <summary>Allocates a zeroed page that must not fail (GFP_KERNEL | __GFP_NOFAIL: may sleep).</summary>
        [MightSleep]
        public static FrameRef get_zeroed_page(string op)
        {
            lockdep.might_sleep();
            return try_get_zeroed_page(op, nofail: true)!.Value;
        }

        /// <summary>Allocates a zeroed page (get_zeroed_page, GFP_KERNEL: may sleep), or null when it fails (fail_page_alloc).</summary>
        [MightSleep]
        public static FrameRef? try_get_zeroed_page(string op) => try_get_zeroed_page(op, nofail: false);

        [MightSleep]
        private static FrameRef? try_get_zeroed_page(string op, bool nofail)
        {
            lockdep.might_sleep();
            if (!nofail && fail_page_alloc.should_fail())
                return null;
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
            if (fail_page_alloc.should_fail())
                return null;
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

        /// <summary>Allocates a page-table page that must not fail (__GFP_NOFAIL) and marks its struct page (pagetable_alloc); may sleep.</summary>
        [MightSleep]
        public static FrameRef pagetable_alloc(string op) => pagetable_ctor(get_zeroed_page(op));

        /// <summary>pagetable_alloc as the kernel's callers see it: null when the allocation fails (fail_page_alloc); may sleep.</summary>
        [MightSleep]
        public static FrameRef? try_pagetable_alloc(string op) => try_get_zeroed_page(op) is FrameRef f ? pagetable_ctor(f) : null;

        private static FrameRef pagetable_ctor(FrameRef f)
        {
            page p = mmzone.pfn_to_page(f.pfn);
            p.page_table = true;
            p.pt_share_count = 0;
            p.ptl = new spinlock_t("ptlock");
            return f;
        }

        /// <summary>
        /// The allocator's accounting against the frames (the end-of-run check): a pfn is free in the allocator exactly
        /// when its frame is not allocated. Returns the problems found; run it when nothing else allocates.
        /// </summary>
        public static List<string> check_accounting()
        {
            var problems = new List<string>();
            lock (zone_lock)
            {
                for (ulong pfn = 1; pfn < mmzone.BOOT_MEMORY >> pgtable.PAGE_SHIFT; pfn++)
                {
                    bool allocated = PhysMem.frame(pfn).allocated;
                    if (allocated == free_set.Contains(pfn))
                        problems.Add($"pfn 0x{pfn:x}: {(allocated ? "allocated, but on the free list" : "free, but not on the free list")}");
                }
            }
            return problems;
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
