// A stand-in: every kernel leaf writer of the port owns its range, so this pair declares the non-owner it needs.
// x86's phys_pmd_init installs direct-map leaves of hot-added memory in PMD tables shared with live neighbours.
using MmLock;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.A3;

public static class x86_init
{
    [LeafModifier("kernel")]
    public static void set_pmd_init(pXd_t pmd, ulong pmdval) => pmd.write(pmdval);
}
