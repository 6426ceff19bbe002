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
        private static readonly Stack<ulong> free_list = init();

        private static Stack<ulong> init()
        {
            mmzone.memblock_init();
            var free = new Stack<ulong>();
            // pfn 0 stays reserved so that a zero entry never names a real table.
            for (ulong pfn = (mmzone.BOOT_MEMORY >> pgtable.PAGE_SHIFT) - 1; pfn > 0; pfn--)
                free.Push(pfn);
            return free;
        }

        /// <summary>Pages left.</summary>
        public static int nr_free_pages()
        {
            lock (zone_lock)
                return free_list.Count;
        }

        /// <summary>Allocates a zeroed page (GFP_KERNEL: may sleep).</summary>
        [MightSleep]
        public static FrameRef get_zeroed_page(string op)
        {
            lockdep.might_sleep();
            ulong pfn;
            lock (zone_lock)
            {
                if (free_list.Count == 0)
                    throw ViolationLog.Report(ViolationKind.Bug, "out of memory for kernel pages");
                pfn = free_list.Pop();
            }
            return PhysMem.allocate(PhysMem.frame(pfn), op);
        }

        /// <summary>Frees a page; its frame is poisoned so later accesses are reported with this free.</summary>
        public static void free_page(FrameRef page, string op)
        {
            PhysMem.free(page, op);
            lock (zone_lock)
                free_list.Push(page.pfn);
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
