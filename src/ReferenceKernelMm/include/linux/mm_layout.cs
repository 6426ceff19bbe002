namespace ReferenceKernelMm.include.linux
{
    /// <summary>
    /// The kernel virtual layout (x86-64 4-level values; every profile uses them, only the facts of
    /// ArchProfile differ): the linear map, vmalloc/ioremap and the vmemmap, each in its own pgd slots.
    /// </summary>
    public static class mm_layout
    {
        /// <summary>Start of the linear (direct) map of all physical memory.</summary>
        public const ulong PAGE_OFFSET = 0xffff_8880_0000_0000UL;
        /// <summary>Start of the vmalloc / ioremap area.</summary>
        public const ulong VMALLOC_START = 0xffff_c900_0000_0000UL;
        /// <summary>End of the vmalloc / ioremap area.</summary>
        public const ulong VMALLOC_END = 0xffff_e900_0000_0000UL;
        /// <summary>Start of the virtual memmap.</summary>
        public const ulong VMEMMAP_START = 0xffff_ea00_0000_0000UL;
        /// <summary>End of the virtual memmap.</summary>
        public const ulong VMEMMAP_END = 0xffff_eb00_0000_0000UL;
        /// <summary>sizeof(struct page).</summary>
        public const ulong STRUCT_PAGE_SIZE = 64;
        /// <summary>The top of user space.</summary>
        public const ulong TASK_SIZE = 0x0000_8000_0000_0000UL;

        /// <summary>Linear-map address of a physical address.</summary>
        public static ulong __va(ulong phys) => PAGE_OFFSET + phys;

        /// <summary>Physical address of a linear-map address.</summary>
        public static ulong __pa(ulong virt) => virt - PAGE_OFFSET;

        /// <summary>Virtual address of the struct page of <paramref name="pfn"/>.</summary>
        public static ulong pfn_to_vmemmap(ulong pfn) => VMEMMAP_START + pfn * STRUCT_PAGE_SIZE;
    }
}
