using MmLock;

// The page-table spaces of the port and how their tables get freed (kernel-rules.md A, D, E).
// A non-owning walker of a space must hold, for every freeing active in the build, one of its ExcludedBy.

// Kernel tables (swapper_pg_dir): linear map, vmalloc/ioremap, vmemmap.
// Populating empty entries and non-owner leaf updates take init_mm.page_table_lock.
[assembly: PageTableSpace("kernel", LeafLock = new[] { "ReferenceKernelMm.K.init_mm.page_table_lock" })]

// Hot-remove frees linear-map and vmemmap tables under mem_hotplug_begin; it never takes init_mm's mmap lock.
[assembly: TableFreeing("kernel", "hot-remove",
    Holds = new[] { "exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock" },
    ExcludedBy = new[] { "ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock" },
    When = "CONFIG_MEMORY_HOTREMOVE")]

// Collapsing a vmap range into a huge mapping frees the PTE/PMD tables under it, holding init_mm's mmap
// lock for read (a trylock); ptdump holds it for write (bug G2's fix).
[assembly: TableFreeing("kernel", "huge-vmap-collapse",
    Holds = new[] { "shared ReferenceKernelMm.K.init_mm.mmap_lock" },
    ExcludedBy = new[] { "exclusive ReferenceKernelMm.K.init_mm.mmap_lock" },
    When = "CONFIG_HAVE_ARCH_HUGE_VMAP")]

// hugetlb page tables of shared mappings: a PMD table may be shared between mms and unshared under a walker.
// A huge PTE is set or cleared under the split lock of its PMD table (huge_pte_lock), which every sharer uses; the
// leaf modifiers name the entry they change as `ptep`.
[assembly: PageTableSpace("hugetlb", LeafLock = new[] { "ptep.ptl" })]

// huge_pmd_unshare: under the mapping's i_mmap_rwsem and the vma lock, both for write. A walker holds
// either (any mode); existentials because huge_pte_offset has no vma to name. hugetlb_walk, which has one, also
// requires them of its own vma by name, so one vma's lock does not pass for another's.
// Opt-in, not upstream (MMLOCK_RFC_HUGETLB_WALKER_LOCK, docs/configuration.md): the RFC v2 "walker lock" also
// accepts rcu_read_lock where tables are RCU-freed, and IRQs off, which holds off both the grace period and the
// freeing IPI (sched-RCU).
[assembly: TableFreeing("hugetlb", "pmd-unshare",
    Holds = new[] { "exclusive vma.vm_file.f_mapping.i_mmap_rwsem", "exclusive vma.vm_private_data" },
    ExcludedBy = new[]
    {
        "any ReferenceKernelMm.include.linux.hugetlb_vma_lock",
        "any ReferenceKernelMm.include.linux.i_mmap_rw_semaphore",
        "ReferenceKernelMm.K.RCU when MMLOCK_RFC_HUGETLB_WALKER_LOCK && CONFIG_MMU_GATHER_RCU_TABLE_FREE",
        "ReferenceKernelMm.K.IrqsOff when MMLOCK_RFC_HUGETLB_WALKER_LOCK",
        "ReferenceKernelMm.K.IrqsSaved when MMLOCK_RFC_HUGETLB_WALKER_LOCK",
    },
    When = "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING")]

// User tables walked locklessly (gup_fast). Tables are freed through mmu_gather: after an RCU grace period
// with MMU_GATHER_RCU_TABLE_FREE, else after the TLB-flush IPI; and tlb_remove_table_sync_one's IPI is
// what THP collapse and PMD unshare rely on. Only IRQs off blocks those IPIs, so it is the only guard:
// rcu_read_lock is not enough, with or without RCU table freeing (kernel-rules.md E).
[assembly: PageTableSpace("user")]
[assembly: TableFreeing("user", "mmu_gather",
    ExcludedBy = new[] { "ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved" })]
