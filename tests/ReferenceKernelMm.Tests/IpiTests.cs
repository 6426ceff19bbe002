using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using ReferenceKernelMm.Runtime;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    public class IpiTests
    {
        [Fact]
        public void IPI_waits_for_an_IRQs_off_CPU_and_completes_after_it_enables()
        {
            using var entered = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var ranOn = new ConcurrentDictionary<int, int>(); // cpu -> managed thread id that ran the function
            int victimCpu = -1, victimThread = -1;
            var victim = TestCpu.Run("irqs off", () =>
            {
                victimCpu = Smp.smp_processor_id();
                victimThread = System.Environment.CurrentManagedThreadId;
                Smp.local_irq_disable();
                entered.Set();
                release.Wait(TestCpu.Long);
                Assert.False(ranOn.ContainsKey(victimCpu), "IPI ran while IRQs were off");
                Smp.local_irq_enable();
            });
            entered.Wait("victim disabled IRQs");
            var sender = TestCpu.Run("sender", () =>
                Smp.smp_call_function(_ =>
                {
                    Assert.True(Smp.irqs_disabled());
                    ranOn[Smp.smp_processor_id()] = System.Environment.CurrentManagedThreadId;
                }, null, wait: true));
            TestCpu.StillBlocked(sender, "smp_call_function with an IRQs-off target");
            release.Set();
            sender.Wait("smp_call_function");
            victim.Wait("victim");
            Assert.Equal(victimThread, ranOn[victimCpu]); // the CPU itself took it at local_irq_enable
        }

        [Fact]
        public void The_handler_runs_on_the_target_thread_at_its_next_interrupt_point_and_wait_false_returns_first()
        {
            using var up = new ManualResetEventSlim();
            using var poll = new ManualResetEventSlim();
            int targetCpu = -1, targetThread = -1;
            var ran = new ConcurrentQueue<(int Cpu, int Thread, int ThisCpu, bool IrqsOff)>();
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                targetThread = System.Environment.CurrentManagedThreadId;
                up.Set();
                poll.Wait(TestCpu.Long); // running user code: no interrupt point
                Assert.DoesNotContain(ran, r => r.Cpu == targetCpu);
                Smp.interrupt_point();
                Assert.Contains(ran, r => r.Cpu == targetCpu);
            });
            up.Wait("target up");
            using (Smp.cpu_up())
            {
                Smp.smp_call_function(_ => ran.Enqueue((Smp.smp_processor_id(), System.Environment.CurrentManagedThreadId,
                    Smp.this_cpu().id, Smp.irqs_disabled())), null, wait: false);
                // wait: false returns before the target has run it (other online CPUs, such as RCU's, may have).
                Assert.DoesNotContain(ran, r => r.Cpu == targetCpu);
            }
            poll.Set();
            target.Wait("target");
            Assert.Equal((targetCpu, targetThread, targetCpu, true), Assert.Single(ran, r => r.Cpu == targetCpu));
        }

        [Fact]
        public void A_CPU_asleep_in_a_kernel_wait_is_woken_to_take_its_IPI()
        {
            var m = new include.linux.mutex("ipi_test_mutex");
            using var asleep = new ManualResetEventSlim();
            int sleeperCpu = -1, sleeperThread = -1;
            var ranOn = new ConcurrentDictionary<int, int>(); // cpu -> thread that ran the function
            using var holder = Smp.cpu_up();
            include.linux.locking.mutex_lock(m);
            var sleeper = TestCpu.Run("sleeper", () =>
            {
                sleeperCpu = Smp.smp_processor_id();
                sleeperThread = System.Environment.CurrentManagedThreadId;
                asleep.Set();
                include.linux.locking.mutex_lock(m);
                include.linux.locking.mutex_unlock(m);
            });
            asleep.Wait("sleeper up");
            TestCpu.StillBlocked(sleeper, "mutex_lock of a held mutex");
            Smp.smp_call_function(_ => ranOn[Smp.smp_processor_id()] = System.Environment.CurrentManagedThreadId, null, wait: true);
            Assert.Equal(sleeperThread, ranOn[sleeperCpu]);
            include.linux.locking.mutex_unlock(m);
            sleeper.Wait("sleeper");
        }

        [Fact]
        public void Offline_CPUs_run_no_handlers()
        {
            int gone = -1;
            var ran = new ConcurrentBag<int>();
            using (Smp.cpu_up())
            {
                // Up while the sender is, so it gets a number of its own, then offline before the IPI.
                TestCpu.Run("goes offline", () => gone = Smp.smp_processor_id()).Wait("offline CPU");
                Assert.NotEqual(Smp.smp_processor_id(), gone);
                Smp.smp_call_function(_ => ran.Add(Smp.smp_processor_id()), null, wait: true);
            }
            Assert.DoesNotContain(gone, ran);
        }

        [Fact]
        public void A_CPU_going_offline_runs_the_IPIs_it_was_sent_on_its_own_thread_first()
        {
            // The kernel's dying CPU flushes its call-function queue; a sender waiting on it would wait forever otherwise.
            using var up = new ManualResetEventSlim();
            using var leave = new ManualResetEventSlim();
            int targetCpu = -1, targetThread = -1;
            var ranOn = new ConcurrentDictionary<int, int>(); // cpu -> thread that ran the function
            var target = TestCpu.Run("goes offline", () =>
            {
                targetCpu = Smp.smp_processor_id();
                targetThread = System.Environment.CurrentManagedThreadId;
                up.Set();
                leave.Wait(TestCpu.Long); // no interrupt point until cpu_down
            });
            up.Wait("target up");
            var sender = TestCpu.Run("sender", () =>
                Smp.smp_call_function(_ => ranOn[Smp.smp_processor_id()] = System.Environment.CurrentManagedThreadId, null, wait: true));
            TestCpu.StillBlocked(sender, "the target has not reached an interrupt point");
            Assert.False(ranOn.ContainsKey(targetCpu));
            leave.Set();
            target.Wait("target offline");
            sender.Wait("sender");
            Assert.Equal(targetThread, ranOn[targetCpu]);
        }

        [Fact]
        public void A_spinlock_taken_in_an_IPI_function_and_with_IRQs_on_is_reported_like_lockdep()
        {
            var l = new include.linux.spinlock_t("ipi_test_lock");
            ViolationLog.Clear();
            using var up = new ManualResetEventSlim();
            using var poll = new ManualResetEventSlim();
            KernelBugException? seen = null;
            int targetCpu = -1;
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                include.linux.locking.spin_lock(l); // IRQs on: HARDIRQ-ON-W
                include.linux.locking.spin_unlock(l);
                up.Set();
                poll.Wait(TestCpu.Long);
                try { Smp.interrupt_point(); }
                catch (KernelBugException e) { seen = e; }
            });
            up.Wait("target took the lock with IRQs on");
            using (Smp.cpu_up())
                Smp.smp_call_function(_ =>
                {
                    if (Smp.smp_processor_id() != targetCpu)
                        return;
                    include.linux.locking.spin_lock(l); // in the IPI function: IN-HARDIRQ-W
                    include.linux.locking.spin_unlock(l);
                }, null, wait: false);
            poll.Set();
            target.Wait("target");
            Assert.NotNull(seen);
            Assert.Equal(ViolationKind.IrqUnsafe, seen!.Violation.Kind);
            const string at = "IpiTests.A_spinlock_taken_in_an_IPI_function_and_with_IRQs_on_is_reported_like_lockdep";
            Assert.Equal($"inconsistent lock state: inconsistent {{HARDIRQ-ON-W}} -> {{IN-HARDIRQ-W}} usage. CPU {targetCpu} [HC1:HE0] takes: " +
                $"ipi_test_lock, at {at}. {{HARDIRQ-ON-W}} state was registered at: CPU {targetCpu} with IRQs enabled, at {at}", seen.Violation.Message);
            ViolationLog.Clear();
        }

        [Fact]
        public void A_sender_waiting_for_its_IPI_answers_the_IPIs_sent_to_it()
        {
            // csd_lock_wait spins with IRQs on: a CPU waiting on its own IPI still takes the ones sent to it, so two
            // CPUs waiting on each other both finish.
            using var irqsOff = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var blocker = TestCpu.Run("irqs off", () =>
            {
                Smp.local_irq_disable();
                irqsOff.Set();
                release.Wait(TestCpu.Long);
                Smp.local_irq_enable();
            });
            irqsOff.Wait("blocker disabled IRQs");
            int firstCpu = -1;
            using var ranOnFirst = new ManualResetEventSlim();
            var first = TestCpu.Run("first sender", () =>
            {
                firstCpu = Smp.smp_processor_id();
                Smp.smp_call_function(_ => { }, null, wait: true); // waits for the blocker
            });
            TestCpu.Until(() => firstCpu >= 0, "first sender up");
            TestCpu.StillBlocked(first, "first sender waits for the IRQs-off CPU");
            var second = TestCpu.Run("second sender", () => Smp.smp_call_function(_ =>
            {
                if (Smp.smp_processor_id() == firstCpu)
                    ranOnFirst.Set();
            }, null, wait: true));
            // The blocker answers neither; the second sender needs it too, so it can only get as far as the first CPU's answer.
            TestCpu.Until(() => ranOnFirst.IsSet, "the waiting first sender ran the second one's IPI");
            Assert.False(first.IsCompleted, "first sender finished before the blocker enabled IRQs");
            release.Set();
            first.Wait("first sender");
            second.Wait("second sender");
            blocker.Wait("blocker");
        }

        [Fact]
        public void Lockdep_records_the_handlers_locks_on_the_target_CPU_in_hard_IRQ_context()
        {
            var l = new include.linux.spinlock_t("ipi_handler_lock");
            using var up = new ManualResetEventSlim();
            using var inHandler = new ManualResetEventSlim();
            using var leave = new ManualResetEventSlim();
            int targetCpu = -1;
            string? held = null;
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                up.Set();
                Assert.True(leave.WaitTakingIpis(), "handler did not run");
            });
            up.Wait("target up");
            var sender = TestCpu.Run("sender", () => Smp.smp_call_function(_ =>
            {
                if (Smp.smp_processor_id() != targetCpu)
                    return;
                Assert.True(Smp.in_hardirq());
                include.linux.locking.spin_lock(l);
                Assert.Equal(lock_mode.exclusive, Lockdep.held_mode(l.dep_map));
                inHandler.Set();
                leave.Wait(TestCpu.Long); // spinning in the handler: no interrupt point
                include.linux.locking.spin_unlock(l);
            }, null, wait: true));
            inHandler.Wait("handler holds the lock");
            // Another CPU's view (a watchdog's): the target holds the lock, inside an IPI function.
            using (Smp.cpu_up())
                held = Lockdep.debug_show_all_locks().Split('\n').Single(line => line.StartsWith($"CPU {targetCpu}:"));
            Assert.Contains("IRQs off (in an IPI function)", held);
            Assert.Contains("holds [ipi_handler_lock(exclusive)]", held);
            leave.Set();
            sender.Wait("sender");
            target.Wait("target");
        }

        [Fact]
        public void A_spinlock_taken_in_an_IPI_function_and_then_with_IRQs_on_is_reported_like_lockdep()
        {
            var l = new include.linux.spinlock_t("ipi_test_lock_irq_first");
            ViolationLog.Clear();
            using var up = new ManualResetEventSlim();
            using var handled = new ManualResetEventSlim();
            KernelBugException? seen = null;
            int targetCpu = -1;
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                up.Set();
                Assert.True(handled.WaitTakingIpis(), "handler did not run");
                try
                {
                    include.linux.locking.spin_lock(l); // IRQs on after IN-HARDIRQ-W: HARDIRQ-ON-W
                    include.linux.locking.spin_unlock(l);
                }
                catch (KernelBugException e) { seen = e; }
            });
            up.Wait("target up");
            using (Smp.cpu_up())
                Smp.smp_call_function(_ =>
                {
                    if (Smp.smp_processor_id() != targetCpu)
                        return;
                    include.linux.locking.spin_lock(l);
                    include.linux.locking.spin_unlock(l);
                    handled.Set();
                }, null, wait: true);
            target.Wait("target");
            Assert.NotNull(seen);
            Assert.Equal(ViolationKind.IrqUnsafe, seen!.Violation.Kind);
            const string at = "IpiTests.A_spinlock_taken_in_an_IPI_function_and_then_with_IRQs_on_is_reported_like_lockdep";
            Assert.Equal($"inconsistent lock state: inconsistent {{IN-HARDIRQ-W}} -> {{HARDIRQ-ON-W}} usage. CPU {targetCpu} [HC0:HE1] takes: " +
                $"ipi_test_lock_irq_first, at {at}. {{IN-HARDIRQ-W}} state was registered at: CPU {targetCpu} in an IPI function, at {at}", seen.Violation.Message);
            ViolationLog.Clear();
        }

        [Fact]
        public void A_handler_spinning_on_the_lock_its_CPU_holds_is_reported_not_a_hang()
        {
            // The kernel deadlocks here; lockdep reports it as inconsistent usage when the handler asks for the lock.
            var l = new include.linux.spinlock_t("ipi_self_deadlock_lock");
            ViolationLog.Clear();
            using var holding = new ManualResetEventSlim();
            using var sent = new ManualResetEventSlim();
            KernelBugException? seen = null;
            int targetCpu = -1;
            var target = TestCpu.Run("holder", () =>
            {
                targetCpu = Smp.smp_processor_id();
                include.linux.locking.spin_lock(l); // IRQs stay on
                holding.Set();
                sent.Wait(TestCpu.Long);
                try { Smp.interrupt_point(); } // the IPI interrupts the critical section
                catch (KernelBugException e) { seen = e; }
                include.linux.locking.spin_unlock(l);
            });
            holding.Wait("holder in its critical section");
            using (Smp.cpu_up())
                Smp.smp_call_function(_ =>
                {
                    if (Smp.smp_processor_id() != targetCpu)
                        return;
                    include.linux.locking.spin_lock(l);
                    include.linux.locking.spin_unlock(l);
                }, null, wait: false);
            sent.Set();
            target.Wait("holder");
            Assert.NotNull(seen);
            Assert.Equal(ViolationKind.IrqUnsafe, seen!.Violation.Kind);
            const string at = "IpiTests.A_handler_spinning_on_the_lock_its_CPU_holds_is_reported_not_a_hang";
            Assert.Equal($"inconsistent lock state: inconsistent {{HARDIRQ-ON-W}} -> {{IN-HARDIRQ-W}} usage. CPU {targetCpu} [HC1:HE0] takes: " +
                $"ipi_self_deadlock_lock, at {at}. {{HARDIRQ-ON-W}} state was registered at: CPU {targetCpu} with IRQs enabled, at {at}", seen.Violation.Message);
            ViolationLog.Clear();
        }

        [Fact]
        public void An_IPI_function_has_IRQs_off_its_saved_state_is_off_and_it_may_not_send_IPIs()
        {
            using var up = new ManualResetEventSlim();
            using var handled = new ManualResetEventSlim();
            int targetCpu = -1;
            ulong saved = 1;
            KernelBugException? sending = null;
            bool irqsOnAfter = false;
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                up.Set();
                Assert.True(handled.WaitTakingIpis(), "handler did not run");
                irqsOnAfter = !Smp.irqs_disabled(); // leaving the handler restored the interrupted state
            });
            up.Wait("target up");
            using (Smp.cpu_up())
                Smp.smp_call_function(_ =>
                {
                    if (Smp.smp_processor_id() != targetCpu)
                        return;
                    saved = Smp.local_irq_save();
                    Smp.local_irq_restore(saved);
                    try { Smp.smp_call_function(_ => { }, null, wait: false); }
                    catch (KernelBugException e) { sending = e; }
                    handled.Set();
                }, null, wait: true);
            target.Wait("target");
            Assert.Equal(0UL, saved);
            Assert.NotNull(sending);
            Assert.Equal(ViolationKind.HeldWhenExcluded, sending!.Violation.Kind);
            Assert.True(irqsOnAfter);
        }

        [Fact]
        public void A_grace_period_waits_for_a_running_IPI_function()
        {
            // Hard-IRQ context is an RCU-sched reader.
            using var up = new ManualResetEventSlim();
            using var inHandler = new ManualResetEventSlim();
            using var leave = new ManualResetEventSlim();
            int targetCpu = -1;
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                up.Set();
                Assert.True(leave.WaitTakingIpis(), "handler did not run");
            });
            up.Wait("target up");
            var sender = TestCpu.Run("sender", () => Smp.smp_call_function(_ =>
            {
                if (Smp.smp_processor_id() != targetCpu)
                    return;
                inHandler.Set();
                leave.Wait(TestCpu.Long);
            }, null, wait: true));
            inHandler.Wait("handler running");
            var gp = TestCpu.Run("synchronize_rcu", Rcu.synchronize_rcu);
            TestCpu.StillBlocked(gp, "synchronize_rcu with an IPI function running");
            leave.Set();
            gp.Wait("grace period");
            sender.Wait("sender");
            target.Wait("target");
        }

        [Fact]
        public void Local_irq_save_nests_and_restore_delivers_only_at_the_outermost()
        {
            using var inner = new ManualResetEventSlim();
            using var step = new ManualResetEventSlim();
            using var outerStep = new ManualResetEventSlim();
            int delivered = 0, targetCpu = -1;
            var target = TestCpu.Run("target", () =>
            {
                targetCpu = Smp.smp_processor_id();
                ulong outer = Smp.local_irq_save();
                ulong nested = Smp.local_irq_save();
                inner.Set();
                step.Wait(TestCpu.Long);
                Smp.local_irq_restore(nested);
                Assert.True(Smp.irqs_disabled());
                Assert.Equal(0, Volatile.Read(ref delivered));
                outerStep.Wait(TestCpu.Long);
                Smp.local_irq_restore(outer);
                Assert.Equal(1, Volatile.Read(ref delivered));
            });
            inner.Wait("target saved twice");
            var sender = TestCpu.Run("sender", () => Smp.smp_call_function(_ =>
            {
                if (Smp.smp_processor_id() == targetCpu)
                    Interlocked.Increment(ref delivered);
            }, null, wait: true));
            step.Set();
            TestCpu.StillBlocked(sender, "IPI after the inner restore");
            outerStep.Set();
            sender.Wait("IPI after the outer restore");
            target.Wait("target");
        }

        [Fact]
        public void Sending_with_IRQs_disabled_is_reported()
        {
            using var cpu = Smp.cpu_up();
            Smp.local_irq_disable();
            var e = Assert.Throws<KernelBugException>(() => Smp.smp_call_function(_ => { }, null, wait: true));
            Smp.local_irq_enable();
            Assert.Equal(ViolationKind.HeldWhenExcluded, e.Violation.Kind);
        }
    }
}
