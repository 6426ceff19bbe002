using System;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.locking;

namespace ReferenceKernelMm.Tests
{
    public class LockdepTests
    {
        private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}";

        private static KernelBugException Fails(ViolationKind kind, Action a)
        {
            int before = ViolationLog.Count;
            var e = Assert.Throws<KernelBugException>(a);
            Assert.Equal(kind, e.Violation.Kind);
            Assert.Equal(before + 1, ViolationLog.Count);
            return e;
        }

        [Fact]
        public void Assert_held_fires_only_when_not_held()
        {
            using var cpu = Smp.cpu_up();
            var l = new spinlock_t(Unique("l"));
            Fails(ViolationKind.NotHeld, () => lockdep.lockdep_assert_held(l));
            spin_lock(l);
            lockdep.lockdep_assert_held(l);
            Fails(ViolationKind.HeldWhenExcluded, () => lockdep.lockdep_assert_not_held(l));
            spin_unlock(l);
            lockdep.lockdep_assert_not_held(l);
        }

        [Fact]
        public void Assert_held_checks_the_mode_of_a_rw_semaphore()
        {
            using var cpu = Smp.cpu_up();
            var sem = new rw_semaphore(Unique("sem"));
            down_read(sem);
            lockdep.lockdep_assert_held_read(sem);
            lockdep.lockdep_assert_held_any(sem);
            Fails(ViolationKind.NotHeld, () => lockdep.lockdep_assert_held_write(sem));
            up_read(sem);
            down_write(sem);
            Fails(ViolationKind.NotHeld, () => lockdep.lockdep_assert_held_read(sem));
            downgrade_write(sem);
            lockdep.lockdep_assert_held_read(sem);
            up_read(sem);
        }

        [Fact]
        public void Might_sleep_fires_under_a_spinlock()
        {
            using var cpu = Smp.cpu_up();
            var l = new spinlock_t(Unique("ptl"));
            var sem = new rw_semaphore(Unique("sem"));
            spin_lock(l);
            var e = Fails(ViolationKind.SleepInAtomic, lockdep.might_sleep);
            Assert.Contains(l.dep_map.class_name, e.Message);
            Fails(ViolationKind.SleepInAtomic, () => down_read(sem)); // a sleeping acquire is a might-sleep
            spin_unlock(l);
            lockdep.might_sleep();
        }

        [Fact]
        public void Might_sleep_fires_inside_RCU_and_with_IRQs_off()
        {
            using var cpu = Smp.cpu_up();
            Rcu.rcu_read_lock();
            Assert.Contains("rcu_read_lock", Fails(ViolationKind.SleepInAtomic, lockdep.might_sleep).Message);
            Rcu.rcu_read_unlock();
            Smp.local_irq_disable();
            Assert.Contains("IRQs disabled", Fails(ViolationKind.SleepInAtomic, lockdep.might_sleep).Message);
            Smp.local_irq_enable();
            ulong flags = Smp.local_irq_save();
            Fails(ViolationKind.SleepInAtomic, () => mutex_lock(new mutex(Unique("m"))));
            Smp.local_irq_restore(flags);
            lockdep.might_sleep();
        }

        [Fact]
        public void Lock_order_inversion_is_reported()
        {
            using var cpu = Smp.cpu_up();
            var a = new mutex(Unique("A"));
            var b = new mutex(Unique("B"));
            mutex_lock(a);
            mutex_lock(b);
            mutex_unlock(b);
            mutex_unlock(a);
            mutex_lock(b);
            var e = Fails(ViolationKind.LockOrderInversion, () => mutex_lock(a));
            Assert.Contains(a.dep_map.class_name, e.Message);
            Assert.True(mutex_trylock(a)); // a trylock cannot deadlock: no report
            mutex_unlock(a);
            mutex_unlock(b);
        }

        [Fact]
        public void Recursion_and_bad_unlock_are_reported()
        {
            using var cpu = Smp.cpu_up();
            var l = new spinlock_t(Unique("l"));
            spin_lock(l);
            Fails(ViolationKind.Recursion, () => spin_lock(l)); // reported instead of spinning forever
            spin_unlock(l);
            Fails(ViolationKind.BadUnlock, () => spin_unlock(l));
            var sem = new rw_semaphore(Unique("sem"));
            down_read(sem);
            Fails(ViolationKind.BadUnlock, () => up_write(sem));
            up_read(sem);
        }
    }
}
