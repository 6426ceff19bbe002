// Stand-ins: the port does not model stop_machine or TTBR1 yet. They carry the kernel's contract: switching a
// live root (cpu_replace_ttbr1) is only safe while no other CPU can use or write the old one.
using MmLock;
using ReferenceKernelMm.include.linux;

namespace HistoricBugs.B;

/// <summary>Held while every other CPU is parked in stop_machine.</summary>
[Context(Atomic = true)]
public sealed class stop_machine_token
{
}

public static class mmu_context
{
    public static readonly stop_machine_token STOP_MACHINE = new();

    [ReplacesLiveRoot("HistoricBugs.B.mmu_context.STOP_MACHINE")]
    public static void cpu_replace_ttbr1(pgtable_t pgd)
    {
    }
}
