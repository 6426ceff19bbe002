using System.Threading;
using ReferenceKernelMm.Runtime;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    public class RcuTests
    {
        [Fact]
        public void Grace_period_waits_for_a_reader_that_started_before_it()
        {
            using var entered = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            int readerFinished = 0;
            var reader = TestCpu.Run("reader", () =>
            {
                Rcu.rcu_read_lock();
                Rcu.rcu_read_lock(); // nesting: only the outermost unlock ends the section
                entered.Set();
                release.WaitTakingIpis();
                Rcu.rcu_read_unlock();
                Assert.True(Rcu.rcu_read_lock_held());
                Volatile.Write(ref readerFinished, 1);
                Rcu.rcu_read_unlock();
            });
            entered.Wait("reader entered");
            int finishedSeenByWriter = -1;
            var writer = TestCpu.Run("writer", () =>
            {
                Rcu.synchronize_rcu();
                finishedSeenByWriter = Volatile.Read(ref readerFinished);
            });
            TestCpu.StillBlocked(writer, "synchronize_rcu with a pre-existing reader");
            release.Set();
            reader.Wait("reader");
            writer.Wait("synchronize_rcu");
            Assert.Equal(1, finishedSeenByWriter);
        }

        [Fact]
        public void Grace_period_does_not_wait_for_a_reader_that_started_after_it()
        {
            using var oldEntered = new ManualResetEventSlim();
            using var oldRelease = new ManualResetEventSlim();
            using var newEntered = new ManualResetEventSlim();
            using var newRelease = new ManualResetEventSlim();
            var oldReader = TestCpu.Run("old reader", () =>
            {
                Rcu.rcu_read_lock();
                oldEntered.Set();
                oldRelease.WaitTakingIpis();
                Rcu.rcu_read_unlock();
            });
            oldEntered.Wait("old reader entered");
            int waitersBefore = Rcu.synchronize_rcu_waiters;
            var writer = TestCpu.Run("writer", Rcu.synchronize_rcu);
            // Once the writer waits, its snapshot of readers is taken: a reader starting now is "new".
            TestCpu.Until(() => Rcu.synchronize_rcu_waiters > waitersBefore, "writer waiting");
            var newReader = TestCpu.Run("new reader", () =>
            {
                Rcu.rcu_read_lock();
                newEntered.Set();
                newRelease.WaitTakingIpis();
                Rcu.rcu_read_unlock();
            });
            newEntered.Wait("new reader entered");
            oldRelease.Set();
            writer.Wait("synchronize_rcu must not wait for the new reader");
            Assert.False(newReader.IsCompleted);
            newRelease.Set();
            newReader.Wait("new reader");
            oldReader.Wait("old reader");
        }

        [Fact]
        public void IRQs_off_region_is_a_reader()
        {
            using var entered = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var irqsOff = TestCpu.Run("irqs off", () =>
            {
                Smp.local_irq_disable();
                Assert.True(Rcu.rcu_read_lock_any_held());
                Assert.False(Rcu.rcu_read_lock_held());
                entered.Set();
                release.WaitTakingIpis();
                Smp.local_irq_enable();
            });
            entered.Wait("irqs off");
            var writer = TestCpu.Run("writer", Rcu.synchronize_rcu);
            TestCpu.StillBlocked(writer, "synchronize_rcu with IRQs off elsewhere");
            release.Set();
            writer.Wait("synchronize_rcu");
            irqsOff.Wait("irqs-off CPU");
        }

        [Fact]
        public void Call_rcu_runs_only_after_the_readers_finish()
        {
            using var entered = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            using var ran = new ManualResetEventSlim();
            var reader = TestCpu.Run("reader", () =>
            {
                Rcu.rcu_read_lock();
                entered.Set();
                release.WaitTakingIpis();
                Rcu.rcu_read_unlock();
            });
            entered.Wait("reader entered");
            using (Smp.cpu_up())
                Rcu.call_rcu(ran.Set);
            Assert.False(ran.Wait(TestCpu.Short), "callback ran during a grace period's reader");
            release.Set();
            ran.Wait("callback after the grace period");
            reader.Wait("reader");
        }

        [Fact]
        public void Synchronize_rcu_inside_a_reader_is_reported_not_deadlocked()
        {
            using var cpu = Smp.cpu_up();
            Rcu.rcu_read_lock();
            var e = Assert.Throws<KernelBugException>(Rcu.synchronize_rcu);
            Rcu.rcu_read_unlock();
            Assert.Equal(ViolationKind.SleepInAtomic, e.Violation.Kind);
        }
    }
}
