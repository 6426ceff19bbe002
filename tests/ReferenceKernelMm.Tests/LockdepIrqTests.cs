using System;
using System.Runtime.CompilerServices;
using System.Threading;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.locking;

namespace ReferenceKernelMm.Tests
{
    /// <summary>
    /// lockdep's hard-IRQ usage checks: a lock class taken in an IPI function is HARDIRQ-safe, one taken with IRQs enabled
    /// HARDIRQ-unsafe. The inconsistent-state orders and the self-deadlock are in <see cref="IpiTests"/>.
    /// </summary>
    public class LockdepIrqTests
    {
        private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}";

        // The helpers below take the locks so that lockdep's traces name them ("LockdepIrqTests.irqs_on").
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void in_ipi(spinlock_t l) { spin_lock(l); spin_unlock(l); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void irqs_on(spinlock_t l) { spin_lock(l); spin_unlock(l); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void irqs_off(spinlock_t l)
        {
            ulong flags = Smp.local_irq_save(); // spin_lock_irqsave
            spin_lock(l);
            spin_unlock(l);
            Smp.local_irq_restore(flags);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void nested_irqs_off(spinlock_t outer, spinlock_t inner)
        {
            ulong flags = Smp.local_irq_save();
            spin_lock(outer);
            try
            {
                spin_lock(inner);
                spin_unlock(inner);
            }
            finally
            {
                spin_unlock(outer);
                Smp.local_irq_restore(flags);
            }
        }

        // Runs body in an IPI function on a CPU of its own (the caller must be a CPU); returns that CPU and what body threw.
        private static (int Cpu, KernelBugException? Thrown) InIpiOnAnotherCpu(Action body)
        {
            using var up = new ManualResetEventSlim();
            using var handled = new ManualResetEventSlim();
            int target = -1;
            KernelBugException? thrown = null;
            var t = TestCpu.Run("target", () =>
            {
                target = Smp.smp_processor_id();
                up.Set();
                Assert.True(handled.WaitTakingIpis(), "handler did not run");
            });
            up.Wait("target up");
            Smp.smp_call_function(_ =>
            {
                if (Smp.smp_processor_id() != target)
                    return;
                Assert.True(Smp.in_hardirq());
                try { body(); }
                catch (KernelBugException e) { thrown = e; }
                handled.Set();
            }, null, wait: true);
            t.Wait("target");
            return (target, thrown);
        }

        private static KernelBugException Fails(Action a)
        {
            int before = ViolationLog.Count;
            var e = Assert.Throws<KernelBugException>(a);
            Assert.Equal(ViolationKind.IrqUnsafe, e.Violation.Kind);
            Assert.Equal(before + 1, ViolationLog.Count);
            return e;
        }

        [Fact]
        public void A_lock_taken_in_an_IPI_function_and_elsewhere_only_with_IRQs_off_is_not_reported()
        {
            using var cpu = Smp.cpu_up();
            var safe = new spinlock_t(Unique("safe"));
            var inner = new spinlock_t(Unique("inner"));
            int before = ViolationLog.Count;
            irqs_off(safe);
            Assert.Null(InIpiOnAnotherCpu(() => in_ipi(safe)).Thrown);
            irqs_off(safe);
            Smp.local_irq_disable();
            spin_lock(safe);
            spin_unlock(safe);
            Smp.local_irq_enable();
            // A HARDIRQ-safe lock may be held while taking a lock that is never taken with IRQs on.
            nested_irqs_off(safe, inner);
            irqs_off(inner);
            // on_each_cpu's own call has IRQs off but is no hard-IRQ context: it makes the lock neither safe nor unsafe.
            var local = new spinlock_t(Unique("local"));
            Smp.on_each_cpu(_ =>
            {
                if (Smp.smp_processor_id() == cpu.Cpu.id)
                    in_ipi(local);
            }, null, wait: true);
            irqs_on(local);
            Assert.Equal(before, ViolationLog.Count);
        }

        [Fact]
        public void A_HARDIRQ_unsafe_lock_held_while_taking_a_HARDIRQ_safe_one_is_not_reported()
        {
            using var cpu = Smp.cpu_up();
            var safe = new spinlock_t(Unique("safe"));
            var @unsafe = new spinlock_t(Unique("unsafe"));
            int before = ViolationLog.Count;
            Assert.Null(InIpiOnAnotherCpu(() => in_ipi(safe)).Thrown);
            irqs_on(@unsafe);
            nested_irqs_off(@unsafe, safe); // unsafe -> safe: the IPI waiting for `safe` does not wait for `unsafe`
            Assert.Equal(before, ViolationLog.Count);
        }

        [Fact]
        public void A_HARDIRQ_safe_lock_held_while_taking_a_HARDIRQ_unsafe_one_is_reported_like_lockdep()
        {
            using var cpu = Smp.cpu_up();
            int me = cpu.Cpu.id;
            var safe = new spinlock_t(Unique("safe"));
            var @unsafe = new spinlock_t(Unique("unsafe"));
            var (irqCpu, thrown) = InIpiOnAnotherCpu(() => in_ipi(safe));
            Assert.Null(thrown);
            irqs_on(@unsafe);
            var e = Fails(() => nested_irqs_off(safe, @unsafe));
            Assert.Equal(
                $"HARDIRQ-safe -> HARDIRQ-unsafe lock order detected: CPU {me} [HC0:HE0] is trying to acquire: {@unsafe.dep_map}, " +
                $"at LockdepIrqTests.nested_irqs_off; and this CPU is already holding: {safe.dep_map}; which would create a new lock " +
                $"dependency: {safe.dep_map} -> {@unsafe.dep_map}; but this new dependency connects a HARDIRQ-irq-safe lock: {safe.dep_map}, " +
                $"which became HARDIRQ-irq-safe at: CPU {irqCpu} in an IPI function, at LockdepIrqTests.in_ipi; to a HARDIRQ-irq-unsafe " +
                $"lock: {@unsafe.dep_map}, which became HARDIRQ-irq-unsafe at: CPU {me} with IRQs enabled, at LockdepIrqTests.irqs_on",
                e.Violation.Message);
            Assert.Null(Lockdep.held_mode(safe.dep_map));
        }

        [Fact]
        public void The_unsafe_lock_may_be_one_the_new_lock_takes_after_it()
        {
            // safe -> middle is new; middle -> unsafe was seen before, so safe is held (transitively) while unsafe is taken.
            using var cpu = Smp.cpu_up();
            int me = cpu.Cpu.id;
            var safe = new spinlock_t(Unique("safe"));
            var middle = new spinlock_t(Unique("middle"));
            var @unsafe = new spinlock_t(Unique("unsafe"));
            var (irqCpu, _) = InIpiOnAnotherCpu(() => in_ipi(safe));
            nested_irqs_off(middle, @unsafe);
            irqs_on(@unsafe);
            var e = Fails(() => nested_irqs_off(safe, middle));
            Assert.Equal(
                $"HARDIRQ-safe -> HARDIRQ-unsafe lock order detected: CPU {me} [HC0:HE0] is trying to acquire: {middle.dep_map}, " +
                $"at LockdepIrqTests.nested_irqs_off; and this CPU is already holding: {safe.dep_map}; which would create a new lock " +
                $"dependency: {safe.dep_map} -> {middle.dep_map}; but this new dependency connects a HARDIRQ-irq-safe lock: {safe.dep_map}, " +
                $"which became HARDIRQ-irq-safe at: CPU {irqCpu} in an IPI function, at LockdepIrqTests.in_ipi; to a HARDIRQ-irq-unsafe " +
                $"lock: {@unsafe.dep_map}, which became HARDIRQ-irq-unsafe at: CPU {me} with IRQs enabled, at LockdepIrqTests.irqs_on",
                e.Violation.Message);
        }

        [Fact]
        public void A_lock_becoming_HARDIRQ_safe_after_it_took_an_unsafe_one_is_an_irq_lock_inversion()
        {
            using var cpu = Smp.cpu_up();
            int me = cpu.Cpu.id;
            var first = new spinlock_t(Unique("first"));
            var @unsafe = new spinlock_t(Unique("unsafe"));
            nested_irqs_off(first, @unsafe);
            irqs_on(@unsafe);
            var (irqCpu, thrown) = InIpiOnAnotherCpu(() => in_ipi(first));
            Assert.NotNull(thrown);
            Assert.Equal(ViolationKind.IrqUnsafe, thrown!.Violation.Kind);
            Assert.Equal(
                $"possible irq lock inversion dependency detected: CPU {irqCpu} [HC1:HE0] just changed the state of lock: {first.dep_map} " +
                $"{{IN-HARDIRQ-W}}, at LockdepIrqTests.in_ipi; but this lock took another, HARDIRQ-unsafe lock in the past: {@unsafe.dep_map}, " +
                $"which became HARDIRQ-irq-unsafe at: CPU {me} with IRQs enabled, at LockdepIrqTests.irqs_on; " +
                "and interrupts could create inverse lock ordering between them",
                thrown.Violation.Message);
        }

        [Fact]
        public void A_lock_taken_under_a_HARDIRQ_safe_one_and_then_with_IRQs_on_is_an_irq_lock_inversion()
        {
            using var cpu = Smp.cpu_up();
            int me = cpu.Cpu.id;
            var safe = new spinlock_t(Unique("safe"));
            var later = new spinlock_t(Unique("later"));
            var (irqCpu, _) = InIpiOnAnotherCpu(() => in_ipi(safe));
            nested_irqs_off(safe, later); // later has no usage yet: no report
            var e = Fails(() => irqs_on(later));
            Assert.Equal(
                $"possible irq lock inversion dependency detected: CPU {me} [HC0:HE1] just changed the state of lock: {later.dep_map} " +
                $"{{HARDIRQ-ON-W}}, at LockdepIrqTests.irqs_on; but this lock was taken by another, HARDIRQ-safe lock in the past: {safe.dep_map}, " +
                $"which became HARDIRQ-irq-safe at: CPU {irqCpu} in an IPI function, at LockdepIrqTests.in_ipi; " +
                "and interrupts could create inverse lock ordering between them",
                e.Violation.Message);
        }

        [Fact]
        public void An_IPI_functions_locks_depend_on_none_of_the_code_it_interrupted()
        {
            // lockdep keeps hard-IRQ chains apart (irq_context): the handler taking `safe` while its CPU's code holds `held`
            // records no held -> safe, so safe -> held elsewhere is the IRQ-safety report, not a circular dependency.
            using var cpu = Smp.cpu_up();
            int me = cpu.Cpu.id, target = -1;
            var held = new spinlock_t(Unique("held"));
            var safe = new spinlock_t(Unique("safe"));
            using var holding = new ManualResetEventSlim();
            using var handled = new ManualResetEventSlim();
            var t = TestCpu.Run("target", () =>
            {
                target = Smp.smp_processor_id();
                spin_lock(held); // IRQs stay on: {HARDIRQ-ON-W}
                holding.Set();
                Assert.True(handled.WaitTakingIpis(), "handler did not run");
                spin_unlock(held);
            });
            holding.Wait("target holds the lock");
            Smp.smp_call_function(_ =>
            {
                if (Smp.smp_processor_id() != target)
                    return;
                in_ipi(safe);
                handled.Set();
            }, null, wait: true);
            t.Wait("target");
            var e = Fails(() => nested_irqs_off(safe, held));
            Assert.Equal(
                $"HARDIRQ-safe -> HARDIRQ-unsafe lock order detected: CPU {me} [HC0:HE0] is trying to acquire: {held.dep_map}, " +
                $"at LockdepIrqTests.nested_irqs_off; and this CPU is already holding: {safe.dep_map}; which would create a new lock " +
                $"dependency: {safe.dep_map} -> {held.dep_map}; but this new dependency connects a HARDIRQ-irq-safe lock: {safe.dep_map}, " +
                $"which became HARDIRQ-irq-safe at: CPU {target} in an IPI function, at LockdepIrqTests.in_ipi; to a HARDIRQ-irq-unsafe " +
                $"lock: {held.dep_map}, which became HARDIRQ-irq-unsafe at: CPU {target} with IRQs enabled, at " +
                "LockdepIrqTests.An_IPI_functions_locks_depend_on_none_of_the_code_it_interrupted",
                e.Violation.Message);
        }

        [Fact]
        public void Read_usage_in_an_IPI_function_conflicts_only_with_a_write_with_IRQs_on()
        {
            // Two readers do not exclude each other (lockdep's valid_state checks a read only against the write bit).
            using var cpu = Smp.cpu_up();
            int me = cpu.Cpu.id;
            var sem = new rw_semaphore(Unique("sem"));
            var (irqCpu, thrown) = InIpiOnAnotherCpu(() =>
            {
                Assert.True(down_read_trylock(sem));
                up_read(sem);
            });
            Assert.Null(thrown);
            down_read(sem); // {HARDIRQ-ON-R}
            up_read(sem);
            var e = Fails(() => down_write(sem));
            Assert.Equal(
                $"inconsistent lock state: inconsistent {{IN-HARDIRQ-R}} -> {{HARDIRQ-ON-W}} usage. CPU {me} [HC0:HE1] takes: {sem.dep_map}, " +
                $"at LockdepIrqTests.Read_usage_in_an_IPI_function_conflicts_only_with_a_write_with_IRQs_on. {{IN-HARDIRQ-R}} state was " +
                $"registered at: CPU {irqCpu} in an IPI function, at LockdepIrqTests.Read_usage_in_an_IPI_function_conflicts_only_with_a_write_with_IRQs_on",
                e.Violation.Message);
        }
    }
}
