using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>Zones the port distinguishes: boot memory holds kernel allocations, hot-added memory is onlined movable.</summary>
    public enum zone_type
    {
        /// <summary>Boot memory; page tables come from here.</summary>
        ZONE_NORMAL,
        /// <summary>Hot-added memory; never holds kernel allocations, so it can be offlined.</summary>
        ZONE_MOVABLE,
    }

    /// <summary>
    /// struct page: the per-frame metadata in the memmap. Memmap of memory that is not online is poisoned
    /// (the kernel's page_init_poison), so reading it is reported.
    /// </summary>
    public sealed class page
    {
        internal page(mem_section section, ulong pfn) { this.section = section; this.pfn = pfn; }

        internal readonly mem_section section;
        internal readonly ulong pfn;
        internal zone_type zone;
        internal bool page_table;
        // For a page-table page: its split page-table lock (pmd_lockptr), and how many more mms share it (hugetlb PMD sharing).
        internal spinlock_t? ptl;
        internal int pt_share_count;

        internal void check_initialised(string what)
        {
            if (section.memmap_poisoned)
                throw ViolationLog.Report(ViolationKind.UseAfterFree,
                    $"{what}: struct page of pfn 0x{pfn:x} read while its memory is not online (memmap poisoned)\nLast memmap teardown: {section.memmap_track}");
        }
    }

    /// <summary>A memory section: the unit of the sparse memmap and of hot-plug.</summary>
    public sealed class mem_section
    {
        internal mem_section(ulong nr) { section_nr = nr; }

        /// <summary>Section number (pfn &gt;&gt; PFN_SECTION_SHIFT).</summary>
        public readonly ulong section_nr;
        internal bool present;
        internal bool online;
        internal page[]? memmap;
        internal bool memmap_poisoned = true;
        internal PageTrack? memmap_track;
        // The pfns at the start of the section that hold its own memmap (altmap), zero when the memmap came from boot memory.
        internal ulong altmap_pages;

        /// <summary>First pfn of the section.</summary>
        public ulong start_pfn => section_nr << mmzone.PFN_SECTION_SHIFT;
    }

    /// <summary>The sparse memory model: sections, memory blocks and memmap lookups.</summary>
    public static class mmzone
    {
        /// <summary>log2 of the section size in bytes (128 MiB, as on x86-64 and arm64 with 4K pages).</summary>
        public const int SECTION_SIZE_BITS = 27;

        /// <summary>pfn bits within a section.</summary>
        public const int PFN_SECTION_SHIFT = SECTION_SIZE_BITS - pgtable.PAGE_SHIFT;

        /// <summary>Pages per section.</summary>
        public const ulong PAGES_PER_SECTION = 1UL << PFN_SECTION_SHIFT;

        /// <summary>Bytes per section.</summary>
        public const ulong SECTION_SIZE = 1UL << SECTION_SIZE_BITS;

        /// <summary>Physical memory the machine boots with.</summary>
        public const ulong BOOT_MEMORY = SECTION_SIZE;

        /// <summary>Memory block size in sections (the sysfs memoryN unit); set before the first hot-add.</summary>
        public static int sections_per_block = 1;

        /// <summary>Bytes per memory block.</summary>
        public static ulong memory_block_size_bytes() => (ulong)sections_per_block * SECTION_SIZE;

        /// <summary>Sections that exist (physical address space is 64 GiB here).</summary>
        public const int NR_MEM_SECTIONS = 512;

        private static readonly mem_section[] sections = create_sections();

        private static mem_section[] create_sections()
        {
            var s = new mem_section[NR_MEM_SECTIONS];
            for (int i = 0; i < s.Length; i++)
                s[i] = new mem_section((ulong)i);
            return s;
        }

        /// <summary>The section of a pfn.</summary>
        public static mem_section __pfn_to_section(ulong pfn)
        {
            ulong nr = pfn >> PFN_SECTION_SHIFT;
            ViolationLog.BUG_ON(nr >= NR_MEM_SECTIONS, $"pfn 0x{pfn:x} beyond the physical address space");
            return sections[nr];
        }

        /// <summary>Whether a pfn has a memmap at all (present section).</summary>
        public static bool pfn_valid(ulong pfn) => pfn >> PFN_SECTION_SHIFT < NR_MEM_SECTIONS && __pfn_to_section(pfn).present;

        /// <summary>The struct page of a pfn in a present section. Its content is valid only while the memory is online.</summary>
        public static page pfn_to_page(ulong pfn)
        {
            mem_section s = __pfn_to_section(pfn);
            page[] memmap = s.memmap ?? throw ViolationLog.Report(ViolationKind.UseAfterFree,
                $"pfn_to_page(0x{pfn:x}): section {s.section_nr} has no memmap\nLast memmap teardown: {s.memmap_track}");
            return memmap[pfn - s.start_pfn];
        }

        /// <summary>Allocates the (poisoned) memmap of a section.</summary>
        internal static void section_alloc_memmap(mem_section s, ulong altmap_pages)
        {
            var memmap = new page[PAGES_PER_SECTION];
            for (ulong i = 0; i < PAGES_PER_SECTION; i++)
                memmap[i] = new page(s, s.start_pfn + i);
            s.memmap = memmap;
            s.altmap_pages = altmap_pages;
            s.memmap_poisoned = true;
        }

        /// <summary>Initialises a section's memmap for a zone (memmap_init_range).</summary>
        internal static void section_init_memmap(mem_section s, zone_type zone)
        {
            page[] memmap = s.memmap ?? throw ViolationLog.Report(ViolationKind.Bug, $"section {s.section_nr} initialised without memmap");
            foreach (page p in memmap)
            {
                p.zone = zone;
                p.page_table = false;
            }
            s.memmap_poisoned = false;
        }

        /// <summary>Poisons a section's memmap again (offline) or drops it (remove).</summary>
        internal static void section_poison_memmap(mem_section s, bool drop, string op)
        {
            s.memmap_poisoned = true;
            s.memmap_track = PageTrack.capture(op);
            if (drop)
                s.memmap = null;
        }

        /// <summary>
        /// Reads the zone of a page: the typical memmap read of sysfs valid_zones. Memory that may go offline
        /// needs the hotplug lock or a passed pfn_to_online_page; reading a poisoned memmap is reported.
        /// </summary>
        [MmLock.ReadsMemmap("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static zone_type page_zone(page p)
        {
            p.check_initialised("page_zone");
            return p.zone;
        }

        /// <summary>Boots the memory model: the boot section present, online, memmap initialised.</summary>
        internal static void memblock_init()
        {
            for (ulong pfn = 0; pfn < BOOT_MEMORY >> pgtable.PAGE_SHIFT; pfn += PAGES_PER_SECTION)
            {
                mem_section s = __pfn_to_section(pfn);
                s.present = true;
                section_alloc_memmap(s, 0);
                section_init_memmap(s, zone_type.ZONE_NORMAL);
                s.online = true;
            }
        }
    }
}
