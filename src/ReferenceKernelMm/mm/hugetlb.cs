using System.Threading;
using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.fs;
using static ReferenceKernelMm.include.linux.locking;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.mm
{
    /// <summary>
    /// hugetlb page tables with PMD sharing (mm/hugetlb.c). Huge pages are 2 MiB leaves at PMD level.
    /// With CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING, mms mapping the same 1 GiB-aligned file range share
    /// one PMD table; huge_pmd_unshare drops an mm's use of it under i_mmap_rwsem and the vma lock (write).
    /// </summary>
    public static class hugetlb
    {
        /// <summary>Size of a huge page.</summary>
        public const ulong HPAGE_SIZE = PMD_SIZE;

        private static long next_huge_pfn = 1L << 30; // fake physical huge pages, far above RAM

        /// <summary>Creates a hugetlb VMA of <paramref name="mm"/> mapping <paramref name="f"/> at file offset <paramref name="pgoff"/>; shared mappings get a vma lock.</summary>
        public static vm_area_struct hugetlb_mmap(mm_struct mm, ulong start, ulong end, bool shared, @file f, ulong pgoff)
        {
            ViolationLog.BUG_ON(end > mm_layout.TASK_SIZE || start % HPAGE_SIZE != 0 || end % HPAGE_SIZE != 0, $"hugetlb_mmap: bad range 0x{start:x}-0x{end:x}");
            vm_flags_t flags = vm_flags_t.VM_HUGETLB | (shared ? vm_flags_t.VM_MAYSHARE : vm_flags_t.none);
            var vma = new vm_area_struct(mm, start, end, flags, f, pgoff);
            if (shared)
                vma.vm_private_data = new hugetlb_vma_lock(vma);
            mmap_lock.mmap_write_lock(mm);
            using (Kcsan.write(mm.mmap, $"hugetlb_mmap({mm})"))
                mm.mmap.Add(vma);
            mmap_lock.mmap_write_unlock(mm);
            i_mmap_lock_write(f.f_mapping);
            using (Kcsan.write(f.f_mapping.i_mmap, $"hugetlb_mmap({f.f_mapping.host})"))
                f.f_mapping.i_mmap.Add(vma);
            i_mmap_unlock_write(f.f_mapping);
            return vma;
        }

        /// <summary>Whether the VMA has a vma lock (a shareable mapping).</summary>
        public static bool __vma_shareable_lock(vm_area_struct vma) =>
            (vma.vm_flags & vm_flags_t.VM_MAYSHARE) != 0 && vma.vm_private_data != null;

        /// <summary>hugetlb_vma_lock_read: a no-op for VMAs without a vma lock.</summary>
        [AcquiresShared("vma.vm_private_data")]
        [NoLockAnalysis("implements the vma lock with its rw_semaphore, and is a no-op for VMAs without one")]
        public static void hugetlb_vma_lock_read(vm_area_struct vma)
        {
            if (vma.vm_private_data != null)
                down_read(vma.vm_private_data.rw_sema);
        }

        /// <summary>hugetlb_vma_unlock_read.</summary>
        [ReleasesShared("vma.vm_private_data")]
        [NoLockAnalysis("implements the vma lock with its rw_semaphore, and is a no-op for VMAs without one")]
        public static void hugetlb_vma_unlock_read(vm_area_struct vma)
        {
            if (vma.vm_private_data != null)
                up_read(vma.vm_private_data.rw_sema);
        }

        /// <summary>hugetlb_vma_lock_write.</summary>
        [Acquires("vma.vm_private_data")]
        [NoLockAnalysis("implements the vma lock with its rw_semaphore, and is a no-op for VMAs without one")]
        public static void hugetlb_vma_lock_write(vm_area_struct vma)
        {
            if (vma.vm_private_data != null)
                down_write(vma.vm_private_data.rw_sema);
        }

        /// <summary>hugetlb_vma_unlock_write.</summary>
        [Releases("vma.vm_private_data")]
        [NoLockAnalysis("implements the vma lock with its rw_semaphore, and is a no-op for VMAs without one")]
        public static void hugetlb_vma_unlock_write(vm_area_struct vma)
        {
            if (vma.vm_private_data != null)
                up_write(vma.vm_private_data.rw_sema);
        }

        /// <summary>Asserts the vma lock is held for write (hugetlb_vma_assert_locked on the unshare path).</summary>
        [AssertsHeld("vma.vm_private_data")]
        public static void hugetlb_vma_assert_write_locked(vm_area_struct vma)
        {
            if (vma.vm_private_data != null)
                lockdep.lockdep_assert_held_write(vma.vm_private_data.rw_sema);
        }

        private static bool want_pmd_share(vm_area_struct vma, ulong addr)
        {
#if CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING
            ulong start = addr & ~(PUD_SIZE - 1);
            return __vma_shareable_lock(vma) && start >= vma.vm_start && start + PUD_SIZE <= vma.vm_end;
#else
            return false;
#endif
        }

        /// <summary>
        /// Looks up the huge PTE (the PMD entry) of <paramref name="addr"/>, without allocating. The result is
        /// valid only while no unshare can free the table under it: the caller holds the vma lock or
        /// i_mmap_rwsem of a shareable mapping (it has no vma here, hence the existentials of the freeing).
        /// </summary>
        [PageTableWalker("hugetlb")]
        [ReturnsGuarded]
        public static pXd_t? huge_pte_offset(mm_struct mm, ulong addr, ulong sz)
        {
            ViolationLog.BUG_ON(sz != HPAGE_SIZE, $"huge_pte_offset: unsupported size 0x{sz:x}");
            // Each level from the value read once: a caller without the right lock gets a stale pointer, not a torn walk.
            ulong pgd = pgd_offset(mm, addr).read();
            if (!pxd_table(pgd, pt_level.pgd))
                return null;
            ulong pud = pxd_offset_lockless(pgd, pt_level.pgd, addr).read();
            if (!pxd_table(pud, pt_level.pud))
                return null;
            return pxd_offset_lockless(pud, pt_level.pud, addr);
        }

        /// <summary>
        /// huge_pte_offset for a VMA, asserting the rule of D: for a shareable mapping, the vma lock or the
        /// mapping's i_mmap_rwsem (either mode) must be held. Of this vma: another vma's lock does not keep this one's
        /// tables from being unshared (the walker role alone accepts any instance, for huge_pte_offset's sake).
        /// </summary>
        [PageTableWalker("hugetlb")]
        [RequiresAny("vma.vm_private_data", "vma.vm_file.f_mapping.i_mmap_rwsem",
            "ReferenceKernelMm.K.RCU when MMLOCK_RFC_HUGETLB_WALKER_LOCK && CONFIG_MMU_GATHER_RCU_TABLE_FREE",
            "ReferenceKernelMm.K.IrqsOff when MMLOCK_RFC_HUGETLB_WALKER_LOCK", "ReferenceKernelMm.K.IrqsSaved when MMLOCK_RFC_HUGETLB_WALKER_LOCK",
            When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING")]
        [ReturnsGuarded]
        public static pXd_t? hugetlb_walk(vm_area_struct vma, ulong addr, ulong sz)
        {
#if CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING
            if (__vma_shareable_lock(vma) &&
                !lockdep.lockdep_is_held(vma.vm_private_data!.rw_sema) &&
                !lockdep.lockdep_is_held(vma.vm_file!.f_mapping.i_mmap_rwsem) &&
                !huge_pte_walker_lock_held())
                ViolationLog.assertion_failed(ViolationKind.NotHeld, "hugetlb_walk: shareable VMA walked without the vma lock or i_mmap_rwsem");
#endif
            return huge_pte_offset(vma.vm_mm, addr, sz);
        }

        // The RFC v2 walker lock (opt-in, not upstream; docs/configuration.md): IRQs off, or RCU where tables are RCU-freed.
        private static bool huge_pte_walker_lock_held()
        {
#if MMLOCK_RFC_HUGETLB_WALKER_LOCK && CONFIG_MMU_GATHER_RCU_TABLE_FREE
            return Smp.irqs_disabled() || Rcu.rcu_read_lock_held();
#elif MMLOCK_RFC_HUGETLB_WALKER_LOCK
            return Smp.irqs_disabled();
#else
            return false;
#endif
        }

        /// <summary>
        /// Finds a PMD table another mm already uses for the same file range and points this mm's PUD at it,
        /// counting the share. Holds i_mmap_rwsem for read while looking and until the PMD is found, which keeps the
        /// other mm from unsharing and hole punching from unsharing this one.
        /// </summary>
        [MightSleep]
        public static pXd_t? huge_pmd_share(mm_struct mm, vm_area_struct vma, ulong addr, pXd_t pud)
        {
            address_space mapping = vma.vm_file!.f_mapping;
            ulong idx = (addr - vma.vm_start) / PAGE_SIZE + vma.vm_pgoff;
            i_mmap_lock_read(mapping);
            Kcsan.access reading = Kcsan.read(mapping.i_mmap, $"huge_pmd_share({mapping.host})");
            foreach (vm_area_struct svma in mapping.i_mmap)
            {
                if (svma == vma || !__vma_shareable_lock(svma) || idx < svma.vm_pgoff)
                    continue;
                ulong saddr = svma.vm_start + (idx - svma.vm_pgoff) * PAGE_SIZE;
                if (saddr % PUD_SIZE != addr % PUD_SIZE || saddr < svma.vm_start || saddr >= svma.vm_end)
                    continue;
                pXd_t spgd = pgd_offset(svma.vm_mm, saddr);
                if (!pxd_table(spgd.read(), pt_level.pgd))
                    continue;
                ulong spud = pxd_offset(spgd, saddr).read();
                if (!pxd_table(spud, pt_level.pud))
                    continue;
                page table = mmzone.pfn_to_page(entry_pfn(spud));
                spin_lock(mm.page_table_lock);
                if (pxd_none(pud.read()))
                {
                    spin_lock(table.ptl!);
                    pt_share_inc(table);
                    spin_unlock(table.ptl!);
                    memory.pxd_populate(mm, pud, spud);
                }
                spin_unlock(mm.page_table_lock);
                break;
            }
            reading.Dispose();
            // Still under i_mmap_rwsem, as the kernel's pmd_alloc here: a hole punch must not unshare the PUD just set.
            pXd_t? pmd = memory.__pxd_alloc(mm, pud, "huge_pmd_share") == 0 ? pxd_offset(pud, addr) : null;
            i_mmap_unlock_read(mapping);
            return pmd;
        }

        /// <summary>
        /// Drops this mm's use of a shared PMD table: clears its PUD and records that lockless walkers must be
        /// synchronised before the gather ends (the table may be reused by its other users). Returns false when
        /// the table is not shared. Needs i_mmap_rwsem and the vma lock, both for write.
        /// </summary>
        [TableFreer("hugetlb", "pmd-unshare")]
        public static bool huge_pmd_unshare(mmu_gather tlb, vm_area_struct vma, ulong addr, pXd_t ptep)
        {
            i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
            hugetlb_vma_assert_write_locked(vma);
            pXd_t pud = pxd_offset(pgd_offset(vma.vm_mm, addr), addr);
            page table = mmzone.pfn_to_page(ptep.table.page.pfn);
            spin_lock(table.ptl!);
            bool shared = pt_share_dec(table);
            if (shared)
            {
                pud.write(0);
                tlb.unshared_tables = true;
            }
            spin_unlock(table.ptl!);
            return shared;
        }

        /// <summary>Counts one more mm sharing the PMD table (ptdesc_pmd_pts_inc), under the table's split lock.</summary>
        private static void pt_share_inc(page table)
        {
            lockdep.lockdep_assert_held(table.ptl!);
            using (Kcsan.write(table, $"pt_share_inc(pfn 0x{table.pfn:x})"))
                table.pt_share_count++;
        }

        /// <summary>Drops one sharer of the PMD table if it has any; false when this mm is its only user. Under the table's split lock.</summary>
        private static bool pt_share_dec(page table)
        {
            lockdep.lockdep_assert_held(table.ptl!);
            using (Kcsan.write(table, $"pt_share_dec(pfn 0x{table.pfn:x})"))
            {
                if (table.pt_share_count == 0)
                    return false;
                table.pt_share_count--;
                return true;
            }
        }

        /// <summary>Sets a huge PTE (set_huge_pte_at) under the split lock of its PMD table, which every sharer of the table takes.</summary>
        [LeafModifier("hugetlb")]
        public static void set_huge_pte_at(pXd_t ptep, ulong pte)
        {
            lockdep.lockdep_assert_held(ptep.ptl);
            ptep.write(pte);
        }

        /// <summary>Clears a huge PTE (huge_ptep_get_and_clear) under the split lock of its PMD table; returns what it held.</summary>
        [LeafModifier("hugetlb")]
        public static ulong huge_ptep_get_and_clear(pXd_t ptep)
        {
            lockdep.lockdep_assert_held(ptep.ptl);
            ulong old = ptep.read();
            ptep.write(0);
            return old;
        }

        /// <summary>
        /// Faults in the huge page at <paramref name="addr"/>: under the vma lock (read), allocates or shares the
        /// PMD table and installs the leaf under the table's split lock, which every sharer uses.
        /// </summary>
        [RequiresShared("mm.mmap_lock")]
        [MightSleep]
        public static int hugetlb_fault(mm_struct mm, vm_area_struct vma, ulong addr)
        {
            mmap_lock.mmap_assert_locked(mm);
            hugetlb_vma_lock_read(vma);
            pXd_t? pmd = huge_pte_alloc(mm, vma, addr);
            if (pmd == null)
            {
                // No table: the fault fails with the vma lock dropped, as the kernel's "goto out_mutex".
                hugetlb_vma_unlock_read(vma);
                return VM_FAULT_OOM;
            }
            if (pxd_none(pmd.Value.read()))
                hugetlb_no_page(pmd.Value);
            hugetlb_vma_unlock_read(vma);
            return 0;
        }

        /// <summary>The fault could not allocate a page table (vm_fault_t).</summary>
        public const int VM_FAULT_OOM = 0x1;

        /// <summary>
        /// The fault of a huge PTE found none (hugetlb_no_page): allocates and clears a huge page with no lock held (the
        /// long part of the fault), then, under the split lock of the PMD table, checks the entry is still none, maps the
        /// page in the reverse map and sets the entry. Two CPUs faulting one entry of a shared table meet at the lock: the
        /// second finds the entry set and backs out. The PMD table must stay the caller's meanwhile (the vma lock).
        /// </summary>
        [MightSleep]
        private static void hugetlb_no_page(pXd_t pmd)
        {
            ulong pfn = (ulong)Interlocked.Add(ref next_huge_pfn, (long)(HPAGE_SIZE / PAGE_SIZE));
            // alloc_hugetlb_folio and folio_zero_user: clearing 2 MiB, the window where another CPU can unshare the table.
            RaceWindow.at("hugetlb_no_page");
            spinlock_t ptl = pmd.ptl;
            spin_lock(ptl);
            if (pxd_none(pmd.read()))
            {
                hugetlb_add_file_rmap(pfn);
                // An interrupt (or a preempted vCPU) between the re-check and the set: the lock keeps other CPUs out.
                RaceWindow.at("hugetlb_no_page_locked");
                set_huge_pte_at(pmd, pfn_entry(pfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_NX));
            }
            spin_unlock(ptl);
        }

        // The mapcount of each huge page (folio->_mapcount + 1), by head pfn: one per huge PTE that maps it, a PTE of a
        // shared PMD table counting once. Changed atomically by whoever sets or clears the PTE (an atomic_t in the kernel), so it
        // counts what the code believed it mapped: a set that overwrote another CPU's set leaves a count no PTE backs.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, int> folio_mapcount = new();

        /// <summary>One more huge PTE maps the huge page at <paramref name="pfn"/> (hugetlb_add_file_rmap).</summary>
        public static void hugetlb_add_file_rmap(ulong pfn) => folio_mapcount.AddOrUpdate(pfn, 1, (_, n) => n + 1);

        /// <summary>
        /// One huge PTE less maps the huge page at <paramref name="pfn"/> (hugetlb_remove_rmap). Below zero the page was
        /// unmapped more often than it was mapped: the kernel's "Bad page map", reported as a BUG.
        /// </summary>
        public static void hugetlb_remove_rmap(ulong pfn)
        {
            int n = folio_mapcount.AddOrUpdate(pfn, -1, (_, m) => m - 1);
            if (n == 0)
                folio_mapcount.TryRemove(new System.Collections.Generic.KeyValuePair<ulong, int>(pfn, 0));
            ViolationLog.BUG_ON(n < 0, $"Bad page map: huge page pfn 0x{pfn:x} unmapped more often than mapped (mapcount {n})");
        }

        /// <summary>The mapcount of every mapped huge page now, by head pfn (for the end-of-run check).</summary>
        public static System.Collections.Generic.Dictionary<ulong, int> folio_mapcounts() => new(folio_mapcount);

        /// <summary>
        /// The huge PTE of <paramref name="addr"/>, allocating the tables above it: a shareable range first looks for
        /// another mm's PMD table to share (huge_pmd_share), else gets a table of its own. The caller holds this vma's lock
        /// (or its mapping's i_mmap_rwsem) until it is done with the entry, so no unshare takes the table away meanwhile.
        /// </summary>
        [RequiresAny("vma.vm_private_data", "vma.vm_file.f_mapping.i_mmap_rwsem", When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING")]
        [MightSleep]
        public static pXd_t? huge_pte_alloc(mm_struct mm, vm_area_struct vma, ulong addr)
        {
#if CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING
            if (__vma_shareable_lock(vma) &&
                !lockdep.lockdep_is_held(vma.vm_private_data!.rw_sema) &&
                !lockdep.lockdep_is_held(vma.vm_file!.f_mapping.i_mmap_rwsem))
                ViolationLog.assertion_failed(ViolationKind.NotHeld, "huge_pte_alloc: shareable VMA without the vma lock or i_mmap_rwsem");
#endif
            pXd_t pgd = pgd_offset(mm, addr);
            // null when a table cannot be allocated (-ENOMEM), as the kernel's NULL.
            if (memory.__pxd_alloc(mm, pgd, "huge_pte_alloc") != 0)
                return null;
            pXd_t pud = pxd_offset(pgd, addr);
            if (want_pmd_share(vma, addr) && pxd_none(pud.read()))
                return huge_pmd_share(mm, vma, addr, pud);
            if (memory.__pxd_alloc(mm, pud, "huge_pte_alloc") != 0)
                return null;
            return pxd_offset(pud, addr);
        }

        /// <summary>
        /// Completes a sequence of huge_pmd_unshare calls: flushes the TLB and synchronises with lockless walkers
        /// (tlb_remove_table_sync_one). Must be called while still holding i_mmap_rwsem for write: once it is dropped,
        /// the table can be re-shared or freed by its last user while a walker is still in it (G3).
        /// </summary>
        [Requires("vma.vm_file.f_mapping.i_mmap_rwsem", When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING")]
        [MightSleep]
        public static void huge_pmd_unshare_flush(mmu_gather tlb, vm_area_struct vma)
        {
#if CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING
            i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
#endif
            mmu_gather_ops.tlb_flush_mmu(tlb);
        }

        /// <summary>Unshares the shared PMD tables of [start, end) (PUD-aligned), with the vma lock and i_mmap_rwsem held for write.</summary>
        [Requires("vma.vm_private_data", "vma.vm_file.f_mapping.i_mmap_rwsem")]
        [MightSleep]
        private static int __hugetlb_unshare_pmds(vm_area_struct vma, ulong start, ulong end)
        {
            hugetlb_vma_assert_write_locked(vma);
            i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
            mmu_gather tlb = mmu_gather_ops.tlb_gather_mmu(vma.vm_mm);
            int unshared = 0;
            for (ulong addr = start; addr + PUD_SIZE <= end; addr += PUD_SIZE)
            {
                pXd_t? ptep = hugetlb_walk(vma, addr, HPAGE_SIZE);
                if (ptep is pXd_t p && huge_pmd_unshare(tlb, vma, addr, p))
                    unshared++;
            }
            huge_pmd_unshare_flush(tlb, vma);
            mmu_gather_ops.tlb_finish_mmu(tlb);
            return unshared;
        }

        /// <summary>
        /// Unshares every shared PMD table of the VMA (hugetlb_unshare_all_pmds): under the vma lock and
        /// i_mmap_rwsem for write, then a gather that synchronises lockless walkers.
        /// </summary>
        public static int hugetlb_unshare_all_pmds(vm_area_struct vma)
        {
            address_space mapping = vma.vm_file!.f_mapping;
            hugetlb_vma_lock_write(vma);
            i_mmap_lock_write(mapping);
            int unshared = __hugetlb_unshare_pmds(vma, (vma.vm_start + PUD_SIZE - 1) & ~(PUD_SIZE - 1), vma.vm_end & ~(PUD_SIZE - 1));
            i_mmap_unlock_write(mapping);
            hugetlb_vma_unlock_write(vma);
            return unshared;
        }

        /// <summary>
        /// Called in the middle of a VMA split at <paramref name="addr"/>: a PMD table can be shared only over a whole
        /// PUD-aligned range of the VMA, so the one around <paramref name="addr"/> is unshared now. The caller holds the
        /// mmap lock, the vma lock and i_mmap_rwsem, all for write, so no fault can share it again before the split is
        /// done (G5: unsharing earlier, in ->may_split before those locks, left that window open). Without PMD
        /// sharing there is nothing to unshare and nothing to hold.
        /// </summary>
        [Requires("vma.vm_mm.mmap_lock", "vma.vm_private_data", "vma.vm_file.f_mapping.i_mmap_rwsem", When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING")]
        [MightSleep]
        public static void hugetlb_split(vm_area_struct vma, ulong addr)
        {
#if CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING
            mmap_lock.mmap_assert_write_locked(vma.vm_mm);
            hugetlb_vma_assert_write_locked(vma);
            i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
            ulong floor = addr & ~(PUD_SIZE - 1), ceil = floor + PUD_SIZE;
            if (addr != floor && floor >= vma.vm_start && ceil <= vma.vm_end)
                __hugetlb_unshare_pmds(vma, floor, ceil);
#endif
        }

        /// <summary>hugetlb_vma_trylock_write: takes the vma lock for write if it is free; always succeeds for VMAs without one.</summary>
        [TryAcquires(true, "vma.vm_private_data")]
        [NoLockAnalysis("implements the vma lock with its rw_semaphore, and is a no-op for VMAs without one")]
        public static bool hugetlb_vma_trylock_write(vm_area_struct vma) =>
            vma.vm_private_data == null || down_write_trylock(vma.vm_private_data.rw_sema);

        /// <summary>
        /// __hugetlb_vma_unlock_write_free: releases the vma lock and detaches it from the VMA being unmapped for good,
        /// so huge_pmd_share no longer finds the VMA shareable while its tables are torn down.
        /// </summary>
        [Releases("vma.vm_private_data")]
        [NoLockAnalysis("detaches the lock from the VMA before releasing it")]
        public static void __hugetlb_vma_unlock_write_free(vm_area_struct vma)
        {
            hugetlb_vma_lock? vma_lock = vma.vm_private_data;
            if (vma_lock == null)
                return;
            vma.vm_private_data = null;
            up_write(vma_lock.rw_sema);
        }

        /// <summary>
        /// The split lock of the PMD table holding <paramref name="ptep"/> (huge_pte_lockptr). It lives with the table
        /// page, so reaching it through a table that was freed is a use-after-free, as with the kernel's allocated ptlocks.
        /// </summary>
        public static spinlock_t huge_pte_lockptr(pXd_t ptep) => ptep.ptl;

        /// <summary>
        /// GUP's lookup of the page mapped at <paramref name="address"/> (hugetlb_follow_page_mask), called with the
        /// mmap lock held. The vma lock (read) keeps a shared PMD table from being unshared and freed between the
        /// lookup and the read of the entry: the mmap lock alone does not, since hole punching never takes it (bug G4).
        /// </summary>
        [RequiresShared("vma.vm_mm.mmap_lock")]
        [MightSleep]
        public static ulong? hugetlb_follow_page_mask(vm_area_struct vma, ulong address)
        {
            mmap_lock.mmap_assert_locked(vma.vm_mm);
            ulong? pfn = null;
            hugetlb_vma_lock_read(vma);
            pXd_t? pte = hugetlb_walk(vma, address & ~(HPAGE_SIZE - 1), HPAGE_SIZE);
            if (pte is pXd_t p)
            {
                RaceWindow.at("hugetlb_follow_page_mask");
                spinlock_t ptl = p.ptl;
                spin_lock(ptl);
                ulong entry = p.read();
                if (pxd_present(entry))
                    pfn = entry_pfn(entry) + (address % HPAGE_SIZE) / PAGE_SIZE;
                spin_unlock(ptl);
            }
            hugetlb_vma_unlock_read(vma);
            return pfn;
        }

        /// <summary>
        /// fork's copy of a hugetlb VMA (copy_hugetlb_page_range): the parent's huge PTEs into the child's VMA. fork holds
        /// both mmap locks for write; the parent's vma lock (read) keeps its PMD tables from being unshared meanwhile.
        /// Where the child ends up sharing the parent's PMD table there is nothing to copy. The child's VMA is already in
        /// the file's i_mmap (dup_mmap links it first), so hole punching could unshare the child's table under the copy:
        /// the port also holds the child's vma lock, as hugetlb_fault does around huge_pte_alloc. (The kernel copies a
        /// shared hugetlb VMA only for userfaultfd write-protect and does not take it.)
        /// </summary>
        [Requires("dst.mmap_lock", "src.mmap_lock")]
        [MightSleep]
        public static int copy_hugetlb_page_range(mm_struct dst, mm_struct src, vm_area_struct dst_vma, vm_area_struct src_vma)
        {
            int ret = 0;
            mmap_lock.mmap_assert_write_locked(src);
            mmap_lock.mmap_assert_write_locked(dst);
            hugetlb_vma_lock_read(src_vma);
            hugetlb_vma_lock_read(dst_vma);
            for (ulong addr = src_vma.vm_start; addr < src_vma.vm_end; addr += HPAGE_SIZE)
            {
                if (hugetlb_walk(src_vma, addr, HPAGE_SIZE) is not pXd_t src_pte)
                    continue;
                RaceWindow.at("copy_hugetlb_page_range");
                ulong entry = src_pte.read();
                if (pxd_none(entry))
                    continue;
                // -ENOMEM stops the copy; what was copied stays mapped and counted, for the caller's teardown of dst.
                if (huge_pte_alloc(dst, dst_vma, addr) is not pXd_t dst_pte)
                {
                    ret = lib.errno.ENOMEM;
                    break;
                }
                if (dst_pte.table.page.Equals(src_pte.table.page))
                    continue;
                spinlock_t ptl = dst_pte.ptl;
                spin_lock(ptl);
                if (pxd_none(dst_pte.read()))
                {
                    hugetlb_add_file_rmap(entry_pfn(entry));
                    // As in hugetlb_no_page: a CPU held up between the check and the set, with the lock keeping others out.
                    RaceWindow.at("copy_hugetlb_page_range_locked");
                    set_huge_pte_at(dst_pte, entry);
                }
                spin_unlock(ptl);
            }
            hugetlb_vma_unlock_read(dst_vma);
            hugetlb_vma_unlock_read(src_vma);
            return ret;
        }

        /// <summary>
        /// Unmaps [start, end) of a hugetlb VMA (__unmap_hugepage_range): a shared PMD table is unshared, other huge
        /// PTEs are cleared under the table's lock. Needs i_mmap_rwsem and the vma lock for write, which huge_pmd_unshare
        /// needs; the gather is flushed while they are held, so lockless walkers are synchronised before anyone re-shares (G3).
        /// </summary>
        [Requires("vma.vm_file.f_mapping.i_mmap_rwsem", "vma.vm_private_data")]
        [MightSleep]
        public static void __unmap_hugepage_range(mmu_gather tlb, vm_area_struct vma, ulong start, ulong end)
        {
            i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
            hugetlb_vma_assert_write_locked(vma);
            for (ulong addr = start; addr < end; addr += HPAGE_SIZE)
            {
                if (hugetlb_walk(vma, addr, HPAGE_SIZE) is not pXd_t ptep)
                {
                    addr = (addr & ~(PUD_SIZE - 1)) + PUD_SIZE - HPAGE_SIZE;
                    continue;
                }
                if (huge_pmd_unshare(tlb, vma, addr, ptep))
                {
                    addr = (addr & ~(PUD_SIZE - 1)) + PUD_SIZE - HPAGE_SIZE;
                    continue;
                }
                spinlock_t ptl = ptep.ptl;
                spin_lock(ptl);
                ulong old = huge_ptep_get_and_clear(ptep);
                if (pxd_present(old))
                    hugetlb_remove_rmap(entry_pfn(old));
                spin_unlock(ptl);
            }
            huge_pmd_unshare_flush(tlb, vma);
        }

        /// <summary>unmap_hugepage_range: <see cref="__unmap_hugepage_range"/> with a gather of its own.</summary>
        [Requires("vma.vm_file.f_mapping.i_mmap_rwsem", "vma.vm_private_data")]
        [MightSleep]
        public static void unmap_hugepage_range(vm_area_struct vma, ulong start, ulong end)
        {
            i_mmap_assert_write_locked(vma.vm_file!.f_mapping);
            hugetlb_vma_assert_write_locked(vma);
            mmu_gather tlb = mmu_gather_ops.tlb_gather_mmu(vma.vm_mm);
            __unmap_hugepage_range(tlb, vma, start, end);
            mmu_gather_ops.tlb_finish_mmu(tlb);
        }

        /// <summary>
        /// The final unmap of a VMA at munmap (__unmap_hugepage_range_final between __hugetlb_zap_begin and _end): the vma
        /// lock is detached before i_mmap_rwsem is released, so no other mm can start sharing the tables about to be freed.
        /// </summary>
        [RequiresShared("vma.vm_mm.mmap_lock")]
        [MightSleep]
        public static void __unmap_hugepage_range_final(mmu_gather tlb, vm_area_struct vma)
        {
            mmap_lock.mmap_assert_locked(vma.vm_mm);
            address_space mapping = vma.vm_file!.f_mapping;
            hugetlb_vma_lock_write(vma);
            i_mmap_lock_write(mapping);
            __unmap_hugepage_range(tlb, vma, vma.vm_start, vma.vm_end);
            __hugetlb_vma_unlock_write_free(vma);
            i_mmap_unlock_write(mapping);
        }

        /// <summary>
        /// Frees the PMD tables under an unmapped, unlinked hugetlb VMA (hugetlb_free_pgd_range). What a PUD still points to
        /// is the mm's own table (the unmap unshared the others) and, the VMA being unlinked, nobody can start sharing it.
        /// Only tables wholly inside the VMA go (the kernel's floor/ceiling). Lockless walkers may still be in them: the gather
        /// frees them after they are done. Needs the mmap lock for write, as munmap holds it.
        /// </summary>
        [Requires("vma.vm_mm.mmap_lock")]
        public static void hugetlb_free_pgd_range(mmu_gather tlb, vm_area_struct vma)
        {
            mm_struct mm = vma.vm_mm;
            mmap_lock.mmap_assert_write_locked(mm);
            for (ulong addr = (vma.vm_start + PUD_SIZE - 1) & ~(PUD_SIZE - 1); addr + PUD_SIZE <= vma.vm_end; addr += PUD_SIZE)
            {
                pXd_t pgd = pgd_offset(mm, addr);
                if (!pxd_table(pgd.read(), pt_level.pgd))
                    continue;
                pXd_t pud = pxd_offset(pgd, addr);
                if (!pxd_table(pud.read(), pt_level.pud))
                    continue;
                pgtable_t pmd_table = next_table(pud);
                ViolationLog.BUG_ON(!table_empty(pmd_table), $"hugetlb_free_pgd_range: PMD table of 0x{addr:x} in {mm} still maps pages");
                pud.write(0);
                mmu_gather_ops.tlb_remove_table(tlb, pmd_table);
            }
        }
    }
}
