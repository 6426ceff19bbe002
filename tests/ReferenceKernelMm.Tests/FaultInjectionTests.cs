using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.lib;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    /// <summary>
    /// Injected faults (fault_attr) and the error paths behind them: a hot-add whose allocation fails rolls back, a
    /// hot-remove whose offline fails half-way rolls back, a dump walk stopped part-way releases its locks, and a stress
    /// run with every fault on ends clean and repeats itself for a seed. Every fault is an exact call (every-Nth, once),
    /// so the outcomes are exact.
    /// </summary>
    public sealed class FaultInjectionTests : IDisposable
    {
        // Ranges of their own, far above the other tests' (which use the first 10 GiB).
        private static readonly ulong AddRange = 40 * PUD_SIZE, PairRange = 42 * PUD_SIZE, PagingRange = 44 * PUD_SIZE;
        // A user address of the hugetlb test's own mm.
        private const ulong HugetlbRange = PUD_SIZE;

        public void Dispose()
        {
            page_alloc.fail_page_alloc.disable();
            memory_hotplug.fail_offline_pages.disable();
            pagewalk.fail_page_walk.disable();
        }

        // What a range looks like in the kernel tables: every leaf (address, entry) of the linear map and the vmemmap of it.
        private static List<(ulong addr, ulong entry)> Leaves(ulong start, ulong size)
        {
            var leaves = new List<(ulong, ulong)>();
            ulong vstart = pfn_to_vmemmap(start >> PAGE_SHIFT), vend = pfn_to_vmemmap((start + size) >> PAGE_SHIFT);
            foreach ((ulong from, ulong to) in new[] { (__va(start), __va(start + size)), (vstart, vend) })
                pagewalk.walk_kernel_page_table_range_lockless(from, to, (e, addr, _, _) => leaves.Add((addr, e.read())), null);
            return leaves;
        }

        private static void AssertNoLockHeld() => Assert.Empty(table_audit.check_locks(new[] { K.init_mm }));

        // Counts the allocations a successful hot-add of the range makes (the injection point sees every one), then removes it.
        private static long AllocationsOfHotAdd(ulong start, ulong size)
        {
            page_alloc.fail_page_alloc.setup(0, seed: 0);
            Assert.Equal(0, memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE));
            long calls = page_alloc.fail_page_alloc.Calls;
            Assert.Equal(0, memory_hotplug.remove_memory(start, size));
            return calls;
        }

        [Theory]
        [InlineData("first")]   // the linear map's first table: nothing mapped yet
        [InlineData("middle")]  // half of the linear map done
        [InlineData("last")]    // the vmemmap's 2 MiB block, which falls back to pages, one of which fails too; s390 maps
                                // no vmemmap at hot-add (its memmap is set up at online), so there it is a linear-map table
        public void HotAdd_WhoseAllocationFails_RollsBack_LeavingNoPageAndTheRangeAbsent(string which)
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            ulong start = AddRange, size = mmzone.memory_block_size_bytes();
            long calls = AllocationsOfHotAdd(start, size);
            Assert.True(calls > 2, $"hot-add made {calls} allocations");
            long nth = which switch { "first" => 1, "middle" => calls / 2, _ => calls };
            long times = which == "last" && !ArchProfile.Current.MemmapOnOnline ? 2 : 1;

            int free_before = page_alloc.nr_free_pages();
            HashSet<ulong> tables_before = table_audit.allocated_tables(), pages_before = table_audit.allocated_pages();
            page_alloc.fail_page_alloc.setup(0, seed: 0, interval: nth, times: times);
            int rc = memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE);
            long failures = page_alloc.fail_page_alloc.Failures;
            page_alloc.fail_page_alloc.disable();

            Assert.Equal(errno.ENOMEM, rc);
            Assert.Equal(times, failures);
            Assert.False(memory_hotplug.memory_blocks.ContainsKey(start >> PAGE_SHIFT));
            Assert.False(mmzone.pfn_valid(start >> PAGE_SHIFT));
            Assert.Null(memory_hotplug.pfn_to_online_page(start >> PAGE_SHIFT));
            Assert.Empty(Leaves(start, size));
            Assert.Equal(free_before, page_alloc.nr_free_pages());
            Assert.Equal(tables_before.Order(), table_audit.allocated_tables().Order());
            Assert.Equal(pages_before.Order(), table_audit.allocated_pages().Order());
            Assert.Empty(table_audit.check_pages());
            Assert.Empty(table_audit.check(new[] { K.init_mm }, tables_before));
            AssertNoLockHeld();

            // The range can be added again, and removed.
            Assert.Equal(0, memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE));
            Assert.Equal(0, memory_hotplug.remove_memory(start, size));
            Assert.Equal(free_before, page_alloc.nr_free_pages());
        }

        [Fact]
        public void Online_WhoseMemmapAllocationFails_LeavesTheBlockOffline_WithNothingAllocated()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            ulong start = AddRange, size = mmzone.memory_block_size_bytes();
            Assert.Equal(0, memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE));
            memory_block mem = memory_hotplug.memory_blocks[start >> PAGE_SHIFT];
            // The allocations of an online (offline frees them and the tables it emptied again).
            page_alloc.fail_page_alloc.setup(0, seed: 0);
            Assert.Equal(0, memory_hotplug.online_memory_block(mem));
            long online_calls = page_alloc.fail_page_alloc.Calls;
            Assert.Equal(0, memory_hotplug.offline_memory_block(mem));
            if (!ArchProfile.Current.MemmapOnOnline)
            {
                // The memmap was set up at hot-add: online allocates nothing and cannot fail.
                Assert.Equal(0, online_calls);
                Assert.Equal(0, memory_hotplug.remove_memory(start, size));
                return;
            }

            int free_before = page_alloc.nr_free_pages();
            HashSet<ulong> tables_before = table_audit.allocated_tables(), pages_before = table_audit.allocated_pages();
            // The last call, the last section's 2 MiB vmemmap block, fails; so does one of the page fallback's allocations.
            page_alloc.fail_page_alloc.setup(0, seed: 0, interval: online_calls, times: 2);
            int rc = memory_hotplug.online_memory_block(mem);
            long calls = page_alloc.fail_page_alloc.Calls, failures = page_alloc.fail_page_alloc.Failures;
            page_alloc.fail_page_alloc.disable();

            Assert.Equal(errno.ENOMEM, rc);
            Assert.Equal((2 * online_calls, 2L), (calls, failures));
            Assert.Null(memory_hotplug.pfn_to_online_page(start >> PAGE_SHIFT));
            Assert.Equal("Normal Movable", memory_hotplug.show_valid_zones(mem)); // offline: the memmap is not read
            Assert.Equal(free_before, page_alloc.nr_free_pages());
            Assert.Equal(tables_before.Order(), table_audit.allocated_tables().Order());
            Assert.Equal(pages_before.Order(), table_audit.allocated_pages().Order());
            Assert.Empty(table_audit.check_pages());
            AssertNoLockHeld();
            // Without the fault it goes online, and then away.
            Assert.Equal(0, memory_hotplug.online_memory_block(mem));
            Assert.Equal("Movable", memory_hotplug.show_valid_zones(mem));
            Assert.Equal(0, memory_hotplug.offline_and_remove_memory(start, size));
        }

        [Fact]
        public void HotRemove_WhoseRollbackCannotOnlineABlockAgain_LeavesItOffline()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            ulong block = mmzone.memory_block_size_bytes(), start = PairRange, size = 2 * block;
            int free_before_add = page_alloc.nr_free_pages();
            Assert.Equal(0, memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE));
            memory_block[] blocks = { memory_hotplug.memory_blocks[start >> PAGE_SHIFT], memory_hotplug.memory_blocks[(start + block) >> PAGE_SHIFT] };
            foreach (memory_block mem in blocks)
                Assert.Equal(0, memory_hotplug.online_memory_block(mem));

            // The second offline fails; onlining the first again, the first two allocations fail (s390: its memmap).
            memory_hotplug.fail_offline_pages.setup(0, seed: 0, interval: 2, times: 1);
            page_alloc.fail_page_alloc.setup(0, seed: 0, interval: 1, times: 2);
            int rc = memory_hotplug.offline_and_remove_memory(start, size);
            long alloc_failures = page_alloc.fail_page_alloc.Failures;
            memory_hotplug.fail_offline_pages.disable();
            page_alloc.fail_page_alloc.disable();

            Assert.Equal(errno.EBUSY, rc);
            AssertNoLockHeld();
            Assert.Empty(table_audit.check_pages());
            bool memmap_on_online = ArchProfile.Current.MemmapOnOnline;
            Assert.Equal(memmap_on_online ? 2 : 0, alloc_failures);
            Assert.Equal(memmap_on_online ? "Normal Movable" : "Movable", memory_hotplug.show_valid_zones(blocks[0]));
            Assert.Equal("Movable", memory_hotplug.show_valid_zones(blocks[1]));
            // Whatever the rollback left online goes offline and the range away, with every page back.
            Assert.Equal(0, memory_hotplug.offline_and_remove_memory(start, size));
            Assert.False(memory_hotplug.memory_blocks.ContainsKey(start >> PAGE_SHIFT));
            Assert.Equal(free_before_add, page_alloc.nr_free_pages());
        }

        [Fact]
        public void HotRemove_WhoseSecondOfflineFails_LeavesTheRangeOnline_WithItsTablesAndMemmapAsBefore()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            ulong block = mmzone.memory_block_size_bytes(), start = PairRange, size = 2 * block;
            Assert.Equal(0, memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE));
            memory_block[] blocks = { memory_hotplug.memory_blocks[start >> PAGE_SHIFT], memory_hotplug.memory_blocks[(start + block) >> PAGE_SHIFT] };
            foreach (memory_block mem in blocks)
                Assert.Equal(0, memory_hotplug.online_memory_block(mem));

            var leaves = Leaves(start, size);
            Assert.NotEmpty(leaves);
            int free_before = page_alloc.nr_free_pages();
            HashSet<ulong> tables_before = table_audit.allocated_tables(), pages_before = table_audit.allocated_pages();
            page[] memmap = blocks.Select(b => mmzone.pfn_to_page(b.start_pfn)).ToArray();

            // The first block goes offline, the second fails (-EBUSY): the first must be onlined again.
            memory_hotplug.fail_offline_pages.setup(0, seed: 0, interval: 2, times: 1);
            int rc = memory_hotplug.offline_and_remove_memory(start, size);
            Assert.Equal(2, memory_hotplug.fail_offline_pages.Calls);
            memory_hotplug.fail_offline_pages.disable();

            Assert.Equal(errno.EBUSY, rc);
            AssertNoLockHeld();
            for (int i = 0; i < blocks.Length; i++)
            {
                Assert.Same(blocks[i], memory_hotplug.memory_blocks[blocks[i].start_pfn]);
                Assert.Equal("Movable", memory_hotplug.show_valid_zones(blocks[i])); // online, memmap readable
                if (!ArchProfile.Current.MemmapOnOnline)
                    Assert.Same(memmap[i], mmzone.pfn_to_page(blocks[i].start_pfn)); // the same memmap, not a new one
            }
            Assert.Equal(leaves, Leaves(start, size));
            Assert.Equal(free_before, page_alloc.nr_free_pages());
            if (!ArchProfile.Current.MemmapOnOnline) // there offline frees the vmemmap and online allocates it again
            {
                Assert.Equal(tables_before.Order(), table_audit.allocated_tables().Order());
                Assert.Equal(pages_before.Order(), table_audit.allocated_pages().Order());
            }
            Assert.Empty(table_audit.check_pages());

            // With no fault the same call removes it all.
            Assert.Equal(0, memory_hotplug.offline_and_remove_memory(start, size));
            Assert.False(memory_hotplug.memory_blocks.ContainsKey(start >> PAGE_SHIFT));
            Assert.Empty(Leaves(start, size));
            AssertNoLockHeld();
        }

        [Fact]
        public void Ptdump_StoppedPartWay_ReturnsTheError_AndReleasesItsLocks()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            var full = new ptdump_state();
            pagewalk.fail_page_walk.setup(0, seed: 0);
            ptdump.ptdump_walk_pgd(full, K.init_mm);
            Assert.Equal(0, full.err);
            Assert.NotEmpty(full.entries);
            long tables = pagewalk.fail_page_walk.Calls;
            Assert.True(tables >= 2, $"the dump descends into {tables} tables");

            // Stopped at the first table it would descend into: every leaf lies below one, so it sees none.
            pagewalk.fail_page_walk.setup(0, seed: 0, interval: 1, times: 1);
            var st = new ptdump_state();
            ptdump.ptdump_walk_pgd(st, K.init_mm);
            Assert.Equal(1, pagewalk.fail_page_walk.Calls); // walked no further
            pagewalk.fail_page_walk.disable();

            Assert.Equal(errno.EINTR, st.err);
            Assert.Empty(st.entries);
            AssertNoLockHeld();
            Assert.Null(Lockdep.held_mode(memory_hotplug.mem_hotplug_lock.dep_map));
            Assert.Null(Lockdep.held_mode(K.init_mm.mmap_lock.dep_map));
            // Hot-remove's lock can be taken: the stopped walk holds nothing back.
            memory_hotplug.mem_hotplug_begin();
            memory_hotplug.mem_hotplug_done();
        }

        [Theory]
        [InlineData(1)] // the copy of the pgd
        [InlineData(4)] // the last table of the pool (pud, pmd and pte tables of a 2 MiB range)
        public void HotplugPaging_WhoseAllocationFails_ReturnsENOMEM_BeforeTheStop_WithNothingMappedOrAllocated(long nth)
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            ulong start = PagingRange, size = PMD_SIZE;
            int free_before = page_alloc.nr_free_pages();
            HashSet<ulong> tables_before = table_audit.allocated_tables();
            page_alloc.fail_page_alloc.setup(0, seed: 0, interval: nth, times: 1);
            memory_hotplug.mem_hotplug_begin();
            int rc = mmu.hotplug_paging(start, size);
            memory_hotplug.mem_hotplug_done();
            long calls = page_alloc.fail_page_alloc.Calls;
            page_alloc.fail_page_alloc.disable();

            Assert.Equal(errno.ENOMEM, rc);
            Assert.Equal(nth, calls); // nothing allocated after the failure
            Assert.Null(FixmapTests.Translate(K.init_mm.pgd, __va(start)));
            Assert.Equal(free_before, page_alloc.nr_free_pages());
            Assert.Equal(tables_before.Order(), table_audit.allocated_tables().Order());
            AssertNoLockHeld();

            // Without the fault it maps the range with the same number of allocations.
            page_alloc.fail_page_alloc.setup(0, seed: 0);
            memory_hotplug.mem_hotplug_begin();
            Assert.Equal(0, mmu.hotplug_paging(start, size));
            Assert.Equal(4, page_alloc.fail_page_alloc.Calls);
            Assert.Equal(start >> PAGE_SHIFT, FixmapTests.Translate(K.init_mm.pgd, __va(start)));
            mmu.__remove_pgd_mapping(K.init_mm, __va(start), size);
            memory_hotplug.mem_hotplug_done();
            Assert.Equal(free_before, page_alloc.nr_free_pages());
        }

        [Fact]
        public void WalkHugetlbRange_StoppedPartWay_ReturnsTheError_AndReleasesTheVmaLock()
        {
            using var cpu = Smp.cpu_up();
            mm_struct mm = mm_struct.mm_alloc("walk-stop");
            const int pages = 4;
            ulong start = HugetlbRange, end = start + pages * hugetlb.HPAGE_SIZE;
            vm_area_struct vma = hugetlb.hugetlb_mmap(mm, start, start + PUD_SIZE, shared: true, new @file("walk-stop"), 0);
            mmap_lock.mmap_read_lock(mm);
            for (ulong addr = start; addr < end; addr += hugetlb.HPAGE_SIZE)
                Assert.Equal(0, hugetlb.hugetlb_fault(mm, vma, addr));
            var seen = new List<ulong>();
            int Entry(pXd_t pte, ulong addr, ulong next, object? priv) { seen.Add(addr); return 0; }

            // Stopped at the third huge PTE (fail_page_walk): the callback saw two.
            pagewalk.fail_page_walk.setup(0, seed: 0, interval: 3, times: 1);
            int rc = pagewalk.walk_hugetlb_range(vma, start, end, Entry, null);
            long calls = pagewalk.fail_page_walk.Calls;
            pagewalk.fail_page_walk.disable();
            Assert.Equal(errno.EINTR, rc);
            Assert.Equal(3, calls);
            Assert.Equal(new[] { start, start + hugetlb.HPAGE_SIZE }, seen);
            if (vma.vm_private_data is hugetlb_vma_lock vma_lock)
                Assert.Null(Lockdep.held_mode(vma_lock.rw_sema.dep_map));

            // A callback's own error stops it the same way, and a whole walk sees every page.
            seen.Clear();
            Assert.Equal(errno.ENOMEM, pagewalk.walk_hugetlb_range(vma, start, end, (_, addr, _, _) => { seen.Add(addr); return errno.ENOMEM; }, null));
            Assert.Equal(new[] { start }, seen);
            seen.Clear();
            Assert.Equal(0, pagewalk.walk_hugetlb_range(vma, start, end, Entry, null));
            Assert.Equal(pages, seen.Count);
            mmap_lock.mmap_read_unlock(mm);
            // The vma lock is free: an unshare can take it for write.
            mmap_lock.mmap_write_lock(mm);
            hugetlb.hugetlb_unshare_all_pmds(vma);
            mmap_lock.mmap_write_unlock(mm);
            AssertNoLockHeld();
            Assert.Empty(table_audit.check_locks(new[] { mm }));
        }

        [Fact]
        public void ApplyToPageRange_WhoseTableAllocationFails_StopsWithENOMEM_AndHoldsNothing()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            // An area whose PTE table does not exist yet (other tests leave tables in the vmalloc area, as the kernel does).
            var areas = new List<vm_struct>();
            vm_struct area;
            do
            {
                Assert.True(areas.Count < 64, "no vmalloc area without a PTE table");
                areas.Add(area = vmalloc.get_vm_area(PMD_SIZE, PMD_SIZE));
            } while (!NeedsTable(area.addr));
            int visited = 0;
            page_alloc.fail_page_alloc.setup(0, seed: 0, interval: 1, times: 1);
            int rc = memory.apply_to_page_range(K.init_mm, area.addr, PAGE_SIZE * 4, (_, _, _) => { visited++; return 0; }, null);
            page_alloc.fail_page_alloc.disable();
            Assert.Equal(errno.ENOMEM, rc);
            Assert.Equal(0, visited);
            AssertNoLockHeld();
            foreach (vm_struct a in areas)
                vmalloc.vunmap(a.addr);
        }

        // Whether mapping a page at va needs a table allocated (the walk ends above the PTE level at an empty entry).
        private static bool NeedsTable(ulong va)
        {
            pXd_t e = pgd_offset_k(va);
            while (pxd_table(e.read(), e.level))
                e = pxd_offset(e, va);
            return e.level != pt_level.pte && pxd_none(e.read());
        }

        // The driver as a process: the port's state is global, and each run boots its own machine.
        private static (int exit, string stdout, string log) Stress(int seed)
        {
            string log = Path.Combine(Path.GetTempPath(), $"fault-oplog-{Guid.NewGuid():N}.txt");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ReferenceKernelMm.Stress.dll"));
            foreach (string a in new[] { "--cpus", "1", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ops", "300",
                         "--duration", "600", "--window-ms", "0", "--fail-alloc", "0.003", "--fail-offline", "0.5", "--stop-walk", "0.05", "--op-log", log })
                psi.ArgumentList.Add(a);
            using Process p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(300)))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"the stress run did not end\n{stdout.Result}");
            }
            string text = File.Exists(log) ? File.ReadAllText(log) : "";
            File.Delete(log);
            return (p.ExitCode, stdout.Result + stderr.Result, text);
        }

        [Fact]
        public void StressRun_OnOneCpuWithEveryFault_EndsWithACleanAudit_AndRepeatsItsOperationLog()
        {
            // Seed 1: its 300 operations take every kind of fault in all six profiles.
            var first = Stress(seed: 1);
            Assert.True(first.exit == 0, first.stdout);
            Assert.Contains("result: clean", first.stdout);
            // Every kind of fault was injected and taken by an error path.
            foreach (string point in new[] { "fail_page_alloc", "fail_offline_pages", "fail_page_walk" })
                Assert.Matches($@"{point} [1-9]\d* of", first.stdout);
            string[] lines = first.log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(300, lines.Length);
            Assert.Contains(lines, l => l.Contains("(ENOMEM", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("(EBUSY, rolled back)", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("(walk stopped)", StringComparison.Ordinal));

            var second = Stress(seed: 1);
            Assert.True(second.exit == 0, second.stdout);
            Assert.Equal(first.log, second.log);
        }
    }
}
