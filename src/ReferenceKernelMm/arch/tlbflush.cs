using System.Threading;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.arch
{
    /// <summary>
    /// TLB maintenance. x86 and riscv shoot down other CPUs' TLBs with an IPI, which cannot complete while a
    /// CPU has IRQs disabled; arm64, powerpc and s390 broadcast the invalidation in hardware, with no IPI.
    /// The model keeps no TLBs: it counts flushes, and the IPI variant waits like the real one.
    /// </summary>
    public static class tlbflush
    {
        private static long flushes;

        /// <summary>Kernel-range flushes performed so far.</summary>
        public static long nr_flushes => Interlocked.Read(ref flushes);

        /// <summary>Flushes the kernel TLB entries of [start, end) on every CPU. With IPIs it must not be called with IRQs off.</summary>
        [MmLock.Excludes("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved", When = "CONFIG_X86 || CONFIG_RISCV")]
        public static void flush_tlb_kernel_range(ulong start, ulong end)
        {
            ViolationLog.BUG_ON(end <= start, $"empty flush range 0x{start:x}-0x{end:x}");
            flush_all();
        }

        /// <summary>Flushes a user mm's TLB entries everywhere (the tlb_flush of an mmu_gather).</summary>
        [MmLock.Excludes("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved", When = "CONFIG_X86 || CONFIG_RISCV")]
        public static void flush_tlb_mm(include.linux.mm_struct mm)
        {
            ViolationLog.BUG_ON(mm == K.init_mm, "flush_tlb_mm on init_mm");
            flush_all();
        }

        private static void flush_all()
        {
#if CONFIG_X86 || CONFIG_RISCV
            Smp.on_each_cpu(_ => Interlocked.Increment(ref flushes), null, wait: true);
#else
            Interlocked.Increment(ref flushes);
#endif
        }
    }
}
