using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>Page-table levels, top down (no p4d: 4-level paging).</summary>
    public enum pt_level
    {
        /// <summary>Top level.</summary>
        pgd,
        /// <summary>Maps 1 GiB per entry.</summary>
        pud,
        /// <summary>Maps 2 MiB per entry.</summary>
        pmd,
        /// <summary>Maps 4 KiB per entry.</summary>
        pte,
    }

    /// <summary>One page-table page at a level: a reference to the frame allocation that holds its 512 entries.</summary>
    public readonly struct pgtable_t
    {
        internal pgtable_t(FrameRef page, pt_level level) { this.page = page; this.level = level; }

        /// <summary>The backing page; every access checks it was not freed.</summary>
        public readonly FrameRef page;

        /// <summary>The table's level.</summary>
        public readonly pt_level level;

        /// <summary>A pointer to entry <paramref name="index"/>.</summary>
        public pXd_t entry(int index) => new(this, index);
    }

    /// <summary>A pointer to one entry (the kernel's <c>pgd_t *</c> … <c>pte_t *</c>).</summary>
    public readonly struct pXd_t
    {
        internal pXd_t(pgtable_t table, int index) { this.table = table; this.index = index; }

        /// <summary>The table holding the entry.</summary>
        public readonly pgtable_t table;

        /// <summary>The entry's index in its table.</summary>
        public readonly int index;

        /// <summary>The entry's level.</summary>
        public pt_level level => table.level;

        /// <summary>Reads the entry (READ_ONCE).</summary>
        public ulong read() => table.page.read(index);

        /// <summary>Writes the entry (WRITE_ONCE / set_pXd).</summary>
        public void write(ulong value) => table.page.write(index, value);

        /// <summary>
        /// The split lock of the table holding the entry (pmd_lockptr, huge_pte_lockptr). It lives with the table page, so
        /// reaching it through a table that was freed is a use-after-free, as with the kernel's allocated ptlocks.
        /// </summary>
        public spinlock_t ptl
        {
            get
            {
                table.page.check("ptl", index);
                return mmzone.pfn_to_page(table.page.pfn).ptl!;
            }
        }
    }

    /// <summary>Entry encoding, geometry and the table accessors (pgd_offset … pte_offset_kernel).</summary>
    public static class pgtable
    {
        /// <summary>log2 of the page size.</summary>
        public const int PAGE_SHIFT = 12;
        /// <summary>Bytes per page.</summary>
        public const ulong PAGE_SIZE = 1UL << PAGE_SHIFT;
        /// <summary>Shift of the pmd level.</summary>
        public const int PMD_SHIFT = 21;
        /// <summary>Shift of the pud level.</summary>
        public const int PUD_SHIFT = 30;
        /// <summary>Shift of the pgd level.</summary>
        public const int PGDIR_SHIFT = 39;
        /// <summary>Entries per table at every level.</summary>
        public const int PTRS_PER_TABLE = 512;
        /// <summary>Bytes mapped by one pmd entry.</summary>
        public const ulong PMD_SIZE = 1UL << PMD_SHIFT;
        /// <summary>Bytes mapped by one pud entry.</summary>
        public const ulong PUD_SIZE = 1UL << PUD_SHIFT;
        /// <summary>Bytes mapped by one pgd entry.</summary>
        public const ulong PGDIR_SIZE = 1UL << PGDIR_SHIFT;

        /// <summary>Entry is valid.</summary>
        public const ulong _PAGE_PRESENT = 1UL << 0;
        /// <summary>At pgd/pud/pmd: the entry points to a next-level table (clear: a huge leaf).</summary>
        public const ulong _PAGE_TABLE = 1UL << 1;
        /// <summary>Writable.</summary>
        public const ulong _PAGE_RW = 1UL << 2;
        /// <summary>Not executable.</summary>
        public const ulong _PAGE_NX = 1UL << 63;
        private const ulong PFN_MASK = 0x000f_ffff_ffff_f000UL;

        /// <summary>Read-only kernel data.</summary>
        public const ulong PAGE_KERNEL_RO = _PAGE_PRESENT | _PAGE_NX;
        /// <summary>Read-only kernel text: executable.</summary>
        public const ulong PAGE_KERNEL_ROX = _PAGE_PRESENT;
        /// <summary>Normal kernel data: RW, NX.</summary>
        public const ulong PAGE_KERNEL = _PAGE_PRESENT | _PAGE_RW | _PAGE_NX;

        /// <summary>Size one entry maps at a level.</summary>
        public static ulong level_size(pt_level l) => l switch
        {
            pt_level.pgd => PGDIR_SIZE,
            pt_level.pud => PUD_SIZE,
            pt_level.pmd => PMD_SIZE,
            _ => PAGE_SIZE,
        };

        /// <summary>Index of <paramref name="addr"/> in a table of level <paramref name="l"/>.</summary>
        public static int index(ulong addr, pt_level l) => (int)((addr / level_size(l)) % PTRS_PER_TABLE);

        /// <summary>Entry value for a leaf mapping <paramref name="pfn"/>.</summary>
        public static ulong pfn_entry(ulong pfn, ulong prot) => (pfn << PAGE_SHIFT) & PFN_MASK | prot;

        /// <summary>pfn an entry points to.</summary>
        public static ulong entry_pfn(ulong e) => (e & PFN_MASK) >> PAGE_SHIFT;

        /// <summary>pXd_none.</summary>
        public static bool pxd_none(ulong e) => e == 0;

        /// <summary>pXd_present.</summary>
        public static bool pxd_present(ulong e) => (e & _PAGE_PRESENT) != 0;

        /// <summary>pXd_leaf: a huge mapping at pud/pmd, every present pte.</summary>
        public static bool pxd_leaf(ulong e, pt_level l) => pxd_present(e) && (l == pt_level.pte || (e & _PAGE_TABLE) == 0);

        /// <summary>pXd_table: points to a next-level table.</summary>
        public static bool pxd_table(ulong e, pt_level l) => l != pt_level.pte && pxd_present(e) && (e & _PAGE_TABLE) != 0;

        /// <summary>The next-level table an entry points to (pud_pgtable, pmd_page_vaddr …); reported when that page was freed.</summary>
        public static pgtable_t next_table(pXd_t entry) => table_of(entry.read(), entry.level);

        private static pgtable_t table_of(ulong e, pt_level level)
        {
            ViolationLog.BUG_ON(!pxd_table(e, level), $"{level} entry 0x{e:x} is not a table");
            FrameRef r = PhysMem.current_ref(entry_pfn(e));
            // Following a stale entry into a freed table is the use-after-free KASAN would report.
            r.check("walk into", 0);
            return new pgtable_t(r, level + 1);
        }

        /// <summary>pgd_offset: the pgd entry of <paramref name="addr"/> in <paramref name="mm"/>.</summary>
        public static pXd_t pgd_offset(mm_struct mm, ulong addr) => mm.pgd.entry(index(addr, pt_level.pgd));

        /// <summary>pgd_offset_k: the pgd entry in swapper_pg_dir.</summary>
        public static pXd_t pgd_offset_k(ulong addr) => pgd_offset(K.init_mm, addr);

        /// <summary>The entry of <paramref name="addr"/> in the table <paramref name="upper"/> points to (pud_offset, pmd_offset, pte_offset_kernel).</summary>
        public static pXd_t pxd_offset(pXd_t upper, ulong addr)
        {
            pgtable_t t = next_table(upper);
            return t.entry(index(addr, t.level));
        }

        /// <summary>
        /// The entry of <paramref name="addr"/> in the table that <paramref name="value"/>, read once from a
        /// <paramref name="level"/> entry, points to (pud_offset_lockless, pmd_offset_lockless): a reader that does not
        /// keep the entry from changing uses the value it read, so a concurrent change makes it stale, not inconsistent.
        /// </summary>
        public static pXd_t pxd_offset_lockless(ulong value, pt_level level, ulong addr)
        {
            pgtable_t t = table_of(value, level);
            return t.entry(index(addr, t.level));
        }

        /// <summary>Allocates a table page for level <paramref name="l"/> (GFP_KERNEL: may sleep).</summary>
        [MmLock.MightSleep]
        public static pgtable_t table_alloc(pt_level l, string op) => new(page_alloc.pagetable_alloc(op), l);

        /// <summary>Frees a table page.</summary>
        public static void table_free(pgtable_t t, string op) => page_alloc.pagetable_free(t.page, op);

        /// <summary>Entry value pointing to table <paramref name="t"/>.</summary>
        public static ulong table_entry(pgtable_t t) => pfn_entry(t.page.pfn, _PAGE_PRESENT | _PAGE_TABLE);

        /// <summary>Whether every entry of the table is none.</summary>
        public static bool table_empty(pgtable_t t)
        {
            for (int i = 0; i < PTRS_PER_TABLE; i++)
                if (!pxd_none(t.page.read(i)))
                    return false;
            return true;
        }

        /// <summary>End of the current entry's range at level <paramref name="l"/>, clamped to <paramref name="end"/> (pXd_addr_end).</summary>
        public static ulong addr_end(ulong addr, ulong end, pt_level l)
        {
            ulong size = level_size(l);
            ulong boundary = (addr + size) & ~(size - 1);
            return boundary - 1 < end - 1 ? boundary : end;
        }
    }
}
