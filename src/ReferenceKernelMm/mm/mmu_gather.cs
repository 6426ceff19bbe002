using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.mm
{
    /// <summary>Batches the teardown of a user mm's mappings and tables until the TLB is flushed.</summary>
    public sealed class mmu_gather
    {
        internal mmu_gather(mm_struct mm) { this.mm = mm; }

        /// <summary>The mm being torn down.</summary>
        public readonly mm_struct mm;
        internal readonly List<pgtable_t> tables = new();
        // Set by huge_pmd_unshare: a lockless walker may still be in the unshared table (bug G3).
        internal bool unshared_tables;
    }

    /// <summary>
    /// Table freeing for user page tables (mm/mmu_gather.c). Lockless walkers (gup_fast) run with IRQs off;
    /// tables reach the allocator only after every such walker is done: after an RCU grace period with
    /// MMU_GATHER_RCU_TABLE_FREE (IRQs-off regions are sched-RCU readers), else after the TLB-flush IPI.
    /// </summary>
    public static class mmu_gather_ops
    {
        /// <summary>Starts a gather on <paramref name="mm"/>.</summary>
        public static mmu_gather tlb_gather_mmu(mm_struct mm) => new(mm);

        /// <summary>Queues a page-table page to be freed once no lockless walker can see it.</summary>
        [TableFreer("user", "mmu_gather")]
        public static void tlb_remove_table(mmu_gather tlb, pgtable_t table) => tlb.tables.Add(table);

        /// <summary>Waits until no CPU is inside an IRQs-off lockless walk that started before the call: an IPI to all.</summary>
        [Excludes("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved")]
        public static void tlb_remove_table_sync_one()
        {
            lockdep.lockdep_assert_irqs_enabled();
#if CONFIG_MMU_GATHER_RCU_TABLE_FREE
            Smp.smp_call_function(_ => { }, null, wait: true);
#endif
            // Without RCU table freeing the TLB-flush IPI that precedes every free already synchronises.
        }

        /// <summary>Flushes the TLB and frees the gathered tables.</summary>
        [MightSleep]
        public static void tlb_flush_mmu(mmu_gather tlb)
        {
            tlbflush.flush_tlb_mm(tlb.mm);
            if (tlb.unshared_tables)
            {
                tlb_remove_table_sync_one();
                tlb.unshared_tables = false;
            }
            if (tlb.tables.Count == 0)
                return;
            pgtable_t[] batch = tlb.tables.ToArray();
            tlb.tables.Clear();
#if CONFIG_MMU_GATHER_RCU_TABLE_FREE
            Rcu.call_rcu(() =>
            {
                foreach (pgtable_t t in batch)
                    pgtable.table_free(t, "tlb_remove_table_rcu");
            });
#else
            // flush_tlb_mm above was an IPI to every CPU: IRQs-off walkers that could see these tables are done.
            foreach (pgtable_t t in batch)
                pgtable.table_free(t, "tlb_remove_table");
#endif
        }

        /// <summary>Ends the gather.</summary>
        [MightSleep]
        public static void tlb_finish_mmu(mmu_gather tlb) => tlb_flush_mmu(tlb);
    }
}
