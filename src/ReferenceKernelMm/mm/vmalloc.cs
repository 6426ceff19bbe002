using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.locking;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>A reserved range of the vmalloc area.</summary>
    public sealed record vm_struct(ulong addr, ulong size);

    /// <summary>vmalloc-area allocation, vmap/vunmap and ioremap (mm/vmalloc.c, mm/ioremap.c).</summary>
    public static class vmalloc
    {
        /// <summary>Guards the area allocator.</summary>
        public static readonly spinlock_t vmap_area_lock = new("vmap_area_lock");

        [GuardedBy("ReferenceKernelMm.mm.vmalloc.vmap_area_lock")]
        private static readonly SortedDictionary<ulong, ulong> free_areas = new() { [VMALLOC_START] = VMALLOC_END - VMALLOC_START };

        [GuardedBy("ReferenceKernelMm.mm.vmalloc.vmap_area_lock")]
        private static readonly Dictionary<ulong, ulong> busy_areas = new();

        /// <summary>Reserves <paramref name="size"/> bytes of the vmalloc area aligned to <paramref name="align"/> (first fit, so freed ranges are reused).</summary>
        public static vm_struct get_vm_area(ulong size, ulong align)
        {
            size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
            spin_lock(vmap_area_lock);
            try
            {
                using Kcsan.access watched = Kcsan.write(free_areas, "get_vm_area");
                foreach ((ulong start, ulong len) in free_areas)
                {
                    ulong addr = (start + align - 1) & ~(align - 1);
                    if (addr + size > start + len)
                        continue;
                    free_areas.Remove(start);
                    if (addr > start)
                        free_areas[start] = addr - start;
                    if (addr + size < start + len)
                        free_areas[addr + size] = start + len - (addr + size);
                    busy_areas[addr] = size;
                    return new vm_struct(addr, size);
                }
            }
            finally
            {
                spin_unlock(vmap_area_lock);
            }
            throw ViolationLog.Report(ViolationKind.Bug, $"vmalloc area exhausted for 0x{size:x} bytes");
        }

        /// <summary>The area starting at <paramref name="addr"/>, or null.</summary>
        public static vm_struct? find_vm_area(ulong addr)
        {
            spin_lock(vmap_area_lock);
            vm_struct? area;
            using (Kcsan.read(free_areas, "find_vm_area"))
                area = busy_areas.TryGetValue(addr, out ulong size) ? new vm_struct(addr, size) : null;
            spin_unlock(vmap_area_lock);
            return area;
        }

        // Returns the range to the free list, merged with free neighbours so that larger, aligned requests can reuse it.
        private static void free_vm_area(vm_struct area)
        {
            spin_lock(vmap_area_lock);
            using (Kcsan.write(free_areas, "free_vm_area"))
            {
                busy_areas.Remove(area.addr);
                ulong start = area.addr, size = area.size;
                if (free_areas.Remove(start + size, out ulong after))
                    size += after;
                foreach ((ulong s, ulong len) in free_areas)
                {
                    if (s + len == start)
                    {
                        free_areas.Remove(s);
                        start = s;
                        size += len;
                        break;
                    }
                }
                free_areas[start] = size;
            }
            spin_unlock(vmap_area_lock);
        }

        /// <summary>
        /// Maps [addr, end) to [phys, ...). The area is fresh and the caller's. Where the range allows it and the
        /// architecture supports huge vmap, maps 2 MiB blocks, first freeing a PTE table a previous mapping left
        /// behind (pmd_free_pte_page); if that fails, falls back to pages.
        /// </summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        [MightSleep]
        public static int vmap_page_range(ulong addr, ulong end, ulong phys, ulong prot)
        {
            // -ENOMEM leaves what was mapped so far: the caller's vunmap of the area clears it, as free_vm_area does.
            while (addr < end)
            {
                pXd_t pgd = pgd_offset_k(addr);
                if (memory.__pxd_alloc_kernel(pgd, "vmap_page_range") is int err_pgd and not 0)
                    return err_pgd;
                pXd_t pud = pxd_offset(pgd, addr);
                if (vmap_try_huge_pud(pud, addr, end, phys))
                {
                    pud.write(pfn_entry(phys >> PAGE_SHIFT, prot));
                    addr += PUD_SIZE;
                    phys += PUD_SIZE;
                    continue;
                }
                if (memory.__pxd_alloc_kernel(pud, "vmap_page_range") is int err_pud and not 0)
                    return err_pud;
                pXd_t pmd = pxd_offset(pud, addr);
                if (vmap_try_huge_pmd(pmd, addr, end, phys))
                {
                    pmd.write(pfn_entry(phys >> PAGE_SHIFT, prot));
                    addr += PMD_SIZE;
                    phys += PMD_SIZE;
                    continue;
                }
                if (memory.__pxd_alloc_kernel(pmd, "vmap_page_range") is int err_pmd and not 0)
                    return err_pmd;
                for (ulong next = addr_end(addr, end, pt_level.pmd); addr < next; addr += PAGE_SIZE, phys += PAGE_SIZE)
                {
                    pXd_t pte = pxd_offset(pmd, addr);
                    ViolationLog.BUG_ON(!pxd_none(pte.read()), $"vmap_page_range: 0x{addr:x} already mapped");
                    pte.write(pfn_entry(phys >> PAGE_SHIFT, prot));
                }
            }
            return 0;
        }

        private static bool vmap_try_huge_pud(pXd_t pud, ulong addr, ulong end, ulong phys)
        {
#if CONFIG_HAVE_ARCH_HUGE_VMAP
            if (addr % PUD_SIZE != 0 || phys % PUD_SIZE != 0 || end - addr < PUD_SIZE)
                return false;
            if (pxd_table(pud.read(), pt_level.pud))
                return arch.arm64.mm.mmu.pud_free_pmd_page(pud, addr);
            return pxd_none(pud.read());
#else
            return false;
#endif
        }

        private static bool vmap_try_huge_pmd(pXd_t pmd, ulong addr, ulong end, ulong phys)
        {
#if CONFIG_HAVE_ARCH_HUGE_VMAP
            if (addr % PMD_SIZE != 0 || phys % PMD_SIZE != 0 || end - addr < PMD_SIZE)
                return false;
            if (pxd_table(pmd.read(), pt_level.pmd))
                return arch.arm64.mm.mmu.pmd_free_pte_page(pmd, addr);
            return pxd_none(pmd.read());
#else
            return false;
#endif
        }

        /// <summary>
        /// Unmaps the vmap/ioremap area at <paramref name="addr"/>: clears its leaves (tables stay, as in the kernel),
        /// flushes, releases the area. The caller owns the area it unmaps.
        /// </summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        public static void vunmap(ulong addr)
        {
            vm_struct area = find_vm_area(addr) ?? throw ViolationLog.Report(ViolationKind.Bug, $"vunmap: no area at 0x{addr:x}");
            ulong end = area.addr + area.size;
            for (ulong a = area.addr, next; a < end; a = next)
            {
                pXd_t e = pgd_offset_k(a);
                while (pxd_table(e.read(), e.level))
                    e = pxd_offset(e, a);
                next = addr_end(a, end, e.level);
                if (pxd_leaf(e.read(), e.level))
                    e.write(0);
            }
            tlbflush.flush_tlb_kernel_range(area.addr, end);
            free_vm_area(area);
        }

        /// <summary>
        /// Maps device memory [phys, phys+size) in the vmalloc area (ioremap); returns its address, or 0 when a table could
        /// not be allocated (the partial mapping and the area are released first). Aligned like phys, so huge mappings are possible.
        /// </summary>
        [MightSleep]
        public static ulong ioremap(ulong phys, ulong size)
        {
            ulong align = phys % PUD_SIZE == 0 ? PUD_SIZE : phys % PMD_SIZE == 0 ? PMD_SIZE : PAGE_SIZE;
            vm_struct area = get_vm_area(size, align);
            if (ioremap_page_range(area.addr, area.addr + area.size, phys, PAGE_KERNEL) != 0)
            {
                vunmap(area.addr);
                return 0;
            }
            return area.addr;
        }

        /// <summary>ioremap_page_range: vmap_page_range of the caller's fresh area.</summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        [MightSleep]
        public static int ioremap_page_range(ulong addr, ulong end, ulong phys, ulong prot) => vmap_page_range(addr, end, phys, prot);

        /// <summary>iounmap.</summary>
        public static void iounmap(ulong addr) => vunmap(addr);
    }
}
