using MmLock;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>mmap_lock wrappers, named as in the kernel.</summary>
    public static class mmap_lock
    {
        /// <summary>mmap_read_lock.</summary>
        [AcquiresShared("mm.mmap_lock")]
        public static void mmap_read_lock(mm_struct mm) => locking.down_read(mm.mmap_lock);

        /// <summary>mmap_read_trylock.</summary>
        [TryAcquiresShared(true, "mm.mmap_lock")]
        public static bool mmap_read_trylock(mm_struct mm) => locking.down_read_trylock(mm.mmap_lock);

        /// <summary>mmap_read_unlock.</summary>
        [ReleasesShared("mm.mmap_lock")]
        public static void mmap_read_unlock(mm_struct mm) => locking.up_read(mm.mmap_lock);

        /// <summary>mmap_write_lock.</summary>
        [Acquires("mm.mmap_lock")]
        public static void mmap_write_lock(mm_struct mm) => locking.down_write(mm.mmap_lock);

        /// <summary>mmap_write_unlock.</summary>
        [Releases("mm.mmap_lock")]
        public static void mmap_write_unlock(mm_struct mm) => locking.up_write(mm.mmap_lock);

        /// <summary>mmap_write_downgrade.</summary>
        [Downgrades("mm.mmap_lock")]
        public static void mmap_write_downgrade(mm_struct mm) => locking.downgrade_write(mm.mmap_lock);

        /// <summary>mmap_assert_locked: held in either mode.</summary>
        [AssertsHeldShared("mm.mmap_lock")]
        public static void mmap_assert_locked(mm_struct mm) => lockdep.lockdep_assert_held_any(mm.mmap_lock);

        /// <summary>mmap_assert_write_locked.</summary>
        [AssertsHeld("mm.mmap_lock")]
        public static void mmap_assert_write_locked(mm_struct mm) => lockdep.lockdep_assert_held_write(mm.mmap_lock);
    }
}
