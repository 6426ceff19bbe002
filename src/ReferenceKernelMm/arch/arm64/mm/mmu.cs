using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.arch.tlbflush;
using static ReferenceKernelMm.include.linux.locking;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.arch.arm64.mm
{
    /// <summary>
    /// Allocates a page-table page for a table of <paramref name="level"/> and returns its physical address, or
    /// <see cref="mmu.INVALID_PHYS_ADDR"/> when it cannot (__create_pgd_mapping's pgtable_alloc).
    /// </summary>
    public delegate ulong pgtable_alloc_t(pt_level level);

    /// <summary>
    /// Kernel page-table construction and teardown for hot-add and hot-remove (arch/arm64/mm/mmu.c).
    /// Every profile uses this implementation; what differs between them (memmap at online time, huge
    /// vmap, how TLBs are flushed) comes from the configuration symbols.
    /// </summary>
    public static class mmu
    {
        /// <summary>Pages at the start of a hot-added section that hold its own memmap (vmem_altmap).</summary>
        public const ulong ALTMAP_PAGES = mmzone.PAGES_PER_SECTION * STRUCT_PAGE_SIZE / PAGE_SIZE;

        /// <summary>Bytes of a pgd: what copying a root copies (PTRS_PER_PGD entries, which need not fill a page).</summary>
        public const int PGD_SIZE = PTRS_PER_TABLE * sizeof(ulong);

        /// <summary>
        /// Maps boot memory in the linear map (2 MiB blocks) as arm64 did from v4.6 to v4.18: builds the tables under a
        /// fresh pgd, switches to it, copies its top level into swapper_pg_dir, switches back and frees it. Safe because
        /// only the boot CPU runs; the 2017 hot-add proposal reused the sequence after boot (<see cref="hotplug_paging"/>).
        /// </summary>
        [Requires("ReferenceKernelMm.K.SingleCpuBoot")]
        [MightSleep]
        internal static void paging_init()
        {
            init.main.lockdep_assert_single_cpu_boot();
            pgtable_t pgd = table_alloc(pt_level.pgd, "paging_init");
            // Boot allocations do not fail (no fault injection is set up yet; the kernel panics here).
            ViolationLog.BUG_ON(__create_pgd_mapping(pgd, 0, __va(0), mmzone.BOOT_MEMORY, PAGE_KERNEL, pgd_pgtable_alloc, 0) != 0,
                "paging_init: out of memory for the linear map");
            mmu_context.cpu_replace_ttbr1(pgd);
            copy_pgd(K.init_mm.pgd, pgd);
            mmu_context.cpu_replace_ttbr1(K.init_mm.pgd);
            free_pgd_copy(pgd, "paging_init");
        }

        // memcpy(dst, src, PGD_SIZE): the top level only; both then share every table below it.
        private static void copy_pgd(pgtable_t dst, pgtable_t src)
        {
            for (int i = 0; i < PGD_SIZE / sizeof(ulong); i++)
                dst.entry(i).write(src.entry(i).read());
        }

        // Frees a pgd that was a root for a while: no CPU may still translate through it.
        private static void free_pgd_copy(pgtable_t pgd, string op)
        {
            int user = mmu_context.cpu_using_root(pgd);
            ViolationLog.BUG_ON(user >= 0, $"{op}: freeing pgd pfn 0x{pgd.page.pfn:x}, still the kernel root of CPU {user}");
            table_free(pgd, op);
        }

        /// <summary>
        /// Maps hot-added memory [start, start+size) in the linear map as the 2017 arm64 hot-add proposal did
        /// (kernel-rules.md B): copy swapper_pg_dir (PGD_SIZE, not PAGE_SIZE), add the mapping to the copy, switch this CPU
        /// to the copy, copy it back into swapper_pg_dir, switch back, free the copy. The other CPUs keep using
        /// swapper_pg_dir and may be writing it, so all of that runs under stop_machine; the callback is atomic, so the
        /// tables the mapping may need are allocated before. Upstream adds to the live swapper_pg_dir instead
        /// (<see cref="arch_add_memory"/>), which needs neither. Returns 0, or -ENOMEM when the copy or a table cannot be
        /// allocated, before the stop: nothing is mapped then and nothing stays allocated, as upstream's arch_add_memory
        /// returns -ENOMEM when __create_pgd_mapping cannot allocate (the 2017 proposal BUG()ed in pgd_pgtable_alloc).
        /// </summary>
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        [RequiresShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        [MightSleep]
        public static int hotplug_paging(ulong start, ulong size)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            kernel.cpu.lockdep_assert_cpus_held();
            if (hotplug_paging_work.alloc(start, size) is not hotplug_paging_work work)
                return lib.errno.ENOMEM;
            mutex_lock(fixmap_lock);
            stop_machine_fixmap_locked(work);
            mutex_unlock(fixmap_lock);
            free_pgd_copy(work.pgd, "hotplug_paging");
            work.free_unused();
            return 0;
        }

        // cpu_stop_fn_t states only K.StopMachine, so the callback's fixmap_lock requirement does not reach this caller
        // through the delegate: this call states it.
        [Requires("ReferenceKernelMm.arch.arm64.mm.mmu.fixmap_lock")]
        [RequiresShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        [MightSleep]
        private static void stop_machine_fixmap_locked(hotplug_paging_work work)
        {
            lockdep.lockdep_assert_held(fixmap_lock);
            kernel.cpu.lockdep_assert_cpus_held();
            // The callback also requires fixmap_lock, which cpu_stop_fn_t cannot state for every caller: this member states it.
#pragma warning disable MM1011
            kernel.cpu_stop.stop_machine_cpuslocked(__hotplug_paging, work);
#pragma warning restore MM1011
        }

        [Requires("ReferenceKernelMm.K.StopMachine")]
        [Requires("ReferenceKernelMm.arch.arm64.mm.mmu.fixmap_lock")]
        private static int __hotplug_paging(object? data)
        {
            kernel.cpu_stop.lockdep_assert_in_stop_machine();
            lockdep.lockdep_assert_held(fixmap_lock);
            var work = (hotplug_paging_work)data!;
            copy_pgd(work.pgd, K.init_mm.pgd);
            // The pool was sized for the range before the stop, so the mapping cannot run out.
            ViolationLog.BUG_ON(__create_pgd_mapping_locked(work.pgd, work.start, __va(work.start), work.size, PAGE_KERNEL, work.pgtable_alloc, NO_BLOCK_MAPPINGS) != 0,
                "hotplug_paging: the table pool ran out");
            mmu_context.cpu_replace_ttbr1(work.pgd);
            copy_pgd(K.init_mm.pgd, work.pgd);
            mmu_context.cpu_replace_ttbr1(K.init_mm.pgd);
            return 0;
        }

        // The copy and, allocated up front, every table the new mapping could need (one per pgd, pud and pmd entry it spans).
        private sealed class hotplug_paging_work
        {
            private hotplug_paging_work(ulong start, ulong size, pgtable_t pgd)
            {
                this.start = start;
                this.size = size;
                this.pgd = pgd;
            }

            // null when an allocation fails, with what was allocated freed again.
            [MightSleep]
            public static hotplug_paging_work? alloc(ulong start, ulong size)
            {
                if (page_alloc.try_pagetable_alloc("hotplug_paging") is not FrameRef pgd)
                    return null;
                var work = new hotplug_paging_work(start, size, new pgtable_t(pgd, pt_level.pgd));
                ulong va = __va(start), last = va + size - 1;
                ulong tables = last / PGDIR_SIZE - va / PGDIR_SIZE + 1 + last / PUD_SIZE - va / PUD_SIZE + 1 + last / PMD_SIZE - va / PMD_SIZE + 1;
                for (ulong i = 0; i < tables; i++)
                {
                    if (page_alloc.try_pagetable_alloc("hotplug_paging") is not FrameRef table)
                    {
                        work.free_unused();
                        table_free(work.pgd, "hotplug_paging (ENOMEM)");
                        return null;
                    }
                    work.pool.Push(table);
                }
                return work;
            }

            public readonly ulong start, size;
            public readonly pgtable_t pgd;
            private readonly Stack<FrameRef> pool = new();

            // The callback's pgtable_alloc: takes a page allocated before the machine stopped.
            public ulong pgtable_alloc(pt_level level)
            {
                ViolationLog.BUG_ON(pool.Count == 0, $"hotplug_paging: no {level} table left");
                return pool.Pop().pfn << PAGE_SHIFT;
            }

            public void free_unused()
            {
                while (pool.Count > 0)
                    page_alloc.pagetable_free(pool.Pop(), "hotplug_paging (unused)");
            }
        }

        /// <summary>
        /// Serialises the fixmap slots through which <see cref="__create_pgd_mapping"/> writes tables (bug G10). A mutex,
        /// as in the kernel since the fix's v3: the table allocation under it may sleep.
        /// </summary>
        public static readonly mutex fixmap_lock = new("fixmap_lock");

        /// <summary><see cref="__create_pgd_mapping"/> flag: map with pages only, no 2 MiB blocks.</summary>
        public const int NO_BLOCK_MAPPINGS = 1;

        /// <summary>What a failed pgtable_alloc returns (arm64's INVALID_PHYS_ADDR).</summary>
        public const ulong INVALID_PHYS_ADDR = ulong.MaxValue;

        /// <summary>
        /// pgd_pgtable_alloc: a page-table page from the page allocator (GFP_PGTABLE_KERNEL: may sleep); returns its
        /// physical address, or INVALID_PHYS_ADDR when the allocation fails (fail_page_alloc).
        /// </summary>
        [MightSleep]
        public static ulong pgd_pgtable_alloc(pt_level level) =>
            page_alloc.try_pagetable_alloc($"pgd_pgtable_alloc({level})") is FrameRef f ? f.pfn << PAGE_SHIFT : INVALID_PHYS_ADDR;

        /// <summary>
        /// Maps [virt, virt+size) to [phys, ...) in the tables under <paramref name="pgdir"/>: 2 MiB blocks where aligned,
        /// unless <see cref="NO_BLOCK_MAPPINGS"/> (arm64 maps hot-added memory at page granularity with rodata=full).
        /// The range is new and owned by the caller. Tables below the pgd are written through the shared fixmap slots,
        /// hence fixmap_lock.
        /// </summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        [MightSleep]
        public static int __create_pgd_mapping(pgtable_t pgdir, ulong phys, ulong virt, ulong size, ulong prot, pgtable_alloc_t pgtable_alloc, int flags)
        {
            mutex_lock(fixmap_lock);
            int ret = __create_pgd_mapping_locked(pgdir, phys, virt, size, prot, pgtable_alloc, flags);
            mutex_unlock(fixmap_lock);
            return ret;
        }

        /// <summary>create_pgd_mapping: maps a range in the tables of an mm other than init_mm (efi_mm); 0 or -ENOMEM.</summary>
        [MightSleep]
        public static int create_pgd_mapping(mm_struct mm, ulong phys, ulong virt, ulong size, ulong prot, bool page_mappings_only)
        {
            ViolationLog.BUG_ON(mm == K.init_mm, "create_pgd_mapping on init_mm");
            return __create_pgd_mapping(mm.pgd, phys, virt, size, prot, pgd_pgtable_alloc, page_mappings_only ? NO_BLOCK_MAPPINGS : 0);
        }

        /// <summary>
        /// The body of <see cref="__create_pgd_mapping"/>. It populates empty entries without init_mm.page_table_lock, as
        /// arm64 does: the only writers of these tables are __create_pgd_mapping callers, serialised by fixmap_lock, and
        /// hot-remove, excluded by the hotplug lock that hot-add holds. Whether it sleeps depends on <paramref name="pgtable_alloc"/>.
        /// Returns 0, or -ENOMEM when pgtable_alloc fails: what was mapped stays, for the caller to remove
        /// (__remove_pgd_mapping), and every fixmap slot is cleared again.
        /// </summary>
        [Requires("ReferenceKernelMm.arch.arm64.mm.mmu.fixmap_lock")]
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        internal static int __create_pgd_mapping_locked(pgtable_t pgdir, ulong phys, ulong virt, ulong size, ulong prot, pgtable_alloc_t pgtable_alloc, int flags)
        {
            lockdep.lockdep_assert_held(fixmap_lock);
            ViolationLog.BUG_ON(pgdir.level != pt_level.pgd, "__create_pgd_mapping: pgdir is not a pgd");
            for (ulong addr = virt, end = virt + size, next; addr < end; addr = next)
            {
                next = addr_end(addr, end, pt_level.pgd);
                int ret = alloc_init_pud(pgdir.entry(index(addr, pt_level.pgd)), addr, next, phys, prot, pgtable_alloc, flags);
                if (ret != 0)
                    return ret;
                phys += next - addr;
            }
            return 0;
        }

        // Entry value pointing to the table at phys (__pXd_populate).
        private static ulong table_desc(ulong table_phys) => pfn_entry(table_phys >> PAGE_SHIFT, _PAGE_PRESENT | _PAGE_TABLE);

        private static int alloc_init_pud(pXd_t pgdp, ulong addr, ulong end, ulong phys, ulong prot, pgtable_alloc_t pgtable_alloc, int flags)
        {
            lockdep.lockdep_assert_held(fixmap_lock);
            ulong pgd = pgdp.read();
            fixmap_pXd pudp;
            if (pxd_none(pgd))
            {
                ulong pud_phys = pgtable_alloc(pt_level.pud);
                if (pud_phys == INVALID_PHYS_ADDR)
                    return lib.errno.ENOMEM;
                pudp = fixmap.pxd_set_fixmap_offset(table_desc(pud_phys), pt_level.pud, addr);
                pgdp.write(table_desc(pud_phys));
            }
            else
            {
                ViolationLog.BUG_ON(!pxd_table(pgd, pt_level.pgd), $"__create_pgd_mapping: bad pgd 0x{pgd:x} at 0x{addr:x}");
                pudp = fixmap.pxd_set_fixmap_offset(pgd, pt_level.pud, addr);
            }
            for (ulong next; addr < end; addr = next, pudp = pudp.next())
            {
                next = addr_end(addr, end, pt_level.pud);
                int ret = alloc_init_pmd(pudp, addr, next, phys, prot, pgtable_alloc, flags);
                if (ret != 0)
                {
                    fixmap.pxd_clear_fixmap(pt_level.pud);
                    return ret;
                }
                phys += next - addr;
            }
            fixmap.pxd_clear_fixmap(pt_level.pud);
            return 0;
        }

        private static int alloc_init_pmd(fixmap_pXd pudp, ulong addr, ulong end, ulong phys, ulong prot, pgtable_alloc_t pgtable_alloc, int flags)
        {
            lockdep.lockdep_assert_held(fixmap_lock);
            ulong pud = pudp.read();
            fixmap_pXd pmdp;
            if (pxd_none(pud))
            {
                ulong pmd_phys = pgtable_alloc(pt_level.pmd);
                if (pmd_phys == INVALID_PHYS_ADDR)
                    return lib.errno.ENOMEM;
                pmdp = fixmap.pxd_set_fixmap_offset(table_desc(pmd_phys), pt_level.pmd, addr);
                pudp.write(table_desc(pmd_phys));
            }
            else
            {
                ViolationLog.BUG_ON(!pxd_table(pud, pt_level.pud), $"__create_pgd_mapping: bad pud 0x{pud:x} at 0x{addr:x}");
                pmdp = fixmap.pxd_set_fixmap_offset(pud, pt_level.pmd, addr);
            }
            for (ulong next; addr < end; addr = next, pmdp = pmdp.next())
            {
                next = addr_end(addr, end, pt_level.pmd);
                if ((flags & NO_BLOCK_MAPPINGS) == 0 && ((addr | next | phys) & (PMD_SIZE - 1)) == 0)
                {
                    ViolationLog.BUG_ON(!pxd_none(pmdp.read()), $"__create_pgd_mapping: 0x{addr:x} already mapped");
                    pmdp.write(pfn_entry(phys >> PAGE_SHIFT, prot));
                }
                else if (alloc_init_pte(pmdp, addr, next, phys, prot, pgtable_alloc) is int ret and not 0)
                {
                    fixmap.pxd_clear_fixmap(pt_level.pmd);
                    return ret;
                }
                phys += next - addr;
            }
            fixmap.pxd_clear_fixmap(pt_level.pmd);
            return 0;
        }

        private static int alloc_init_pte(fixmap_pXd pmdp, ulong addr, ulong end, ulong phys, ulong prot, pgtable_alloc_t pgtable_alloc)
        {
            lockdep.lockdep_assert_held(fixmap_lock);
            ulong pmd = pmdp.read();
            fixmap_pXd ptep;
            if (pxd_none(pmd))
            {
                ulong pte_phys = pgtable_alloc(pt_level.pte);
                if (pte_phys == INVALID_PHYS_ADDR)
                    return lib.errno.ENOMEM;
                ptep = fixmap.pxd_set_fixmap_offset(table_desc(pte_phys), pt_level.pte, addr);
                pmdp.write(table_desc(pte_phys));
            }
            else
            {
                ViolationLog.BUG_ON(!pxd_table(pmd, pt_level.pmd), $"__create_pgd_mapping: 0x{addr:x} is inside a block mapping");
                ptep = fixmap.pxd_set_fixmap_offset(pmd, pt_level.pte, addr);
            }
            for (; addr < end; addr += PAGE_SIZE, phys += PAGE_SIZE, ptep = ptep.next())
            {
                ViolationLog.BUG_ON(!pxd_none(ptep.read()), $"__create_pgd_mapping: 0x{addr:x} already mapped");
                ptep.write(pfn_entry(phys >> PAGE_SHIFT, prot));
            }
            fixmap.pxd_clear_fixmap(pt_level.pte);
            return 0;
        }

        /// <summary>
        /// Hot-add: linear map of the range, then its sections (memmap and vmemmap). Must be called with mem_hotplug_lock
        /// held for write. Returns 0, or -ENOMEM when a table or vmemmap page cannot be allocated; then everything it did
        /// is undone (the sections added so far removed again, the linear map removed with its empty tables), as arm64's
        /// arch_add_memory removes the mapping when __add_pages fails.
        /// </summary>
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static int arch_add_memory(int nid, ulong start, ulong size, bool use_altmap)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            ulong start_pfn = start >> PAGE_SHIFT, end_pfn = (start + size) >> PAGE_SHIFT;
            int ret = __create_pgd_mapping(K.init_mm.pgd, start, __va(start), size, PAGE_KERNEL, pgd_pgtable_alloc, NO_BLOCK_MAPPINGS);
            ulong pfn = start_pfn;
            for (; ret == 0 && pfn < end_pfn; pfn += mmzone.PAGES_PER_SECTION)
            {
                mem_section s = mmzone.__pfn_to_section(pfn);
                s.present = true;
#if !CONFIG_MEMMAP_ON_ONLINE
                ret = section_activate_memmap(s, use_altmap);
                if (ret != 0)
                    s.present = false;
#endif
            }
            if (ret == 0)
                return 0;
            // __add_pages failed at the section before pfn (which section_activate_memmap already undid): remove those before it.
            for (ulong p = start_pfn; p + mmzone.PAGES_PER_SECTION < pfn; p += mmzone.PAGES_PER_SECTION)
            {
                mem_section s = mmzone.__pfn_to_section(p);
                section_deactivate_memmap(s);
                s.present = false;
            }
            __remove_pgd_mapping(K.init_mm, __va(start), size);
            return ret;
        }

        /// <summary>
        /// Creates a section's memmap and maps it in the vmemmap (sparse_add_section / section_activate); 0, or -ENOMEM
        /// when the vmemmap cannot be populated, after unmapping what was and dropping the memmap (section_deactivate).
        /// </summary>
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        internal static int section_activate_memmap(mem_section s, bool use_altmap)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            mmzone.section_alloc_memmap(s, use_altmap ? ALTMAP_PAGES : 0);
            ulong start = pfn_to_vmemmap(s.start_pfn);
            int ret = vmemmap_populate(start, start + mmzone.PAGES_PER_SECTION * STRUCT_PAGE_SIZE, use_altmap ? s.start_pfn : null);
            if (ret != 0)
                section_deactivate_memmap(s);
            return ret;
        }

        /// <summary>Unmaps a section's memmap from the vmemmap, freeing empty tables, and drops it (section_deactivate).</summary>
        [TableFreer("kernel", "hot-remove")]
        internal static void section_deactivate_memmap(mem_section s)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            ulong start = pfn_to_vmemmap(s.start_pfn);
            vmemmap_free(start, start + mmzone.PAGES_PER_SECTION * STRUCT_PAGE_SIZE, s.altmap_pages != 0);
            mmzone.section_poison_memmap(s, drop: true, "section_deactivate");
        }

        /// <summary>
        /// Maps the vmemmap range [start, end) with 2 MiB blocks: from the hot-added range itself with an altmap,
        /// else from boot memory, falling back to base pages when no contiguous block is free.
        /// The range belongs to the section being added. Returns 0, or -ENOMEM when a table or a backing page cannot be
        /// allocated: what was mapped stays, for the caller's vmemmap_free.
        /// </summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        [MightSleep]
        public static int vmemmap_populate(ulong start, ulong end, ulong? altmap_base_pfn)
        {
            ulong next_altmap_pfn = altmap_base_pfn ?? 0;
            for (ulong addr = start; addr < end;)
            {
                pXd_t pgd = pgd_offset_k(addr);
                if (memory.__pxd_alloc_kernel(pgd, "vmemmap_populate") != 0)
                    return lib.errno.ENOMEM;
                pXd_t pud = pxd_offset(pgd, addr);
                if (memory.__pxd_alloc_kernel(pud, "vmemmap_populate") != 0)
                    return lib.errno.ENOMEM;
                pXd_t pmd = pxd_offset(pud, addr);
                ulong? block = null;
                if (altmap_base_pfn != null)
                {
                    block = next_altmap_pfn;
                    next_altmap_pfn += PMD_SIZE / PAGE_SIZE;
                }
                else if (addr % PMD_SIZE == 0 && end - addr >= PMD_SIZE && pxd_none(pmd.read()))
                {
                    block = page_alloc.alloc_pages_exact(PMD_SHIFT - PAGE_SHIFT, "vmemmap_populate");
                }
                if (block != null)
                {
                    pmd.write(pfn_entry(block.Value, PAGE_KERNEL));
                    addr += PMD_SIZE;
                    continue;
                }
                if (memory.__pxd_alloc_kernel(pmd, "vmemmap_populate") != 0)
                    return lib.errno.ENOMEM;
                pXd_t pte = pxd_offset(pmd, addr);
                if (page_alloc.try_get_zeroed_page("vmemmap_populate") is not FrameRef backing)
                    return lib.errno.ENOMEM;
                pte.write(pfn_entry(backing.pfn, PAGE_KERNEL));
                addr += PAGE_SIZE;
            }
            return 0;
        }

        /// <summary>Hot-remove: tears down the sections' memmap and the linear map. Must be called with mem_hotplug_lock held for write.</summary>
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static void arch_remove_memory(ulong start, ulong size)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            for (ulong pfn = start >> PAGE_SHIFT; pfn < (start + size) >> PAGE_SHIFT; pfn += mmzone.PAGES_PER_SECTION)
            {
                mem_section s = mmzone.__pfn_to_section(pfn);
                if (s.memmap != null)
                    section_deactivate_memmap(s);
                s.present = false;
            }
            __remove_pgd_mapping(K.init_mm, __va(start), size);
        }

        /// <summary>Unmaps [start, start+size) from the kernel tables and frees the tables left empty.</summary>
        [TableFreer("kernel", "hot-remove")]
        public static void __remove_pgd_mapping(mm_struct pgdir, ulong start, ulong size)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            ViolationLog.BUG_ON(pgdir != K.init_mm, "__remove_pgd_mapping on a user mm");
            unmap_hotplug_range(start, start + size, free_mapped: false);
            free_empty_tables(start, start + size, PAGE_OFFSET, VMALLOC_START);
        }

        /// <summary>Unmaps the vmemmap [start, end), freeing the backing pages unless they came from the altmap, then the empty tables.</summary>
        [TableFreer("kernel", "hot-remove")]
        public static void vmemmap_free(ulong start, ulong end, bool altmap)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            unmap_hotplug_range(start, end, free_mapped: !altmap);
            free_empty_tables(start, end, VMEMMAP_START, VMEMMAP_END);
        }

        /// <summary>
        /// Clears every leaf in [addr, end), flushes the range once, then frees the mapped pages if asked
        /// (clear, flush, free: a page is never reused while a stale TLB entry may still reach it).
        /// The range is being removed: it is offline and nobody else maps it.
        /// </summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        public static void unmap_hotplug_range(ulong addr, ulong end, bool free_mapped)
        {
            var cleared = new List<(ulong pfn, ulong nr)>();
            for (ulong a = addr, next; a < end; a = next)
            {
                pXd_t pgd = pgd_offset_k(a);
                next = addr_end(a, end, pt_level.pgd);
                if (pxd_table(pgd.read(), pt_level.pgd))
                    unmap_hotplug_level(pgd, a, next, cleared);
            }
            if (cleared.Count == 0)
                return;
            flush_tlb_kernel_range(addr, end);
            if (free_mapped)
                foreach ((ulong first, ulong nr) in cleared)
                    for (ulong pfn = first; pfn < first + nr; pfn++)
                        page_alloc.free_page(PhysMem.current_ref(pfn), "vmemmap_free");
        }

        private static void unmap_hotplug_level(pXd_t upper, ulong addr, ulong end, List<(ulong pfn, ulong nr)> cleared)
        {
            for (ulong next; addr < end; addr = next)
            {
                pXd_t e = pxd_offset(upper, addr);
                next = addr_end(addr, end, e.level);
                ulong v = e.read();
                if (pxd_none(v))
                    continue;
                if (pxd_leaf(v, e.level))
                {
                    e.write(0);
                    cleared.Add((entry_pfn(v), level_size(e.level) / PAGE_SIZE));
                    continue;
                }
                unmap_hotplug_level(e, addr, next, cleared);
            }
        }

        /// <summary>
        /// Frees the tables under [addr, end) that are empty and lie wholly inside [floor, ceiling).
        /// Order per table: clear the entry, flush the TLB for it, free the page.
        /// </summary>
        [TableFreer("kernel", "hot-remove")]
        public static void free_empty_tables(ulong addr, ulong end, ulong floor, ulong ceiling)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            for (ulong next; addr < end; addr = next)
            {
                pXd_t pgd = pgd_offset_k(addr);
                next = addr_end(addr, end, pt_level.pgd);
                if (pxd_table(pgd.read(), pt_level.pgd))
                    free_empty_level(pgd, addr, next, floor, ceiling);
            }
        }

        [TableFreer("kernel", "hot-remove")]
        private static void free_empty_level(pXd_t entry, ulong addr, ulong end, ulong floor, ulong ceiling)
        {
            lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
            pgtable_t table = next_table(entry);
            if (table.level != pt_level.pte)
            {
                for (ulong a = addr, next; a < end; a = next)
                {
                    pXd_t child = table.entry(index(a, table.level));
                    next = addr_end(a, end, table.level);
                    if (pxd_table(child.read(), child.level))
                        free_empty_level(child, a, next, floor, ceiling);
                }
            }
            ulong size = level_size(entry.level);
            ulong start = addr & ~(size - 1);
            if (!pgtable_range_aligned(start, start + size, floor, ceiling) || !table_empty(table))
                return;
            entry.write(0);
            flush_tlb_kernel_range(start, start + size);
            table_free(table, "free_empty_tables");
        }

        // The table may go only if everything it maps lies within [floor, ceiling): neighbours outside the range may share it.
        private static bool pgtable_range_aligned(ulong start, ulong end, ulong floor, ulong ceiling) =>
            start >= floor && end - 1 <= ceiling - 1;

#if CONFIG_HAVE_ARCH_HUGE_VMAP
        /// <summary>
        /// Frees the PTE table under <paramref name="pmdp"/> so the range can be mapped by a 2 MiB block.
        /// Takes init_mm's mmap lock for read with a trylock (ptdump holds it for write); on failure the
        /// table stays and the caller maps with pages. Returns whether the PMD is now free.
        /// </summary>
        public static bool pmd_free_pte_page(pXd_t pmdp, ulong addr)
        {
            if (!include.linux.mmap_lock.mmap_read_trylock(K.init_mm))
                return false;
            __pmd_free_pte_page(pmdp, addr);
            include.linux.mmap_lock.mmap_read_unlock(K.init_mm);
            return true;
        }

        /// <summary>The freeing itself, for callers that hold init_mm's mmap lock for read already.</summary>
        [TableFreer("kernel", "huge-vmap-collapse")]
        public static void __pmd_free_pte_page(pXd_t pmdp, ulong addr)
        {
            lockdep.lockdep_assert_held_read(K.init_mm.mmap_lock);
            pgtable_t table = next_table(pmdp);
            pmdp.write(0);
            flush_tlb_kernel_range(addr, addr + PMD_SIZE);
            table_free(table, "pmd_free_pte_page");
        }

        /// <summary>Frees the PMD table (and its PTE tables) under <paramref name="pudp"/> for a 1 GiB block; same locking as <see cref="pmd_free_pte_page"/>.</summary>
        public static bool pud_free_pmd_page(pXd_t pudp, ulong addr)
        {
            if (!include.linux.mmap_lock.mmap_read_trylock(K.init_mm))
                return false;
            __pud_free_pmd_page(pudp, addr);
            include.linux.mmap_lock.mmap_read_unlock(K.init_mm);
            return true;
        }

        [TableFreer("kernel", "huge-vmap-collapse")]
        private static void __pud_free_pmd_page(pXd_t pudp, ulong addr)
        {
            lockdep.lockdep_assert_held_read(K.init_mm.mmap_lock);
            pgtable_t pmd_table = next_table(pudp);
            pudp.write(0);
            flush_tlb_kernel_range(addr, addr + PUD_SIZE);
            for (int i = 0; i < PTRS_PER_TABLE; i++)
            {
                pXd_t pmd = pmd_table.entry(i);
                if (pxd_table(pmd.read(), pt_level.pmd))
                    table_free(next_table(pmd), "pud_free_pmd_page");
            }
            table_free(pmd_table, "pud_free_pmd_page");
        }
#endif
    }
}
