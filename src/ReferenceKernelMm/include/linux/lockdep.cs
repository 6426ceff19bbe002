using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>
    /// lockdep assertions. <c>lockdep_assert_held</c> checks the exclusive mode, matching the exclusive
    /// default of <c>[AssertsHeld]</c>; the kernel's accepts either mode, which here is <c>lockdep_assert_held_any</c>
    /// (annotated shared: "held, mode unknown" is the weaker fact).
    /// </summary>
    public static class lockdep
    {
        private static void assert_mode(lockdep_map map, lock_mode? want, string what)
        {
            lock_mode? held = Lockdep.held_mode(map);
            if (held == null || (want != null && held != want))
                ViolationLog.assertion_failed(ViolationKind.NotHeld, $"{what}: {map} is {(held == null ? "not held" : $"held {held}")}");
        }

        private static void assert_not_held(lockdep_map map)
        {
            if (Lockdep.held_mode(map) != null)
                ViolationLog.assertion_failed(ViolationKind.HeldWhenExcluded, $"lockdep_assert_not_held: {map} is held");
        }

        /// <summary>Asserts the spinlock is held by this CPU.</summary>
        [AssertsHeld("lock")]
        public static void lockdep_assert_held(spinlock_t @lock) => assert_mode(@lock.dep_map, lock_mode.exclusive, "lockdep_assert_held");

        /// <summary>Asserts the mutex is held by this task.</summary>
        [AssertsHeld("lock")]
        public static void lockdep_assert_held(mutex @lock) => assert_mode(@lock.dep_map, lock_mode.exclusive, "lockdep_assert_held");

        /// <summary>Asserts the semaphore is held for write.</summary>
        [AssertsHeld("lock")]
        public static void lockdep_assert_held(rw_semaphore @lock) => assert_mode(@lock.dep_map, lock_mode.exclusive, "lockdep_assert_held");

        /// <summary>Asserts the semaphore is held for write.</summary>
        [AssertsHeld("lock")]
        public static void lockdep_assert_held(percpu_rw_semaphore @lock) => assert_mode(@lock.dep_map, lock_mode.exclusive, "lockdep_assert_held");

        /// <summary>Asserts the semaphore is held for write.</summary>
        [AssertsHeld("lock")]
        public static void lockdep_assert_held_write(rw_semaphore @lock) => assert_mode(@lock.dep_map, lock_mode.exclusive, "lockdep_assert_held_write");

        /// <summary>Asserts the semaphore is held for read.</summary>
        [AssertsHeldShared("lock")]
        public static void lockdep_assert_held_read(rw_semaphore @lock) => assert_mode(@lock.dep_map, lock_mode.shared, "lockdep_assert_held_read");

        /// <summary>Asserts the semaphore is held for read.</summary>
        [AssertsHeldShared("lock")]
        public static void lockdep_assert_held_read(percpu_rw_semaphore @lock) => assert_mode(@lock.dep_map, lock_mode.shared, "lockdep_assert_held_read");

        /// <summary>Asserts the semaphore is held in either mode (the kernel's lockdep_assert_held on an rwsem).</summary>
        [AssertsHeldShared("lock")]
        public static void lockdep_assert_held_any(rw_semaphore @lock) => assert_mode(@lock.dep_map, null, "lockdep_assert_held");

        /// <summary>Asserts the semaphore is held in either mode.</summary>
        [AssertsHeldShared("lock")]
        public static void lockdep_assert_held_any(percpu_rw_semaphore @lock) => assert_mode(@lock.dep_map, null, "lockdep_assert_held");

        /// <summary>Asserts this CPU does not hold the spinlock.</summary>
        [AssertsNotHeld("lock")]
        public static void lockdep_assert_not_held(spinlock_t @lock) => assert_not_held(@lock.dep_map);

        /// <summary>Asserts this task does not hold the mutex.</summary>
        [AssertsNotHeld("lock")]
        public static void lockdep_assert_not_held(mutex @lock) => assert_not_held(@lock.dep_map);

        /// <summary>Asserts this task does not hold the semaphore.</summary>
        [AssertsNotHeld("lock")]
        public static void lockdep_assert_not_held(rw_semaphore @lock) => assert_not_held(@lock.dep_map);

        /// <summary>Asserts this task does not hold the semaphore.</summary>
        [AssertsNotHeld("lock")]
        public static void lockdep_assert_not_held(percpu_rw_semaphore @lock) => assert_not_held(@lock.dep_map);

        /// <summary>Whether this task holds the lock (either mode).</summary>
        public static bool lockdep_is_held(spinlock_t @lock) => Lockdep.held_mode(@lock.dep_map) != null;

        /// <summary>Whether this task holds the semaphore (either mode).</summary>
        public static bool lockdep_is_held(rw_semaphore @lock) => Lockdep.held_mode(@lock.dep_map) != null;

        /// <summary>Whether this task holds the semaphore (either mode).</summary>
        public static bool lockdep_is_held(percpu_rw_semaphore @lock) => Lockdep.held_mode(@lock.dep_map) != null;

        /// <summary>Asserts this CPU is inside rcu_read_lock.</summary>
        [AssertsHeld("ReferenceKernelMm.K.RCU")]
        public static void rcu_lockdep_assert_held()
        {
            if (!Rcu.rcu_read_lock_held())
                ViolationLog.assertion_failed(ViolationKind.NotHeld, "RCU read-side section required");
        }

        /// <summary>lockdep_assert_irqs_enabled: neither IRQs-off context is held.</summary>
        [AssertsNotHeld("ReferenceKernelMm.K.IrqsOff", "ReferenceKernelMm.K.IrqsSaved")]
        public static void lockdep_assert_irqs_enabled()
        {
            if (Smp.irqs_disabled())
                ViolationLog.assertion_failed(ViolationKind.HeldWhenExcluded, $"lockdep_assert_irqs_enabled: IRQs disabled on CPU {Smp.smp_processor_id()}");
        }

        /// <summary>
        /// lockdep_assert_irqs_disabled. No attribute: it proves that one of K.IrqsOff and K.IrqsSaved is held, not which,
        /// and [AssertsHeld] states all of its contexts; the walkers that need it say so with their role instead.
        /// </summary>
        public static void lockdep_assert_irqs_disabled()
        {
            if (!Smp.irqs_disabled())
                ViolationLog.assertion_failed(ViolationKind.NotHeld, $"lockdep_assert_irqs_disabled: IRQs enabled on CPU {Smp.smp_processor_id()}");
        }

        /// <summary>might_sleep: reports sleeping with IRQs off, inside RCU or under a spinlock.</summary>
        [MightSleep]
        public static void might_sleep() => Lockdep.might_sleep();
    }
}
