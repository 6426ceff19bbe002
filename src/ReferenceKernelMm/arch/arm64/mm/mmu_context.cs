using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.arch.arm64.mm
{
    /// <summary>Switching the kernel root of a CPU (arch/arm64/include/asm/mmu_context.h).</summary>
    public static class mmu_context
    {
        // Each CPU's TTBR1_EL1: the root it translates kernel addresses with; null means swapper_pg_dir.
        private static readonly FrameRef?[] ttbr1 = new FrameRef?[Smp.NR_CPUS];

        /// <summary>
        /// cpu_replace_ttbr1: switches this CPU's kernel root to <paramref name="pgd"/> (through the idmap, invalidating
        /// its own TLB). Only this CPU switches; the others keep using, and may be writing, the root they have, so the
        /// caller must be the only CPU running: under stop_machine, or at boot before the others come up (kernel-rules.md B).
        /// </summary>
        [ReplacesLiveRoot("ReferenceKernelMm.K.StopMachine", "ReferenceKernelMm.K.SingleCpuBoot")]
        public static void cpu_replace_ttbr1(pgtable_t pgd)
        {
            if (!kernel.cpu_stop.lockdep_is_in_stop_machine() && !init.main.lockdep_is_single_cpu_boot())
                ViolationLog.assertion_failed(ViolationKind.NotHeld,
                    $"cpu_replace_ttbr1 on CPU {Smp.smp_processor_id()} while other CPUs run: neither under stop_machine nor at boot");
            ViolationLog.BUG_ON(pgd.level != pt_level.pgd, "cpu_replace_ttbr1: not a pgd");
            lock (ttbr1)
                ttbr1[Smp.smp_processor_id()] = pgd.page.Equals(K.init_mm.pgd.page) ? null : pgd.page;
        }

        /// <summary>A CPU whose kernel root is <paramref name="pgd"/>, or -1.</summary>
        internal static int cpu_using_root(pgtable_t pgd)
        {
            lock (ttbr1)
            {
                for (int cpu = 0; cpu < ttbr1.Length; cpu++)
                    if (ttbr1[cpu] is FrameRef root && root.Equals(pgd.page))
                        return cpu;
            }
            return -1;
        }
    }
}
