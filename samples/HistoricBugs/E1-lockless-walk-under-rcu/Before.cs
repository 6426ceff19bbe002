// Seed E (lockless user page-table walkers): a fast-GUP-style walker that relies on rcu_read_lock(), reasoning
// that tables are freed after a grace period. That covers the freeing only: PMD unshare and THP collapse
// synchronise with lockless walkers through tlb_remove_table_sync_one()'s IPI, which only IRQs off holds up.
// So IRQs off is needed with or without MMU_GATHER_RCU_TABLE_FREE: flagged in every profile.
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using System.Collections.Generic;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;

namespace HistoricBugs.E1.Before;

public static class gup_e1
{
    public static List<ulong> get_user_pages_rcu(mm_struct mm, ulong start, int nr_pages)
    {
        var pages = new List<ulong>();
        Rcu.rcu_read_lock();
        // expect MM2001 in all:
        //   Calling 'gup_fast_pgd_range' walks 'user' page tables without excluding the 'mmu_gather' freeing: hold one of 'K.IrqsOff', 'K.IrqsSaved'
        gup.gup_fast_pgd_range(mm, start, start + (ulong)nr_pages * pgtable.PAGE_SIZE, pages);
        Rcu.rcu_read_unlock();
        return pages;
    }
}
