using ReferenceKernelMm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;
using static ReferenceKernelMm.include.linux.pgtable;

namespace BrokenKernelMm
{
    /// <summary>
    /// Bug G1 as it first appeared (arm64, 2019): ptdump walked with walk_page_range_novma, which asserted nothing about
    /// hot-remove, under init_mm's mmap lock only. Hot-remove frees a table the walk is in, and KASAN reports the walk's
    /// next read of it. The walker is copied here because the port's asserts the hotplug lock.
    /// </summary>
    internal static class ptdump_novma_without_get_online_mems
    {
        internal static readonly Variant variant = Variant.Replacing(
            "ptdump-novma-without-get-online-mems", "G1", "ptdump over walk_page_range_novma under init_mm's mmap lock only: races with hot-remove",
            new[] { "MM2001" }, ViolationKind.UseAfterFree, _ => true, k => k.ptdump_walk_pgd, ptdump_walk_pgd);

        // arch/arm64/mm/ptdump.c ptdump_walk_pgd of 2019 (with init_mm's lock for write, as G2's fix later made it).
        private static void ptdump_walk_pgd(ptdump_state st, mm_struct mm)
        {
            mmap_lock.mmap_write_lock(K.init_mm);
            foreach ((ulong start, ulong end) in st.range)
                walk_page_range_novma(start, end, st); // expect: MM2001
            mmap_lock.mmap_write_unlock(K.init_mm);
        }

        // mm/pagewalk.c walk_page_range_novma of 2019 on init_mm: a walker of tables it does not own, with no assertion.
        [MmLock.PageTableWalker("kernel")]
        private static void walk_page_range_novma(ulong addr, ulong end, ptdump_state st)
        {
            for (ulong next; addr < end; addr = next)
            {
                next = addr_end(addr, end, pt_level.pgd);
                walk_entry(pgd_offset_k(addr), addr, next, st);
            }
        }

        private static void walk_entry(pXd_t e, ulong addr, ulong end, ptdump_state st)
        {
            ulong v = e.read();
            if (pxd_leaf(v, e.level))
            {
                st.entries.Add(new ptdump_entry(addr, end - addr, e.level, (v & _PAGE_RW) != 0, (v & _PAGE_NX) == 0));
                return;
            }
            if (!pxd_table(v, e.level))
                return;
            // The table is looked up once and its entries read in turn, as the kernel's walker does with pte++.
            pgtable_t table = next_table(e);
            RaceWindow.at("walk_kernel_page_table_range");
            for (ulong next; addr < end; addr = next)
            {
                pXd_t child = table.entry(index(addr, table.level));
                next = addr_end(addr, end, child.level);
                walk_entry(child, addr, next, st);
            }
        }
    }
}
