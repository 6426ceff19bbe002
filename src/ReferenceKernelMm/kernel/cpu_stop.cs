using MmLock;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.kernel
{
    /// <summary>A stop_machine callback: runs on one CPU while every other online CPU is stopped with IRQs disabled.</summary>
    [Requires("ReferenceKernelMm.K.StopMachine")]
    public delegate int cpu_stop_fn_t(object? data);

    /// <summary>stop_machine (kernel/stop_machine.c). How the model stops CPUs: <see cref="CpuStop"/>.</summary>
    public static class cpu_stop
    {
        /// <summary>Serialises stop_machine callers (the kernel's stop_cpus_mutex).</summary>
        public static readonly mutex stop_cpus_mutex = new("stop_cpus_mutex");

        /// <summary>Runs <paramref name="fn"/> with every other CPU stopped; keeps CPUs from coming or going meanwhile.</summary>
        [MightSleep]
        public static int stop_machine(cpu_stop_fn_t fn, object? data)
        {
            cpu.cpus_read_lock();
            try
            {
                return stop_machine_cpuslocked(fn, data);
            }
            finally
            {
                cpu.cpus_read_unlock();
            }
        }

        /// <summary>stop_machine for callers that already hold cpus_read_lock (mem_hotplug_begin takes it).</summary>
        [RequiresShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        [MightSleep]
        public static int stop_machine_cpuslocked(cpu_stop_fn_t fn, object? data)
        {
            cpu.lockdep_assert_cpus_held();
            locking.mutex_lock(stop_cpus_mutex);
            queue_stop_cpus_work();
            multi_cpu_stop_begin();
            try
            {
                return fn(data);
            }
            finally
            {
                multi_cpu_stop_end();
                locking.mutex_unlock(stop_cpus_mutex);
            }
        }

        // Each CPU's stopper work (per_cpu(cpu_stopper.stop_work)): one struct per CPU, which every stop_machine fills in.
        private static readonly object stop_work = new();

        /// <summary>
        /// queue_stop_cpus_work: fills in and queues every online CPU's stopper work, one CPU after the other, with
        /// preemption disabled. The works are per CPU, not per caller: two callers at once overwrite each other's and queue
        /// them in different orders on different CPUs, and the stoppers deadlock, each waiting in another stop's work. Only
        /// stop_cpus_mutex keeps callers apart; KCSAN sees two of them write the works at once. The loop stands for the
        /// queueing of the whole machine (a preempted vCPU stretches it), so a stress run may hold it up.
        /// </summary>
        private static void queue_stop_cpus_work()
        {
            lockdep.lockdep_assert_held(stop_cpus_mutex);
            Smp.preempt_disable();
            using (Kcsan.write(stop_work, $"queue_stop_cpus_work on CPU {Smp.raw_smp_processor_id()}"))
                RaceWindow.at("queue_stop_cpus_work");
            Smp.preempt_enable();
        }

        // One stop at a time: the stop state is the stopper's alone.
        [Acquires("ReferenceKernelMm.K.StopMachine")]
        [Requires("ReferenceKernelMm.kernel.cpu_stop.stop_cpus_mutex")]
        [NoLockAnalysis("primitive: stops the other simulated CPUs and disables IRQs on all of them")]
        private static void multi_cpu_stop_begin()
        {
            lockdep.lockdep_assert_held(stop_cpus_mutex);
            CpuStop.multi_cpu_stop_begin();
        }

        [Releases("ReferenceKernelMm.K.StopMachine")]
        [NoLockAnalysis("primitive: lets the stopped CPUs go")]
        private static void multi_cpu_stop_end() => CpuStop.multi_cpu_stop_end();

        /// <summary>Whether this CPU is running a stop_machine callback now.</summary>
        public static bool lockdep_is_in_stop_machine()
        {
            Cpu? self = Smp.this_cpu_or_null();
            return self != null && CpuStop.running_on(self);
        }

        /// <summary>Asserts this CPU is running a stop_machine callback.</summary>
        [AssertsHeld("ReferenceKernelMm.K.StopMachine")]
        public static void lockdep_assert_in_stop_machine()
        {
            if (!lockdep_is_in_stop_machine())
                ViolationLog.assertion_failed(ViolationKind.NotHeld, $"not inside stop_machine on CPU {Smp.raw_smp_processor_id()}");
        }
    }
}
