using MmLock;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>i_mmap_rwsem wrappers (include/linux/fs.h).</summary>
    public static class fs
    {
        /// <summary>i_mmap_lock_read.</summary>
        [AcquiresShared("mapping.i_mmap_rwsem")]
        public static void i_mmap_lock_read(address_space mapping) => locking.down_read(mapping.i_mmap_rwsem);

        /// <summary>i_mmap_unlock_read.</summary>
        [ReleasesShared("mapping.i_mmap_rwsem")]
        public static void i_mmap_unlock_read(address_space mapping) => locking.up_read(mapping.i_mmap_rwsem);

        /// <summary>i_mmap_lock_write.</summary>
        [Acquires("mapping.i_mmap_rwsem")]
        public static void i_mmap_lock_write(address_space mapping) => locking.down_write(mapping.i_mmap_rwsem);

        /// <summary>i_mmap_unlock_write.</summary>
        [Releases("mapping.i_mmap_rwsem")]
        public static void i_mmap_unlock_write(address_space mapping) => locking.up_write(mapping.i_mmap_rwsem);

        /// <summary>i_mmap_assert_write_locked.</summary>
        [AssertsHeld("mapping.i_mmap_rwsem")]
        public static void i_mmap_assert_write_locked(address_space mapping) => lockdep.lockdep_assert_held_write(mapping.i_mmap_rwsem);

        /// <summary>i_mmap_assert_locked: either mode.</summary>
        [AssertsHeldShared("mapping.i_mmap_rwsem")]
        public static void i_mmap_assert_locked(address_space mapping) => lockdep.lockdep_assert_held_any(mapping.i_mmap_rwsem);
    }
}
