using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReferenceKernelMm.drivers.firmware.efi;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    public class EfiPtdumpTests
    {
        // efi_mm is global: each test maps its own virtual range (1 GiB apart).
        private static ulong Va(int slot) => 0x10_0000_0000UL + (ulong)slot * PUD_SIZE;

        [Fact]
        public void Ptdump_efi_dumps_efi_mm_own_tables()
        {
            using var cpu = Smp.cpu_up();
            efi.efi_create_mapping(efi.efi_mm, new efi_memory_desc_t(0x20_0000, Va(0), 2, code: true));
            efi.efi_create_mapping(efi.efi_mm, new efi_memory_desc_t(0x30_0000, Va(0) + PMD_SIZE, 3, code: false));
            ptdump_state st = efi.ptdump_efi();
            var mine = st.entries.Where(e => e.addr >= Va(0) && e.addr < Va(1)).ToList();
            Assert.Equal(5, mine.Count);
            Assert.All(mine.Take(2), e => Assert.True(!e.writable && e.executable && e.size == PAGE_SIZE && e.level == pt_level.pte));
            Assert.All(mine.Skip(2), e => Assert.True(e.writable && !e.executable));
            Assert.Equal(Va(0) + PMD_SIZE + 2 * PAGE_SIZE, mine[4].addr);
            Assert.All(st.entries, e => Assert.True(e.addr < TASK_SIZE)); // no kernel mapping: efi_mm has its own root
            var kernel = new ptdump_state();
            ptdump.ptdump_walk_pgd(kernel, K.init_mm);
            Assert.DoesNotContain(kernel.entries, e => e.addr == Va(0));
        }

        [Fact]
        public void The_efi_walk_asserts_efi_mm_mmap_lock_for_write()
        {
            using var cpu = Smp.cpu_up();
            var e = Assert.Throws<KernelBugException>(() => pagewalk.walk_page_range_debug(efi.efi_mm, 0, TASK_SIZE, (_, _, _, _) => { }, null));
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
            mmap_lock.mmap_read_lock(efi.efi_mm); // the read side does not stop munmap's table freeing (G7)
            e = Assert.Throws<KernelBugException>(() => pagewalk.walk_page_range_debug(efi.efi_mm, 0, TASK_SIZE, (_, _, _, _) => { }, null));
            mmap_lock.mmap_read_unlock(efi.efi_mm);
            Assert.Contains("efi_mm.mmap_lock", e.Message);
            mmap_lock.mmap_write_lock(efi.efi_mm);
            pagewalk.walk_page_range_debug(efi.efi_mm, 0, TASK_SIZE, (_, _, _, _) => { }, null);
            mmap_lock.mmap_write_unlock(efi.efi_mm);
        }

        [Fact]
        public void Ptdump_efi_takes_the_hotplug_lock_and_both_mmap_locks()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            foreach (System.Action<bool> hold in new System.Action<bool>[]
            {
                take => { if (take) mmap_lock.mmap_read_lock(efi.efi_mm); else mmap_lock.mmap_read_unlock(efi.efi_mm); },
                take => { if (take) mmap_lock.mmap_read_lock(K.init_mm); else mmap_lock.mmap_read_unlock(K.init_mm); },
                take => { if (take) memory_hotplug.mem_hotplug_begin(); else memory_hotplug.mem_hotplug_done(); },
            })
            {
                hold(true);
                var dumper = TestCpu.Run("ptdump_efi", () => efi.ptdump_efi());
                TestCpu.StillBlocked(dumper, "ptdump_efi while a lock it needs is held");
                hold(false);
                dumper.Wait("ptdump_efi");
            }
        }

        [Fact]
        public void Hot_add_and_efi_mappings_share_the_fixmap_slots_and_stay_correct()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            int violationsBefore = ViolationLog.Count;
            ulong start = 9 * PUD_SIZE, size = mmzone.memory_block_size_bytes();
            const int regions = 24;
            using var stop = new CancellationTokenSource();
            var tasks = new[]
            {
                TestCpu.Run("hot-add", () =>
                {
                    for (int r = 0; r < 6; r++)
                    {
                        memory_hotplug.add_memory(0, start, size, mhp_t.MHP_MEMMAP_ON_MEMORY);
                        Assert.Equal(start >> PAGE_SHIFT, FixmapTests.Translate(K.init_mm.pgd, __va(start)));
                        Assert.Equal(0, memory_hotplug.remove_memory(start, size));
                    }
                }),
                TestCpu.Run("efi", () =>
                {
                    // Every region in a fresh 2 MiB (and every fourth in a fresh 1 GiB): new PTE and PMD tables each time.
                    for (int i = 0; i < regions; i++)
                        efi.efi_create_mapping(efi.efi_mm, new efi_memory_desc_t(0x100_0000UL + (ulong)i * 0x1_0000, Va(2 + i / 4) + (ulong)(i % 4) * PMD_SIZE, 4, code: i % 2 == 0));
                }),
                TestCpu.Run("ptdump_efi", () =>
                {
                    while (!stop.IsCancellationRequested)
                        efi.ptdump_efi();
                }),
            };
            tasks[0].Wait("hot-add");
            tasks[1].Wait("efi mappings");
            stop.Cancel();
            tasks[2].Wait("ptdump_efi");
            for (int i = 0; i < regions; i++)
            {
                ulong va = Va(2 + i / 4) + (ulong)(i % 4) * PMD_SIZE;
                for (ulong p = 0; p < 4; p++)
                    Assert.Equal((0x100_0000UL + (ulong)i * 0x1_0000 >> PAGE_SHIFT) + p, FixmapTests.Translate(efi.efi_mm.pgd, va + p * PAGE_SIZE));
            }
            Assert.Equal(regions * 4, efi.ptdump_efi().entries.Count(e => e.addr >= Va(2) && e.addr < Va(2 + regions / 4)));
            Assert.Equal(violationsBefore, ViolationLog.Count);
        }
    }
}
