// Stand-ins: the port does not model the fixmap yet. arm64 writes a table page that is not in the linear map
// through one fixed virtual slot per level (pud_set_fixmap ... pud_clear_fixmap); fixmap_lock serialises the slot.
using MmLock;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.G10;

public static class fixmap
{
    public static readonly mutex fixmap_lock = new("fixmap_lock");

    [GuardedBy("HistoricBugs.G10.fixmap.fixmap_lock")]
    private static pgtable_t? pud_slot;

    [Requires("HistoricBugs.G10.fixmap.fixmap_lock")]
    public static pXd_t pud_set_fixmap(pgtable_t table, ulong addr)
    {
        pud_slot = table;
        return table.entry(pgtable.index(addr, pt_level.pud));
    }

    [Requires("HistoricBugs.G10.fixmap.fixmap_lock")]
    public static void pud_clear_fixmap() => pud_slot = null;
}
