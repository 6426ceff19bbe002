using MmLock;
using ReferenceKernelMm.include.linux;

namespace ReferenceKernelMm
{
    /// <summary>The RCU read side: sched-RCU semantics, so IRQs-off and preempt-off regions are readers too.</summary>
    [Context(Atomic = true, Reentrant = true)]
    public sealed class rcu_context
    {
        internal rcu_context() { }
    }

    /// <summary>IRQs disabled by <c>local_irq_disable</c>: does not nest, one enable ends it.</summary>
    [Context(Atomic = true, Idempotent = true)]
    public sealed class irqs_off_context
    {
        internal irqs_off_context() { }
    }

    /// <summary>IRQs disabled by <c>local_irq_save</c>: nests, each restore undoes one save.</summary>
    [Context(Atomic = true, Reentrant = true)]
    public sealed class irqs_saved_context
    {
        internal irqs_saved_context() { }
    }

    /// <summary>Held by the CPU running fn under stop_machine: every other CPU is stopped with IRQs disabled.</summary>
    [Context(Atomic = true)]
    public sealed class stop_machine_context
    {
        internal stop_machine_context() { }
    }

    /// <summary>Held by the boot CPU from boot_cpu_init to smp_init, before any other CPU runs kernel code.</summary>
    [Context]
    public sealed class single_cpu_boot_context
    {
        internal single_cpu_boot_context() { }
    }

    /// <summary>
    /// Kernel-wide tokens and objects. Context expressions name them fully qualified
    /// (<c>ReferenceKernelMm.K.RCU</c>) because the analyzers never consult usings.
    /// </summary>
    public static class K
    {
        /// <summary>Held between <c>rcu_read_lock</c> and <c>rcu_read_unlock</c>.</summary>
        public static readonly rcu_context RCU = new();

        /// <summary>Held between <c>local_irq_disable</c> and <c>local_irq_enable</c>.</summary>
        public static readonly irqs_off_context IrqsOff = new();

        /// <summary>Held between <c>local_irq_save</c> and <c>local_irq_restore</c>.</summary>
        public static readonly irqs_saved_context IrqsSaved = new();

        /// <summary>Held inside a stop_machine callback (<c>cpu_stop_fn_t</c>).</summary>
        public static readonly stop_machine_context StopMachine = new();

        /// <summary>Held while only the boot CPU runs (system_state SYSTEM_BOOTING, before smp_init).</summary>
        public static readonly single_cpu_boot_context SingleCpuBoot = new();

        /// <summary>The kernel's own mm: <c>swapper_pg_dir</c>, its mmap_lock and page_table_lock.</summary>
        public static readonly mm_struct init_mm = mm_struct.create_init_mm();

        // Boot: the first use of the kernel's globals maps boot memory, so every walker sees a booted kernel.
        static K() => init.main.start_kernel();
    }
}
