using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>
    /// The end-of-run check of every page table (in the spirit of CONFIG_PAGE_TABLE_CHECK and kmemleak): walks the tables
    /// under each root and compares them with the allocator. A table that is allocated but reachable from no root was
    /// leaked; an entry naming a page that is free or not a page table is a table freed while still linked (a double
    /// free waiting to happen); a table linked more than once must be a shared hugetlb PMD table whose share count says so.
    /// </summary>
    public static class table_audit
    {
        /// <summary>Page-table pages allocated now, by pfn (boot memory holds every page table).</summary>
        public static HashSet<ulong> allocated_tables()
        {
            var tables = new HashSet<ulong>();
            for (ulong pfn = 1; pfn < mmzone.BOOT_MEMORY >> PAGE_SHIFT; pfn++)
                if (mmzone.pfn_to_page(pfn).page_table)
                    tables.Add(pfn);
            return tables;
        }

        /// <summary>
        /// The problems found under <paramref name="roots"/>, empty when there are none. Tables in <paramref name="outside"/>
        /// (allocated before the audited run began, under roots it does not name) are not counted as leaked. Run it when
        /// nothing else runs: every other CPU offline, RCU callbacks done.
        /// </summary>
        [NoLockAnalysis("end-of-run audit: nothing else runs, RCU callbacks are done; reads the tables as data")]
        public static List<string> check(IEnumerable<mm_struct> roots, ISet<ulong>? outside = null)
        {
            var problems = new List<string>();
            var refs = new Dictionary<ulong, int>();
            foreach (mm_struct mm in roots)
            {
                ViolationLog.BUG_ON(!mm.pgd.page.valid, $"table_audit: the pgd of {mm} was freed");
                refs[mm.pgd.page.pfn] = refs.GetValueOrDefault(mm.pgd.page.pfn) + 1;
                walk(mm, mm.pgd, refs, problems);
            }
            foreach ((ulong pfn, int n) in refs)
            {
                page p = mmzone.pfn_to_page(pfn);
                if (n > 1 && p.page_table && p.pt_share_count != n - 1)
                    problems.Add($"table pfn 0x{pfn:x} is linked {n} times but shared by {p.pt_share_count} more mms");
            }
            foreach (ulong pfn in allocated_tables())
                if (!refs.ContainsKey(pfn) && (outside == null || !outside.Contains(pfn)))
                    problems.Add($"table pfn 0x{pfn:x} leaked: allocated by {PhysMem.frame(pfn).alloc_track?.Op ?? "?"}, linked from no root");
            return problems;
        }

        /// <summary>
        /// The reverse-map check of hugetlb pages under the user mms <paramref name="roots"/>: every huge page's mapcount
        /// must equal the huge PTEs that map it (a PTE of a shared PMD table counted once). A count above the PTEs is a
        /// mapping lost (a set that overwrote another's, a clear nobody accounted); below, a PTE nobody accounted.
        /// Pages in <paramref name="outside"/> (mapped before the audited run, by mms it does not name) are skipped.
        /// </summary>
        [NoLockAnalysis("end-of-run audit: nothing else runs; reads the tables as data")]
        public static List<string> check_rmap(IEnumerable<mm_struct> roots, ISet<ulong>? outside = null)
        {
            var problems = new List<string>();
            var mapped = new Dictionary<ulong, int>();
            var seen = new HashSet<ulong>();
            foreach (mm_struct mm in roots)
            {
                for (int g = 0; g < PTRS_PER_TABLE; g++)
                {
                    ulong pgd = mm.pgd.entry(g).read();
                    if (!pxd_table(pgd, pt_level.pgd))
                        continue;
                    var pud = new pgtable_t(PhysMem.current_ref(entry_pfn(pgd)), pt_level.pud);
                    for (int u = 0; u < PTRS_PER_TABLE; u++)
                    {
                        ulong e = pud.entry(u).read();
                        if (!pxd_table(e, pt_level.pud) || !seen.Add(entry_pfn(e)))
                            continue;
                        var pmd = new pgtable_t(PhysMem.current_ref(entry_pfn(e)), pt_level.pmd);
                        for (int i = 0; i < PTRS_PER_TABLE; i++)
                        {
                            ulong leaf = pmd.entry(i).read();
                            if (pxd_leaf(leaf, pt_level.pmd))
                                mapped[entry_pfn(leaf)] = mapped.GetValueOrDefault(entry_pfn(leaf)) + 1;
                        }
                    }
                }
            }
            Dictionary<ulong, int> counts = hugetlb.folio_mapcounts();
            foreach ((ulong pfn, int n) in counts)
                if (n != mapped.GetValueOrDefault(pfn) && (outside == null || !outside.Contains(pfn)))
                    problems.Add($"huge page pfn 0x{pfn:x}: mapcount {n}, mapped by {mapped.GetValueOrDefault(pfn)} huge PTEs");
            foreach ((ulong pfn, int n) in mapped)
                if (!counts.ContainsKey(pfn))
                    problems.Add($"huge page pfn 0x{pfn:x}: mapped by {n} huge PTEs, mapcount 0");
            return problems;
        }

        /// <summary>
        /// The page allocator's side of the audit: its free list agrees with the frames (<see cref="page_alloc.check_accounting"/>),
        /// and every allocated page of boot memory is a page table or backs the vmemmap (a leaf of init_mm's vmemmap range);
        /// any other is leaked, as a failed hot-add that did not free its vmemmap pages leaves them. Pages in
        /// <paramref name="outside"/> (allocated before the audited run, for other uses) are skipped. Run it when nothing else runs.
        /// </summary>
        [NoLockAnalysis("end-of-run audit: nothing else runs; reads the tables as data")]
        public static List<string> check_pages(ISet<ulong>? outside = null)
        {
            List<string> problems = page_alloc.check_accounting();
            var backing = new HashSet<ulong>();
            collect_leaves(K.init_mm.pgd, mm_layout.VMEMMAP_START, mm_layout.VMEMMAP_END, backing);
            for (ulong pfn = 1; pfn < mmzone.BOOT_MEMORY >> PAGE_SHIFT; pfn++)
            {
                Frame f = PhysMem.frame(pfn);
                if (f.allocated && !mmzone.pfn_to_page(pfn).page_table && !backing.Contains(pfn) && (outside == null || !outside.Contains(pfn)))
                    problems.Add($"page pfn 0x{pfn:x} leaked: allocated by {f.alloc_track?.Op ?? "?"}, neither a page table nor mapped in the vmemmap");
            }
            return problems;
        }

        /// <summary>
        /// The end-of-run lock check: the port's global locks and those of <paramref name="mms"/> are all free. A walker
        /// stopped part-way or a hot-add or hot-remove that rolled back must have released what it took on its error path.
        /// </summary>
        public static List<string> check_locks(IEnumerable<mm_struct> mms)
        {
            var problems = new List<string>();
            void sem(string name, bool locked) { if (locked) problems.Add($"{name} is still held"); }
            sem("device_hotplug_lock", locking.mutex_is_locked(memory_hotplug.device_hotplug_lock));
            sem("fixmap_lock", locking.mutex_is_locked(arch.arm64.mm.mmu.fixmap_lock));
            sem("mem_hotplug_lock", locking.percpu_rwsem_is_locked(memory_hotplug.mem_hotplug_lock));
            sem("cpu_hotplug_lock", locking.percpu_rwsem_is_locked(kernel.cpu.cpu_hotplug_lock));
            sem("vmap_area_lock", locking.spin_is_locked(vmalloc.vmap_area_lock));
            foreach (mm_struct mm in mms)
            {
                sem($"{mm}.mmap_lock", locking.rwsem_is_locked(mm.mmap_lock));
                sem($"{mm}.page_table_lock", locking.spin_is_locked(mm.page_table_lock));
            }
            return problems;
        }

        /// <summary>Pages allocated now in boot memory that are not page tables (for a test's <c>outside</c> set).</summary>
        public static HashSet<ulong> allocated_pages()
        {
            var pages = new HashSet<ulong>();
            for (ulong pfn = 1; pfn < mmzone.BOOT_MEMORY >> PAGE_SHIFT; pfn++)
                if (PhysMem.frame(pfn).allocated && !mmzone.pfn_to_page(pfn).page_table)
                    pages.Add(pfn);
            return pages;
        }

        // Every pfn mapped by a leaf of [start, end) under root (a huge leaf counts each page it maps).
        private static void collect_leaves(pgtable_t root, ulong start, ulong end, HashSet<ulong> pfns)
        {
            for (ulong addr = start, next; addr < end; addr = next)
            {
                pXd_t e = root.entry(index(addr, pt_level.pgd));
                next = addr_end(addr, end, pt_level.pgd);
                collect_entry(e, addr, next, pfns);
            }
        }

        private static void collect_entry(pXd_t e, ulong addr, ulong end, HashSet<ulong> pfns)
        {
            ulong v = e.read();
            if (pxd_leaf(v, e.level))
            {
                for (ulong i = 0; i < level_size(e.level) / PAGE_SIZE; i++)
                    pfns.Add(entry_pfn(v) + i);
                return;
            }
            if (!pxd_table(v, e.level))
                return;
            for (ulong next; addr < end; addr = next)
            {
                pXd_t child = pxd_offset(e, addr);
                next = addr_end(addr, end, child.level);
                collect_entry(child, addr, next, pfns);
            }
        }

        private static void walk(mm_struct mm, pgtable_t table, Dictionary<ulong, int> refs, List<string> problems)
        {
            if (table.level == pt_level.pte)
                return;
            for (int i = 0; i < PTRS_PER_TABLE; i++)
            {
                ulong e = table.entry(i).read();
                if (!pxd_table(e, table.level))
                    continue;
                ulong pfn = entry_pfn(e);
                Frame f = PhysMem.frame(pfn);
                if (!f.allocated || !mmzone.pfn_to_page(pfn).page_table)
                {
                    problems.Add($"{mm}: {table.level} entry {i} of table pfn 0x{table.page.pfn:x} points to pfn 0x{pfn:x}, " +
                        (f.allocated ? "which is not a page table" : $"freed by {f.free_track?.Op ?? "?"}"));
                    continue;
                }
                int seen = refs.GetValueOrDefault(pfn);
                refs[pfn] = seen + 1;
                if (seen == 0)
                    walk(mm, new pgtable_t(PhysMem.current_ref(pfn), table.level + 1), refs, problems);
            }
        }
    }
}
