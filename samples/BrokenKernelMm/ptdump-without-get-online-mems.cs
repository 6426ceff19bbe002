using ReferenceKernelMm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;
using static ReferenceKernelMm.include.linux.pgtable;

namespace BrokenKernelMm
{
    /// <summary>
    /// Bug G1: ptdump walking kernel tables without get_online_mems(). It holds init_mm's mmap lock (write), which keeps
    /// huge-vmap collapse out but not hot-remove, which never takes it. The port's walker asserts the hotplug lock, so
    /// lockdep reports the first dump; the analyzers report the walk.
    /// </summary>
    internal static class ptdump_without_get_online_mems
    {
        internal static readonly Variant variant = Variant.Replacing(
            "ptdump-without-get-online-mems", "G1", "ptdump_walk_pgd without get_online_mems(): hot-remove may free tables under the walk",
            new[] { "MM2001" }, ViolationKind.NotHeld, _ => true, k => k.ptdump_walk_pgd, ptdump_walk_pgd);

        // mm/ptdump.c ptdump_walk_pgd, get_online_mems()/put_online_mems() removed.
        private static void ptdump_walk_pgd(ptdump_state st, mm_struct mm)
        {
            mmap_lock.mmap_write_lock(K.init_mm);
            if (mm == K.init_mm)
            {
                foreach ((ulong start, ulong end) in st.range)
                    pagewalk.walk_kernel_page_table_range(start, end, note_page, st); // expect: MM2001
            }
            else
            {
                mmap_lock.mmap_write_lock(mm);
                foreach ((ulong start, ulong end) in st.range)
                    pagewalk.walk_page_range_debug(mm, start, end, note_page, st);
                mmap_lock.mmap_write_unlock(mm);
            }
            mmap_lock.mmap_write_unlock(K.init_mm);
        }

        private static void note_page(pXd_t entry, ulong addr, ulong next, object? priv)
        {
            var st = (ptdump_state)priv!;
            ulong v = entry.read();
            st.entries.Add(new ptdump_entry(addr, next - addr, entry.level, (v & _PAGE_RW) != 0, (v & _PAGE_NX) == 0));
        }
    }
}
