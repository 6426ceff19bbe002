using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.locking;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>Called by <see cref="memory.apply_to_page_range"/> for each PTE; a non-zero return stops the walk.</summary>
    public delegate int pte_fn_t(pXd_t pte, ulong addr, object? data);

    /// <summary>Kernel table population and apply_to_page_range (mm/memory.c).</summary>
    public static class memory
    {
        /// <summary>
        /// Populates an empty non-leaf kernel entry with a new table (__pte_alloc_kernel and friends); 0, or -ENOMEM when
        /// the table cannot be allocated (the entry is left empty). The allocation may sleep, so it happens first; the
        /// entry is then set under init_mm.page_table_lock, and the new table is freed again if another CPU populated the entry meanwhile.
        /// </summary>
        [MightSleep]
        public static int __pxd_alloc_kernel(pXd_t entry, string op) => __pxd_alloc(K.init_mm, entry, op);

        /// <summary>Populates an empty non-leaf entry of <paramref name="mm"/> (__pud_alloc, __pmd_alloc), under its page_table_lock; 0 or -ENOMEM.</summary>
        [MightSleep]
        public static int __pxd_alloc(mm_struct mm, pXd_t entry, string op)
        {
            if (!pxd_none(entry.read()))
                return 0;
            if (page_alloc.try_pagetable_alloc(op) is not FrameRef page)
                return lib.errno.ENOMEM;
            var table = new pgtable_t(page, entry.level + 1);
            bool used = false;
            spin_lock(mm.page_table_lock);
            if (pxd_none(entry.read()))
            {
                // Between the check and the write: without the lock, another CPU's populate lands here.
                RaceWindow.at("pxd_populate");
                pxd_populate(mm, entry, table_entry(table));
                used = true;
            }
            spin_unlock(mm.page_table_lock);
            if (!used)
                table_free(table, op + " (lost the populate race)");
            return 0;
        }

        /// <summary>
        /// Points an empty non-leaf entry of <paramref name="mm"/> at a table (pud_populate, pmd_populate_kernel). Under the
        /// mm's page_table_lock, which makes the check and the write one step for every CPU populating it: an entry that already
        /// points to a table means two CPUs populated it, and one table is lost with whatever it mapped.
        /// </summary>
        [Requires("mm.page_table_lock")]
        public static void pxd_populate(mm_struct mm, pXd_t entry, ulong table)
        {
            lockdep.lockdep_assert_held(mm.page_table_lock);
            ViolationLog.BUG_ON(pxd_table(entry.read(), entry.level), $"pxd_populate: {entry.level} entry of {mm} already points to a table");
            entry.write(table);
        }

        /// <summary>
        /// Calls <paramref name="fn"/> on every PTE of [addr, addr+size) in init_mm, creating tables as needed; stops at
        /// the first non-zero return of fn or -ENOMEM of a table allocation and returns it.
        /// The caller owns the range (it allocated it), so no lock is needed.
        /// </summary>
        [PageTableWalker("kernel", OwnsRange = true)]
        [LeafModifier("kernel", OwnsRange = true)]
        [MightSleep]
        public static int apply_to_page_range(mm_struct mm, ulong addr, ulong size, pte_fn_t fn, object? data)
        {
            ViolationLog.BUG_ON(mm != K.init_mm, "apply_to_page_range: only kernel tables are modelled");
            for (ulong end = addr + size; addr < end; addr += PAGE_SIZE)
            {
                // A table that cannot be allocated stops the walk with -ENOMEM, as apply_to_pte_range's pte_alloc does;
                // the tables populated so far stay (the kernel frees none), what fn did is the caller's to undo.
                pXd_t pgd = pgd_offset_k(addr);
                if (__pxd_alloc_kernel(pgd, "apply_to_page_range") is int e1 and not 0)
                    return e1;
                pXd_t pud = pxd_offset(pgd, addr);
                if (__pxd_alloc_kernel(pud, "apply_to_page_range") is int e2 and not 0)
                    return e2;
                pXd_t pmd = pxd_offset(pud, addr);
                ViolationLog.BUG_ON(pxd_leaf(pmd.read(), pt_level.pmd), $"apply_to_page_range: 0x{addr:x} is a huge mapping");
                if (__pxd_alloc_kernel(pmd, "apply_to_page_range") is int e3 and not 0)
                    return e3;
                int err = fn(pxd_offset(pmd, addr), addr, data);
                if (err != 0)
                    return err;
            }
            return 0;
        }
    }
}
