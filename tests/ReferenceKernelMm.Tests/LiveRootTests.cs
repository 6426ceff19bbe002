using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    public class LiveRootTests
    {
        [Fact]
        public void Boot_replaced_the_root_on_the_boot_CPU_and_every_CPU_now_uses_swapper_pg_dir()
        {
            TestCpu.Boot();
            Assert.Equal(init.system_states.SYSTEM_RUNNING, init.main.system_state);
            Assert.Equal(-1, mmu_context.cpu_using_root(K.init_mm.pgd));
            using var cpu = Smp.cpu_up();
            Assert.Equal(0x1234UL, FixmapTests.Translate(K.init_mm.pgd, __va(0x1234UL << PAGE_SHIFT)));
        }

        [Fact]
        public void Cpu_replace_ttbr1_outside_stop_machine_fails_the_run_time_assertion()
        {
            TestCpu.Boot();
            using var cpu = Smp.cpu_up();
            var e = Assert.Throws<KernelBugException>(() => mmu_context.cpu_replace_ttbr1(K.init_mm.pgd));
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
            Assert.Contains("neither under stop_machine nor at boot", e.Message);
            e = Assert.Throws<KernelBugException>(() => init.main.lockdep_assert_single_cpu_boot());
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
        }

        [Fact]
        public void Hot_add_by_replacing_the_root_under_stop_machine_works_while_other_CPUs_walk()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            vmalloc.iounmap(vmalloc.ioremap(0x10_0000, PAGE_SIZE * 4)); // the vmalloc tables it leaves stay
            int freeBefore = page_alloc.nr_free_pages();
            int violationsBefore = ViolationLog.Count;
            ulong start = 7 * PUD_SIZE, size = mmzone.memory_block_size_bytes();
            long[] progress = new long[3];
            using var stop = new CancellationTokenSource();
            var walkers = new[]
            {
                // An owner of a vmalloc area: populates entries under init_mm.page_table_lock, walks and unmaps its range.
                TestCpu.Run("ioremap", () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        ulong va = vmalloc.ioremap(0x10_0000, PAGE_SIZE * 4);
                        ulong seen = 0;
                        pagewalk.walk_kernel_page_table_range_lockless(va, va + PAGE_SIZE * 4, (e, a, n, _) => seen += entry_pfn(e.read()), null);
                        Assert.Equal(0x100UL + 0x101 + 0x102 + 0x103, seen);
                        vmalloc.iounmap(va);
                        Interlocked.Increment(ref progress[0]);
                    }
                }),
                // A lockless reader with IRQs off: the stop waits for it to enable them.
                TestCpu.Run("irqs-off reader", () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        ulong flags = Smp.local_irq_save();
                        Assert.Equal(0x42UL, FixmapTests.Translate(K.init_mm.pgd, __va(0x42UL << PAGE_SHIFT)));
                        Smp.local_irq_restore(flags);
                        Interlocked.Increment(ref progress[1]);
                    }
                }),
                // ptdump: excluded from the hot-add by get_online_mems, then sees whatever the last round left.
                TestCpu.Run("ptdump", () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        Assert.True(ptdump.ptdump_check_wx());
                        Interlocked.Increment(ref progress[2]);
                    }
                }),
            };
            TestCpu.Until(() => progress.All(p => Volatile.Read(ref p) > 0), "walkers running");
            for (int round = 0; round < 5; round++)
            {
                memory_hotplug.mem_hotplug_begin();
                Assert.Equal(0, mmu.hotplug_paging(start, size));
                Assert.Equal(start >> PAGE_SHIFT, FixmapTests.Translate(K.init_mm.pgd, __va(start)));
                Assert.Equal((start + size - PAGE_SIZE) >> PAGE_SHIFT, FixmapTests.Translate(K.init_mm.pgd, __va(start + size - PAGE_SIZE)));
                Assert.Equal(-1, mmu_context.cpu_using_root(K.init_mm.pgd));
                mmu.__remove_pgd_mapping(K.init_mm, __va(start), size);
                memory_hotplug.mem_hotplug_done();
                Assert.Null(FixmapTests.Translate(K.init_mm.pgd, __va(start)));
            }
            long[] afterRounds = progress.ToArray();
            TestCpu.Until(() => Enumerable.Range(0, 3).All(i => Volatile.Read(ref progress[i]) > afterRounds[i]), "walkers continue");
            stop.Cancel();
            foreach (Task w in walkers)
                w.Wait("walker");
            Assert.Equal(violationsBefore, ViolationLog.Count);
            Assert.Equal(freeBefore, page_alloc.nr_free_pages()); // the copies, unused preallocated tables and the mapping's tables
        }
    }
}
