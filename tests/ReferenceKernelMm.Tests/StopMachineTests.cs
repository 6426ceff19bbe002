using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.kernel;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    public class StopMachineTests
    {
        // Kernel work that keeps a CPU busy: a spinlock section, an IRQs-off section, an RCU section, page-table memory reads.
        private static Task Worker(string name, spinlock_t lk, FrameRef page, long[] progress, int slot, CancellationToken stop) =>
            TestCpu.Run(name, () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    locking.spin_lock(lk);
                    page.read(slot);
                    locking.spin_unlock(lk);
                    ulong flags = Smp.local_irq_save();
                    page.read(slot);
                    Smp.local_irq_restore(flags);
                    Rcu.rcu_read_lock();
                    page.read(slot);
                    Rcu.rcu_read_unlock();
                    Interlocked.Increment(ref progress[slot]);
                }
            });

        [Fact]
        public void Fn_runs_while_every_other_CPU_is_stopped_with_IRQs_disabled()
        {
            using var cpu = Smp.cpu_up();
            Rcu.call_rcu(() => { }); // the RCU callback CPU exists and sleeps: it counts as stopped
            Rcu.rcu_barrier();
            var lk = new spinlock_t("test_stop_lock");
            FrameRef page = page_alloc.get_zeroed_page("test");
            long[] progress = new long[3];
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 3).Select(i => Worker($"worker {i}", lk, page, progress, i, stop.Token)).ToArray();
            TestCpu.Until(() => progress.All(p => Volatile.Read(ref p) > 0), "workers running");

            bool othersIrqsOff = false, inStopMachine = false;
            long[] before = new long[3], after = new long[3];
            int ret = cpu_stop.stop_machine(_ =>
            {
                inStopMachine = cpu_stop.lockdep_is_in_stop_machine();
                othersIrqsOff = Smp.online_cpus().Where(c => c != cpu.Cpu).All(c => c.irqs_disabled);
                for (int i = 0; i < 3; i++)
                    before[i] = Volatile.Read(ref progress[i]);
                Thread.Sleep(50); // not a kernel sleep: a long atomic section, during which nothing else may run
                for (int i = 0; i < 3; i++)
                    after[i] = Volatile.Read(ref progress[i]);
                return 7;
            }, null);

            Assert.Equal(7, ret);
            Assert.True(inStopMachine);
            Assert.True(othersIrqsOff);
            Assert.Equal(before, after);
            Assert.False(cpu_stop.lockdep_is_in_stop_machine());
            TestCpu.Until(() => Enumerable.Range(0, 3).All(i => Volatile.Read(ref progress[i]) > after[i]), "workers resume");
            stop.Cancel();
            foreach (Task w in workers)
                w.Wait("worker");
            Assert.All(Smp.online_cpus(), c => Assert.False(c.irqs_disabled)); // restored everywhere
            page_alloc.free_page(page, "test");
        }

        [Fact]
        public void The_stop_waits_for_a_CPU_with_IRQs_disabled_to_enable_them()
        {
            using var irqsOff = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            bool enabled = false, enabledBeforeFn = false;
            var victim = TestCpu.Run("irqs off", () =>
            {
                Smp.local_irq_disable();
                irqsOff.Set();
                release.WaitTakingIpis();
                Volatile.Write(ref enabled, true);
                Smp.local_irq_enable(); // the CPU becomes preemptible here and stops until the stop ends
            });
            irqsOff.Wait("victim disabled IRQs");
            var stopper = TestCpu.Run("stopper", () => cpu_stop.stop_machine(_ =>
            {
                enabledBeforeFn = Volatile.Read(ref enabled);
                return 0;
            }, null));
            TestCpu.StillBlocked(stopper, "stop_machine with a CPU in an IRQs-off section");
            release.Set();
            stopper.Wait("stop_machine");
            victim.Wait("victim");
            Assert.True(enabledBeforeFn);
        }

        [Fact]
        public void A_CPU_sleeping_on_a_lock_counts_as_stopped_and_stays_stopped_if_woken_during_the_stop()
        {
            using var cpu = Smp.cpu_up();
            var m = new mutex("test_stop_mutex");
            locking.mutex_lock(m);
            bool acquired = false, acquiredDuringStop = true;
            var sleeper = TestCpu.Run("sleeper", () =>
            {
                locking.mutex_lock(m);
                Volatile.Write(ref acquired, true);
                locking.mutex_unlock(m);
            });
            TestCpu.Until(() => Smp.online_cpus().Any(c => c != cpu.Cpu && Volatile.Read(ref c.sleep_depth) > 0), "sleeper waits for the mutex");
            cpu_stop.stop_machine(_ =>
            {
                locking.mutex_unlock(m); // wakes the sleeper, which may not return to kernel code before the stop ends
                Thread.Sleep(50);
                acquiredDuringStop = Volatile.Read(ref acquired);
                return 0;
            }, null);
            sleeper.Wait("sleeper");
            Assert.False(acquiredDuringStop);
            Assert.True(acquired);
        }

        [Fact]
        public void No_CPU_comes_online_during_a_stop()
        {
            using var cpu = Smp.cpu_up();
            Task? late = null;
            bool upDuringStop = true;
            bool up = false;
            cpu_stop.stop_machine(_ =>
            {
                late = TestCpu.Run("late CPU", () => Volatile.Write(ref up, true));
                Thread.Sleep(50);
                upDuringStop = Volatile.Read(ref up);
                return 0;
            }, null);
            late!.Wait("late CPU");
            Assert.False(upDuringStop);
            Assert.True(up);
        }

        [Fact]
        public void Stop_machine_from_atomic_context_is_reported()
        {
            using var cpu = Smp.cpu_up();
            var lk = new spinlock_t("test_atomic_stop");
            locking.spin_lock(lk);
            var e = Assert.Throws<KernelBugException>(() => cpu_stop.stop_machine(_ => 0, null));
            locking.spin_unlock(lk);
            Assert.Equal(ViolationKind.SleepInAtomic, e.Violation.Kind);
        }

        [Fact]
        public void Stop_machine_cpuslocked_asserts_cpus_read_lock()
        {
            using var cpu = Smp.cpu_up();
            var e = Assert.Throws<KernelBugException>(() => cpu_stop.stop_machine_cpuslocked(_ => 0, null));
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
            Assert.Contains("cpu_hotplug_lock", e.Message);
        }

        [Fact]
        public void The_stop_machine_token_is_asserted_outside_fn()
        {
            using var cpu = Smp.cpu_up();
            var e = Assert.Throws<KernelBugException>(() => cpu_stop.lockdep_assert_in_stop_machine());
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
            var seen = new List<bool>();
            cpu_stop.stop_machine(_ =>
            {
                cpu_stop.lockdep_assert_in_stop_machine();
                seen.Add(true);
                return 0;
            }, null);
            Assert.Single(seen);
        }
    }
}
