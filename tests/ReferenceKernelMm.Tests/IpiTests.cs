using System.Collections.Concurrent;
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
        public void Idle_and_blocked_CPUs_answer_at_once()
        {
            using var idle = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            int idleCpu = -1;
            var blocked = TestCpu.Run("idle", () =>
            {
                idleCpu = Smp.smp_processor_id();
                idle.Set();
                release.Wait(TestCpu.Long); // blocked outside the kernel, IRQs on
            });
            idle.Wait("idle CPU up");
            var ran = new ConcurrentBag<int>();
            using (Smp.cpu_up())
                Smp.smp_call_function(_ => ran.Add(Smp.smp_processor_id()), null, wait: true);
            Assert.Contains(idleCpu, ran);
            release.Set();
            blocked.Wait("idle CPU");
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
