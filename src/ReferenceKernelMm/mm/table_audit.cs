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
