using MmLock;
using ReferenceKernelMm.include.linux;

namespace ReferenceKernelMm.kernel
{
    /// <summary>CPU hotplug's lock, which memory hotplug nests inside (mem_hotplug_begin).</summary>
    public static class cpu
    {
        /// <summary>Keeps CPUs from coming or going.</summary>
        [AcquiredBefore("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static readonly percpu_rw_semaphore cpu_hotplug_lock = new("cpu_hotplug_lock");

        /// <summary>cpus_read_lock.</summary>
        [AcquiresShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        public static void cpus_read_lock() => locking.percpu_down_read(cpu_hotplug_lock);

        /// <summary>cpus_read_unlock.</summary>
        [ReleasesShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        public static void cpus_read_unlock() => locking.percpu_up_read(cpu_hotplug_lock);

        /// <summary>lockdep_assert_cpus_held: CPUs cannot come or go (cpu_hotplug_lock held, either mode).</summary>
        [AssertsHeldShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        public static void lockdep_assert_cpus_held() => lockdep.lockdep_assert_held_any(cpu_hotplug_lock);
    }
}
