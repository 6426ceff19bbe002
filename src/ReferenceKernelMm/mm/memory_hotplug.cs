using System.Collections.Concurrent;
using MmLock;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.locking;

namespace ReferenceKernelMm.mm
{
    /// <summary>State of a memory block (sysfs memoryN/state).</summary>
    public enum memory_block_state
    {
        /// <summary>Added, not usable.</summary>
        MEM_OFFLINE,
        /// <summary>Usable by the page allocator.</summary>
        MEM_ONLINE,
    }

    /// <summary>Hot-add flags.</summary>
    [System.Flags]
    public enum mhp_t
    {
        /// <summary>The memmap comes from boot memory.</summary>
        MHP_NONE = 0,
        /// <summary>The memmap is carved from the start of the added range (altmap); ignored where the memmap is set up at online time.</summary>
        MHP_MEMMAP_ON_MEMORY = 1,
    }

    /// <summary>A memory block device: the unit that is onlined and offlined.</summary>
    public sealed class memory_block
    {
        internal memory_block(ulong start_pfn, ulong nr_pages) { this.start_pfn = start_pfn; this.nr_pages = nr_pages; }

        /// <summary>First pfn.</summary>
        public readonly ulong start_pfn;
        /// <summary>Pages in the block.</summary>
        public readonly ulong nr_pages;

        private memory_block_state _state;

        /// <summary>
        /// Online state: read and changed under the device hotplug lock, which serialises a block's state transitions with
        /// hot-remove's check that every block is offline, and under the hotplug lock (for write to change it).
        /// </summary>
        [GuardedBy("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock", "ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public memory_block_state state
        {
            get
            {
                lockdep.lockdep_assert_held(memory_hotplug.device_hotplug_lock);
                lockdep.lockdep_assert_held_any(memory_hotplug.mem_hotplug_lock);
                return _state;
            }
            set
            {
                lockdep.lockdep_assert_held(memory_hotplug.device_hotplug_lock);
                lockdep.lockdep_assert_held(memory_hotplug.mem_hotplug_lock);
                _state = value;
            }
        }
    }

    /// <summary>Memory hot-add, online/offline and hot-remove (mm/memory_hotplug.c), with their locks.</summary>
    public static class memory_hotplug
    {
        /// <summary>Serialises device hotplug operations (lock_device_hotplug).</summary>
        [AcquiredBefore("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        public static readonly mutex device_hotplug_lock = new("device_hotplug_lock");

        /// <summary>
        /// The memory hotplug lock: read side (get_online_mems) keeps memory from being added, onlined,
        /// offlined or removed; the write side (mem_hotplug_begin) is held by all of those.
        /// </summary>
        [AcquiredBefore("ReferenceKernelMm.K.init_mm.mmap_lock")]
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new("mem_hotplug_lock");

        /// <summary>The memory block devices by first pfn (sysfs /sys/devices/system/memory).</summary>
        public static readonly ConcurrentDictionary<ulong, memory_block> memory_blocks = new();

        /// <summary>lock_device_hotplug.</summary>
        [Acquires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static void lock_device_hotplug() => mutex_lock(device_hotplug_lock);

        /// <summary>unlock_device_hotplug.</summary>
        [Releases("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static void unlock_device_hotplug() => mutex_unlock(device_hotplug_lock);

        /// <summary>Takes CPU hotplug for read, then the memory hotplug lock for write. Must not nest in get_online_mems.</summary>
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        [AcquiresShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        [Acquires("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static void mem_hotplug_begin()
        {
            lockdep.lockdep_assert_not_held(mem_hotplug_lock);
            kernel.cpu.cpus_read_lock();
            percpu_down_write(mem_hotplug_lock);
        }

        /// <summary>Ends a hotplug operation.</summary>
        [Releases("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        [ReleasesShared("ReferenceKernelMm.kernel.cpu.cpu_hotplug_lock")]
        public static void mem_hotplug_done()
        {
            percpu_up_write(mem_hotplug_lock);
            kernel.cpu.cpus_read_unlock();
        }

        /// <summary>Keeps memory from being hot-plugged (and kernel tables from being freed by hot-remove).</summary>
        [AcquiresShared("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static void get_online_mems() => percpu_down_read(mem_hotplug_lock);

        /// <summary>Ends get_online_mems.</summary>
        [ReleasesShared("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static void put_online_mems() => percpu_up_read(mem_hotplug_lock);

        /// <summary>
        /// Fails offline_pages as if pages of the range could not be migrated (-EBUSY): the injection point of a
        /// hot-remove that fails half-way (<see cref="offline_and_remove_memory"/>). Disabled unless set up.
        /// </summary>
        public static readonly lib.fault_attr fail_offline_pages = new("fail_offline_pages");

        /// <summary>
        /// Hot-adds [start, start+size): maps it in the linear map, creates its memmap (from the range
        /// itself: altmap) and its memory blocks, offline. Size and start must be block aligned. Returns 0, or -ENOMEM
        /// with nothing added (arch_add_memory rolled back).
        /// </summary>
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int add_memory(int nid, ulong start, ulong size, mhp_t mhp_flags)
        {
            lockdep.lockdep_assert_not_held(device_hotplug_lock);
            ulong block = mmzone.memory_block_size_bytes();
            ViolationLog.BUG_ON(size == 0 || start % block != 0 || size % block != 0, $"add_memory: 0x{start:x}+0x{size:x} not block aligned");
            lock_device_hotplug();
            try
            {
                return add_memory_resource(nid, start, size, mhp_flags);
            }
            finally
            {
                unlock_device_hotplug();
            }
        }

        /// <summary>The body of add_memory, under the device hotplug lock; 0 or -ENOMEM.</summary>
        [Requires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int add_memory_resource(int nid, ulong start, ulong size, mhp_t mhp_flags)
        {
            lockdep.lockdep_assert_held(device_hotplug_lock);
            ulong start_pfn = start >> pgtable.PAGE_SHIFT;
            for (ulong pfn = start_pfn; pfn < start_pfn + (size >> pgtable.PAGE_SHIFT); pfn += mmzone.PAGES_PER_SECTION)
                ViolationLog.BUG_ON(mmzone.__pfn_to_section(pfn).present, $"add_memory: pfn 0x{pfn:x} already present");
            mem_hotplug_begin();
            bool altmap = (mhp_flags & mhp_t.MHP_MEMMAP_ON_MEMORY) != 0 && !arch.ArchProfile.Current.MemmapOnOnline;
            int ret = mmu.arch_add_memory(nid, start, size, altmap);
            if (ret != 0)
            {
                // arch_add_memory undid itself: no memory block is created, the sections stay absent ("goto error").
                mem_hotplug_done();
                return ret;
            }
            ulong block_pages = mmzone.memory_block_size_bytes() >> pgtable.PAGE_SHIFT;
            for (ulong pfn = start_pfn; pfn < start_pfn + (size >> pgtable.PAGE_SHIFT); pfn += block_pages)
                memory_blocks[pfn] = new memory_block(pfn, block_pages) { state = memory_block_state.MEM_OFFLINE };
            mem_hotplug_done();
            return 0;
        }

        /// <summary>device_online of a memory block: onlines its pages under the hotplug write lock; 0 or the error of online_pages (the block stays offline).</summary>
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int online_memory_block(memory_block mem)
        {
            lockdep.lockdep_assert_not_held(device_hotplug_lock);
            lock_device_hotplug();
            int ret = memory_block_online(mem);
            unlock_device_hotplug();
            return ret;
        }

        /// <summary>device_offline of a memory block; 0 or the error of offline_pages (the block stays online).</summary>
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int offline_memory_block(memory_block mem)
        {
            lockdep.lockdep_assert_not_held(device_hotplug_lock);
            lock_device_hotplug();
            int ret = memory_block_offline(mem);
            unlock_device_hotplug();
            return ret;
        }

        /// <summary>memory_block_online, under the device hotplug lock: a block already online is left as it is.</summary>
        [Requires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int memory_block_online(memory_block mem)
        {
            lockdep.lockdep_assert_held(device_hotplug_lock);
            mem_hotplug_begin();
            int ret = 0;
            if (mem.state == memory_block_state.MEM_OFFLINE)
            {
                ret = online_pages(mem.start_pfn, mem.nr_pages);
                if (ret == 0)
                    mem.state = memory_block_state.MEM_ONLINE;
            }
            mem_hotplug_done();
            return ret;
        }

        /// <summary>memory_block_offline, under the device hotplug lock: a block already offline is left as it is.</summary>
        [Requires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int memory_block_offline(memory_block mem)
        {
            lockdep.lockdep_assert_held(device_hotplug_lock);
            mem_hotplug_begin();
            int ret = 0;
            if (mem.state == memory_block_state.MEM_ONLINE)
            {
                ret = offline_pages(mem.start_pfn, mem.nr_pages);
                if (ret == 0)
                    mem.state = memory_block_state.MEM_OFFLINE;
            }
            mem_hotplug_done();
            return ret;
        }

        /// <summary>
        /// offline_and_remove_memory: offlines every block of [start, start+size), then removes the range. If a block
        /// fails to go offline, the blocks offlined before it are onlined again (the kernel's rollback), so the range is as
        /// it was: online, its tables and memmap in place. On s390 onlining again sets up the memmap, which can fail: the
        /// kernel warns and leaves that block offline. All of it under the device hotplug lock, so no block changes
        /// state meanwhile. Returns 0 or the error that stopped the removal.
        /// </summary>
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int offline_and_remove_memory(ulong start, ulong size)
        {
            lockdep.lockdep_assert_not_held(device_hotplug_lock);
            ulong start_pfn = start >> pgtable.PAGE_SHIFT, end_pfn = start_pfn + (size >> pgtable.PAGE_SHIFT);
            lock_device_hotplug();
            var blocks = new System.Collections.Generic.List<memory_block>();
            foreach (memory_block mem in memory_blocks.Values)
                if (mem.start_pfn >= start_pfn && mem.start_pfn < end_pfn)
                    blocks.Add(mem);
            blocks.Sort((x, y) => x.start_pfn.CompareTo(y.start_pfn));
            // Which blocks were online: only those are onlined again by the rollback (the kernel's online_types).
            var was_online = new System.Collections.Generic.List<memory_block>();
            int rc = 0;
            foreach (memory_block mem in blocks)
            {
                get_online_mems();
                bool online = mem.state == memory_block_state.MEM_ONLINE;
                put_online_mems();
                if (!online)
                    continue;
                rc = memory_block_offline(mem);
                if (rc != 0)
                    break;
                was_online.Add(mem);
            }
            if (rc == 0)
                rc = try_remove_memory(start, size);
            if (rc != 0)
            {
                // A block that cannot be onlined again stays offline, with nothing allocated (the kernel's "Failed to re-online memory").
                foreach (memory_block mem in was_online)
                    _ = memory_block_online(mem);
            }
            unlock_device_hotplug();
            return rc;
        }

        /// <summary>
        /// Makes pages usable: initialises their memmap (set up first on s390) and marks the sections online. Must be called
        /// with mem_hotplug_lock held for write. Returns 0, or (s390) -ENOMEM when a memmap cannot be set up, after taking
        /// the sections it onlined offline again.
        /// </summary>
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static int online_pages(ulong pfn, ulong nr_pages)
        {
            lockdep.lockdep_assert_held(mem_hotplug_lock);
            for (ulong p = pfn; p < pfn + nr_pages; p += mmzone.PAGES_PER_SECTION)
            {
                mem_section s = mmzone.__pfn_to_section(p);
#if CONFIG_MEMMAP_ON_ONLINE
                // The range is not accessible before it is onlined, so its memmap lives in boot memory and is created now.
                int ret = mmu.section_activate_memmap(s, use_altmap: false);
                if (ret != 0)
                {
                    if (p > pfn)
                        ViolationLog.BUG_ON(offline_sections(pfn, p - pfn) != 0, "online_pages: rollback failed");
                    return ret;
                }
#endif
                mmzone.section_init_memmap(s, zone_type.ZONE_MOVABLE);
                s.online = true;
            }
            return 0;
        }

        /// <summary>
        /// Takes pages out of use: the sections go offline and their memmap is poisoned (torn down on s390). Must be called
        /// with mem_hotplug_lock held for write. Returns 0, or -EBUSY when pages could not be migrated off the range
        /// (<see cref="fail_offline_pages"/>): nothing has changed then, as the kernel fails before its point of no return.
        /// </summary>
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static int offline_pages(ulong pfn, ulong nr_pages)
        {
            lockdep.lockdep_assert_held(mem_hotplug_lock);
            ViolationLog.BUG_ON(!test_pages_in_a_zone(pfn, pfn + nr_pages), "offline_pages: range spans zones");
            // do_migrate_range: movable memory holds only pages that migrate, unless the injection says one did not.
            if (fail_offline_pages.should_fail())
                return lib.errno.EBUSY;
            return offline_sections(pfn, nr_pages);
        }

        // The part of offline_pages past the point of no return: cannot fail.
        [Requires("exclusive ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        private static int offline_sections(ulong pfn, ulong nr_pages)
        {
            lockdep.lockdep_assert_held(mem_hotplug_lock);
            for (ulong p = pfn; p < pfn + nr_pages; p += mmzone.PAGES_PER_SECTION)
            {
                mem_section s = mmzone.__pfn_to_section(p);
                s.online = false;
#if CONFIG_MEMMAP_ON_ONLINE
                mmu.section_deactivate_memmap(s);
#else
                mmzone.section_poison_memmap(s, drop: false, "offline_pages");
#endif
            }
            return 0;
        }

        /// <summary>Whether every page of [start_pfn, end_pfn) is in one zone; reads the memmap, which is safe under the hotplug lock.</summary>
        [ReadsMemmap("ReferenceKernelMm.mm.memory_hotplug.mem_hotplug_lock")]
        public static bool test_pages_in_a_zone(ulong start_pfn, ulong end_pfn)
        {
            lockdep.lockdep_assert_held_any(mem_hotplug_lock);
            zone_type zone = mmzone.page_zone(mmzone.pfn_to_page(start_pfn));
            for (ulong pfn = start_pfn; pfn < end_pfn; pfn += mmzone.PAGES_PER_SECTION)
                if (mmzone.page_zone(mmzone.pfn_to_page(pfn)) != zone)
                    return false;
            return true;
        }

        /// <summary>The struct page of <paramref name="pfn"/> if its memory is online, else null.</summary>
        [OnlineCheck]
        public static page? pfn_to_online_page(ulong pfn)
        {
            if (!mmzone.pfn_valid(pfn))
                return null;
            mem_section s = mmzone.__pfn_to_section(pfn);
            return s.online ? mmzone.pfn_to_page(pfn) : null;
        }

        /// <summary>sysfs valid_zones: reads the memmap only after proving the memory online (bug G9's fix).</summary>
        public static string show_valid_zones(memory_block mem)
        {
            page? p = pfn_to_online_page(mem.start_pfn);
            if (p == null)
                return "Normal Movable";
            return mmzone.page_zone(p) == zone_type.ZONE_MOVABLE ? "Movable" : "Normal";
        }

        /// <summary>Hot-removes [start, start+size); every block must be offline. Returns 0 or -EBUSY.</summary>
        [Excludes("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int remove_memory(ulong start, ulong size)
        {
            lockdep.lockdep_assert_not_held(device_hotplug_lock);
            lock_device_hotplug();
            try
            {
                return try_remove_memory(start, size);
            }
            finally
            {
                unlock_device_hotplug();
            }
        }

        /// <summary>Error code of a busy range.</summary>
        public const int EBUSY = -16;

        /// <summary>The body of remove_memory, under the device hotplug lock: tears down memmap, vmemmap and linear map, freeing empty tables.</summary>
        [Requires("ReferenceKernelMm.mm.memory_hotplug.device_hotplug_lock")]
        public static int try_remove_memory(ulong start, ulong size)
        {
            lockdep.lockdep_assert_held(device_hotplug_lock);
            ulong start_pfn = start >> pgtable.PAGE_SHIFT, end_pfn = start_pfn + (size >> pgtable.PAGE_SHIFT);
            mem_hotplug_begin();
            foreach (memory_block mem in memory_blocks.Values)
            {
                if (mem.start_pfn >= start_pfn && mem.start_pfn < end_pfn && mem.state != memory_block_state.MEM_OFFLINE)
                {
                    mem_hotplug_done();
                    return EBUSY;
                }
            }
            foreach (ulong pfn in memory_blocks.Keys)
                if (pfn >= start_pfn && pfn < end_pfn)
                    memory_blocks.TryRemove(pfn, out _);
            mmu.arch_remove_memory(start, size);
            mem_hotplug_done();
            return 0;
        }
    }
}
