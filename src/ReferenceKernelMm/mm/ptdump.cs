using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.include.linux;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>One dumped leaf: where, how big, with which permissions.</summary>
    public sealed record ptdump_entry(ulong addr, ulong size, pt_level level, bool writable, bool executable);

    /// <summary>The state of one dump: the ranges to walk and what was seen.</summary>
    public sealed class ptdump_state
    {
        /// <summary>A dump of the kernel ranges.</summary>
        public ptdump_state() : this(kernel_ranges) { }

        /// <summary>A dump of <paramref name="range"/>.</summary>
        public ptdump_state((ulong start, ulong end)[] range) { this.range = range; }

        /// <summary>The ranges walked.</summary>
        public readonly (ulong start, ulong end)[] range;

        /// <summary>The kernel ranges walked: linear map, vmalloc/ioremap, vmemmap.</summary>
        public static readonly (ulong start, ulong end)[] kernel_ranges =
        {
            (PAGE_OFFSET, VMALLOC_START),
            (VMALLOC_START, VMALLOC_END),
            (VMEMMAP_START, VMEMMAP_END),
        };

        /// <summary>Leaves seen, in address order.</summary>
        public readonly List<ptdump_entry> entries = new();

        /// <summary>Leaves mapped both writable and executable.</summary>
        public int wx_pages;

        /// <summary>0, or the error that stopped the walk part-way (-EINTR): the dump is then incomplete.</summary>
        public int err;
    }

    /// <summary>Kernel page-table dumper and the W^X check (mm/ptdump.c).</summary>
    public static class ptdump
    {
        /// <summary>
        /// Dumps <paramref name="mm"/>'s tables over the state's ranges. Takes get_online_mems (against hot-remove) and then
        /// init_mm's mmap lock for write (against huge-vmap table freeing): bugs G1 and G2. Another mm (efi_mm) is walked
        /// under its own mmap lock for write too, taken after init_mm's, which its walk asserts.
        /// </summary>
        public static void ptdump_walk_pgd(ptdump_state st, mm_struct mm)
        {
            memory_hotplug.get_online_mems();
            mmap_lock.mmap_write_lock(K.init_mm);
            // A walk stopped part-way ends the dump; the locks are released on that path as on the other.
            if (mm == K.init_mm)
            {
                foreach ((ulong start, ulong end) in st.range)
                    if ((st.err = pagewalk.walk_kernel_page_table_range(start, end, note_page, st)) != 0)
                        break;
            }
            else
            {
                mmap_lock.mmap_write_lock(mm);
                foreach ((ulong start, ulong end) in st.range)
                    if ((st.err = pagewalk.walk_page_range_debug(mm, start, end, note_page, st)) != 0)
                        break;
                mmap_lock.mmap_write_unlock(mm);
            }
            mmap_lock.mmap_write_unlock(K.init_mm);
            memory_hotplug.put_online_mems();
        }

        private static void note_page(pXd_t entry, ulong addr, ulong next, object? priv)
        {
            var st = (ptdump_state)priv!;
            ulong v = entry.read();
            bool w = (v & _PAGE_RW) != 0, x = (v & _PAGE_NX) == 0;
            st.entries.Add(new ptdump_entry(addr, next - addr, entry.level, w, x));
            if (w && x)
                st.wx_pages++;
        }

        /// <summary>Checks that no kernel mapping is writable and executable; returns whether it passed (a stopped walk passes on what it saw).</summary>
        public static bool ptdump_check_wx()
        {
            var st = new ptdump_state();
            ptdump_walk_pgd(st, K.init_mm);
            return st.wx_pages == 0;
        }
    }
}
