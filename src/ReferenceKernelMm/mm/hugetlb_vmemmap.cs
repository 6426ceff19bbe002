#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.locking;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>Called for each vmemmap PTE of a remapped range.</summary>
    internal delegate void vmemmap_remap_pte_fn(pXd_t pte, ulong addr);

    /// <summary>
    /// HugeTLB vmemmap optimisation (mm/hugetlb_vmemmap.c): the struct pages of a 2 MiB huge page fill 8 vmemmap
    /// pages; the 7 tail pages are remapped read-only to the first and freed, and restored before the huge page
    /// is dissolved. It rewrites live kernel PTEs and may split a vmemmap PMD, but frees no table page.
    /// </summary>
    public static class hugetlb_vmemmap
    {
        /// <summary>vmemmap pages that describe one huge page.</summary>
        public const int HUGETLB_VMEMMAP_PAGES = (int)(hugetlb.HPAGE_SIZE / PAGE_SIZE * STRUCT_PAGE_SIZE / PAGE_SIZE);

        /// <summary>Frees the tail vmemmap pages of the huge page at <paramref name="head_pfn"/>; returns how many.</summary>
        [MightSleep]
        public static int hugetlb_vmemmap_optimize_folio(ulong head_pfn)
        {
            ulong reuse = pfn_to_vmemmap(head_pfn);
            ulong reuse_pfn = 0;
            var freed = new List<ulong>();
            vmemmap_remap_range(reuse, reuse + HUGETLB_VMEMMAP_PAGES * PAGE_SIZE, (pte, addr) =>
            {
                ulong pfn = entry_pfn(pte.read());
                if (addr == reuse)
                {
                    reuse_pfn = pfn;
                    return;
                }
                freed.Add(pfn);
                pte.write(pfn_entry(reuse_pfn, PAGE_KERNEL_RO));
            });
            // Freed only after the flush in vmemmap_remap_range: no CPU can still reach them through its TLB.
            foreach (ulong pfn in freed)
                page_alloc.free_page(PhysMem.current_ref(pfn), "vmemmap_remap_free");
            return freed.Count;
        }

        /// <summary>Gives the huge page at <paramref name="head_pfn"/> its own tail vmemmap pages again (vmemmap_remap_alloc).</summary>
        [MightSleep]
        public static void hugetlb_vmemmap_restore_folio(ulong head_pfn)
        {
            ulong reuse = pfn_to_vmemmap(head_pfn);
            var pages = new Queue<FrameRef>();
            for (int i = 1; i < HUGETLB_VMEMMAP_PAGES; i++)
                pages.Enqueue(page_alloc.get_zeroed_page("vmemmap_remap_alloc"));
            vmemmap_remap_range(reuse + PAGE_SIZE, reuse + HUGETLB_VMEMMAP_PAGES * PAGE_SIZE,
                (pte, _) => pte.write(pfn_entry(pages.Dequeue().pfn, PAGE_KERNEL)));
        }

        /// <summary>
        /// Rewrites the vmemmap PTEs of [start, end), then flushes. init_mm's mmap lock is taken for read as in
        /// the kernel, but it is not what makes this safe: the caller owns the range (the vmemmap of a huge page
        /// it holds, which hot-remove dissolves first, under the hotplug lock), so the walk is an owner's.
        /// </summary>
        [MightSleep]
        private static void vmemmap_remap_range(ulong start, ulong end, vmemmap_remap_pte_fn remap)
        {
            mmap_lock.mmap_read_lock(K.init_mm);
            vmemmap_remap_walk(start, end, remap);
            mmap_lock.mmap_read_unlock(K.init_mm);
            arch.tlbflush.flush_tlb_kernel_range(start, end);
        }

        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        [MightSleep]
        private static void vmemmap_remap_walk(ulong start, ulong end, vmemmap_remap_pte_fn remap)
        {
            for (ulong addr = start; addr < end; addr += PAGE_SIZE)
            {
                pXd_t pmd = pxd_offset(pxd_offset(pgd_offset_k(addr), addr), addr);
                if (pxd_leaf(pmd.read(), pt_level.pmd))
                    vmemmap_split_pmd(pmd);
                remap(pxd_offset(pmd, addr), addr);
            }
        }

        // Replaces a PMD block with a PTE table mapping the same pages; populating the entry takes init_mm.page_table_lock.
        [MightSleep]
        private static void vmemmap_split_pmd(pXd_t pmd)
        {
            pgtable_t table = table_alloc(pt_level.pte, "vmemmap_split_pmd");
            bool used = false;
            spin_lock(K.init_mm.page_table_lock);
            ulong leaf = pmd.read();
            if (pxd_leaf(leaf, pt_level.pmd))
            {
                for (int i = 0; i < PTRS_PER_TABLE; i++)
                    table.entry(i).write(pfn_entry(entry_pfn(leaf) + (ulong)i, PAGE_KERNEL));
                memory.pxd_populate(K.init_mm, pmd, table_entry(table));
                used = true;
            }
            spin_unlock(K.init_mm.page_table_lock);
            if (!used)
                table_free(table, "vmemmap_split_pmd (lost the race)");
        }
    }
}
#endif
