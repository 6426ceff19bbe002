using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.arch.arm64.mm
{
    /// <summary>The fixmap slots the port uses: one per table level below the pgd, each a single virtual page shared by every CPU.</summary>
    public enum fixed_addresses
    {
        /// <summary>Maps a PUD table being written.</summary>
        FIX_PUD,
        /// <summary>Maps a PMD table being written.</summary>
        FIX_PMD,
        /// <summary>Maps a PTE table being written.</summary>
        FIX_PTE,
    }

    /// <summary>
    /// A pointer to an entry of the table a fixmap slot maps (what pXd_set_fixmap returns, plus an index). Each access
    /// goes through the slot as it is mapped at that moment, as a store through the fixmap address goes through its PTE.
    /// </summary>
    public readonly struct fixmap_pXd
    {
        internal fixmap_pXd(fixed_addresses idx, int index) { this.idx = idx; this.index = index; }

        /// <summary>The slot.</summary>
        public readonly fixed_addresses idx;

        /// <summary>The entry's index in the mapped table.</summary>
        public readonly int index;

        /// <summary>The mapped table's level.</summary>
        public pt_level level => fixmap.slot_level(idx);

        /// <summary>Reads the entry through the slot.</summary>
        public ulong read() => fixmap.slot_page(idx).read(index);

        /// <summary>Writes the entry through the slot.</summary>
        public void write(ulong value) => fixmap.slot_page(idx).write(index, value);

        /// <summary>The next entry (pXdp + 1).</summary>
        public fixmap_pXd next() => new(idx, index + 1);
    }

    /// <summary>
    /// The fixmap slots through which arm64 writes page tables that are not (yet) reachable through the linear map
    /// (arch/arm64/mm/fixmap.c, asm/fixmap.h, asm/pgtable.h). There is one slot per level for the whole machine, so every user
    /// holds <see cref="mmu.fixmap_lock"/> from pXd_set_fixmap to pXd_clear_fixmap (bug G10).
    /// </summary>
    public static class fixmap
    {
        /// <summary>Protection of a mapped slot.</summary>
        public const ulong FIXMAP_PAGE_NORMAL = PAGE_KERNEL;

        /// <summary>Protection that clears a slot.</summary>
        public const ulong FIXMAP_PAGE_CLEAR = 0;

        // The slots' PTEs (the kernel's bm_pte entries), and which CPU mapped each: the model's detector of a shared slot.
        private sealed class slot
        {
            public FrameRef? page;
            public int cpu = -1;
        }

        private static readonly slot[] slots = { new(), new(), new() };

        internal static pt_level slot_level(fixed_addresses idx) => idx switch
        {
            fixed_addresses.FIX_PUD => pt_level.pud,
            fixed_addresses.FIX_PMD => pt_level.pmd,
            _ => pt_level.pte,
        };

        private static fixed_addresses slot_of(pt_level level) => level switch
        {
            pt_level.pud => fixed_addresses.FIX_PUD,
            pt_level.pmd => fixed_addresses.FIX_PMD,
            pt_level.pte => fixed_addresses.FIX_PTE,
            _ => throw ViolationLog.Report(ViolationKind.Bug, $"no fixmap slot for {level} tables"),
        };

        /// <summary>
        /// Points the slot's PTE at <paramref name="phys"/>, or clears it when <paramref name="prot"/> is
        /// <see cref="FIXMAP_PAGE_CLEAR"/>. The store is the hardware's and checks nothing; the model reports a CPU that
        /// remaps or clears a slot another CPU has mapped, which is how a second user corrupts the first one's table.
        /// The TLB invalidation of a cleared slot is not modelled (the model keeps no TLBs).
        /// </summary>
        public static void __set_fixmap(fixed_addresses idx, ulong phys, ulong prot)
        {
            int me = Smp.smp_processor_id();
            slot s = slots[(int)idx];
            lock (s)
            {
                if (s.cpu >= 0 && s.cpu != me)
                    throw ViolationLog.Report(ViolationKind.Bug,
                        $"fixmap slot {idx} in use by CPU {s.cpu} (maps pfn 0x{s.page!.Value.pfn:x}): CPU {me} {(prot == FIXMAP_PAGE_CLEAR ? "clears" : "remaps")} it under that CPU (fixmap_lock not held?)");
                if (prot == FIXMAP_PAGE_CLEAR)
                {
                    s.page = null;
                    s.cpu = -1;
                    return;
                }
                // arm64 clears a slot before reusing it; a live remap would also break break-before-make.
                ViolationLog.BUG_ON(s.page != null, $"fixmap slot {idx} remapped on CPU {me} without clear_fixmap");
                s.page = PhysMem.current_ref(phys >> PAGE_SHIFT);
                s.cpu = me;
            }
        }

        // The page a slot maps, for an access through it by this CPU.
        internal static FrameRef slot_page(fixed_addresses idx)
        {
            int me = Smp.smp_processor_id();
            slot s = slots[(int)idx];
            lock (s)
            {
                if (s.page == null)
                    throw ViolationLog.Report(ViolationKind.Bug, $"CPU {me}: access through fixmap slot {idx}, which is not mapped");
                if (s.cpu != me)
                    throw ViolationLog.Report(ViolationKind.Bug,
                        $"CPU {me}: access through fixmap slot {idx} reaches pfn 0x{s.page.Value.pfn:x}, mapped there by CPU {s.cpu}");
                return s.page.Value;
            }
        }

        /// <summary>pud_set_fixmap / pmd_set_fixmap / pte_set_fixmap: maps the <paramref name="level"/> table at <paramref name="phys"/> at its slot; returns a pointer to its first entry.</summary>
        [Requires("ReferenceKernelMm.arch.arm64.mm.mmu.fixmap_lock")]
        public static fixmap_pXd pxd_set_fixmap(pt_level level, ulong phys)
        {
            lockdep.lockdep_assert_held(mmu.fixmap_lock);
            fixed_addresses idx = slot_of(level);
            __set_fixmap(idx, phys, FIXMAP_PAGE_NORMAL);
            return new fixmap_pXd(idx, 0);
        }

        /// <summary>pud_set_fixmap_offset and friends: maps the <paramref name="level"/> table that the entry value <paramref name="upper"/> points to; returns the entry of <paramref name="addr"/>.</summary>
        [Requires("ReferenceKernelMm.arch.arm64.mm.mmu.fixmap_lock")]
        public static fixmap_pXd pxd_set_fixmap_offset(ulong upper, pt_level level, ulong addr)
        {
            lockdep.lockdep_assert_held(mmu.fixmap_lock);
            fixed_addresses idx = slot_of(level);
            __set_fixmap(idx, entry_pfn(upper) << PAGE_SHIFT, FIXMAP_PAGE_NORMAL);
            return new fixmap_pXd(idx, pgtable.index(addr, level));
        }

        /// <summary>pud_clear_fixmap / pmd_clear_fixmap / pte_clear_fixmap.</summary>
        [Requires("ReferenceKernelMm.arch.arm64.mm.mmu.fixmap_lock")]
        public static void pxd_clear_fixmap(pt_level level)
        {
            lockdep.lockdep_assert_held(mmu.fixmap_lock);
            __set_fixmap(slot_of(level), 0, FIXMAP_PAGE_CLEAR);
        }
    }
}
