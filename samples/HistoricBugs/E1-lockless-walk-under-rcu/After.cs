// Seed E: as gup_fast does, IRQs stay off for the whole walk (local_irq_save nests, so any caller may use it).
using System.Collections.Generic;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;

namespace HistoricBugs.E1.After;

public static class gup_e1
{
    public static List<ulong> get_user_pages_irqsoff(mm_struct mm, ulong start, int nr_pages)
    {
        var pages = new List<ulong>();
        ulong flags = Smp.local_irq_save();
        gup.gup_fast_pgd_range(mm, start, start + (ulong)nr_pages * pgtable.PAGE_SIZE, pages);
        Smp.local_irq_restore(flags);
        return pages;
    }
}
