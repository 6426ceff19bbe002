using System.Threading;
using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.init
{
    /// <summary>The system states the port distinguishes.</summary>
    public enum system_states
    {
        /// <summary>Only the boot CPU runs kernel code.</summary>
        SYSTEM_BOOTING,
        /// <summary>Every CPU may run kernel code.</summary>
        SYSTEM_RUNNING,
    }

    /// <summary>
    /// Boot (init/main.c). It runs from K's type initialiser, so no other thread reaches the kernel's globals (init_mm,
    /// swapper_pg_dir) before it is done: in the model that is what "only the boot CPU runs" means, whatever other
    /// threads are CPUs already.
    /// </summary>
    public static class main
    {
        private static volatile Thread? boot_thread;
        private static volatile int state;

        /// <summary>SYSTEM_BOOTING until smp_init.</summary>
        public static system_states system_state => (system_states)state;

        /// <summary>Maps boot memory on the boot CPU (borrowed for the purpose when the first user of K is not a CPU).</summary>
        internal static void start_kernel()
        {
            CpuHandle? boot_cpu = Smp.this_cpu_or_null() == null ? Smp.cpu_up() : null;
            try
            {
                boot_cpu_init();
                arch.arm64.mm.mmu.paging_init();
                smp_init();
            }
            finally
            {
                boot_cpu?.Dispose();
            }
        }

        [Acquires("ReferenceKernelMm.K.SingleCpuBoot")]
        [NoLockAnalysis("primitive: marks the boot CPU, the only one running kernel code until smp_init")]
        private static void boot_cpu_init()
        {
            ViolationLog.BUG_ON(system_state != system_states.SYSTEM_BOOTING || boot_thread != null, "boot_cpu_init after boot");
            boot_thread = Thread.CurrentThread;
        }

        [Releases("ReferenceKernelMm.K.SingleCpuBoot")]
        [NoLockAnalysis("primitive: from here every CPU may run kernel code")]
        private static void smp_init()
        {
            state = (int)system_states.SYSTEM_RUNNING;
            boot_thread = null;
        }

        /// <summary>Whether the caller is the boot CPU before smp_init (the run-time side of K.SingleCpuBoot).</summary>
        public static bool lockdep_is_single_cpu_boot() =>
            system_state == system_states.SYSTEM_BOOTING && boot_thread == Thread.CurrentThread;

        /// <summary>Asserts the caller is the boot CPU before smp_init.</summary>
        [AssertsHeld("ReferenceKernelMm.K.SingleCpuBoot")]
        public static void lockdep_assert_single_cpu_boot()
        {
            if (!lockdep_is_single_cpu_boot())
                ViolationLog.assertion_failed(ViolationKind.NotHeld, $"not the boot CPU before smp_init (system_state {system_state})");
        }
    }
}
