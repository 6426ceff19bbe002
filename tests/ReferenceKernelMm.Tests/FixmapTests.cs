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
    public class FixmapTests
    {
        /// <summary>The pfn <paramref name="va"/> maps to under <paramref name="pgd"/>, or null (a software walk).</summary>
        internal static ulong? Translate(pgtable_t pgd, ulong va)
        {
            pXd_t e = pgd.entry(index(va, pt_level.pgd));
            while (pxd_table(e.read(), e.level))
                e = pxd_offset(e, va);
            ulong v = e.read();
            return pxd_leaf(v, e.level) ? entry_pfn(v) + (va % level_size(e.level)) / PAGE_SIZE : null;
        }

        /// <summary>Frees every table under a private pgd, and the pgd.</summary>
        internal static void FreeTables(pgtable_t table)
        {
            if (table.level != pt_level.pte)
            {
                for (int i = 0; i < PTRS_PER_TABLE; i++)
                    if (pxd_table(table.entry(i).read(), table.level))
                        FreeTables(next_table(table.entry(i)));
            }
            table_free(table, "test teardown");
        }

        [Fact]
        public void A_fixmap_user_without_fixmap_lock_is_caught()
        {
            using var cpu = Smp.cpu_up();
            FrameRef table = page_alloc.pagetable_alloc("test");
            var e = Assert.Throws<KernelBugException>(() => fixmap.pxd_set_fixmap(pt_level.pte, table.pfn << PAGE_SHIFT));
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
            Assert.Contains("fixmap_lock", e.Message);
            page_alloc.pagetable_free(table, "test");
        }

        [Fact]
        public void A_second_user_of_a_slot_is_detected_before_it_corrupts_the_first_ones_table()
        {
            using var mapped = new ManualResetEventSlim();
            using var done = new ManualResetEventSlim();
            FrameRef mine = default, other = default;
            int ownerCpu = -1;
            var owner = TestCpu.Run("fixmap owner", () =>
            {
                ownerCpu = Smp.smp_processor_id();
                mine = page_alloc.pagetable_alloc("owner's table");
                locking.mutex_lock(mmu.fixmap_lock);
                fixmap_pXd ptep = fixmap.pxd_set_fixmap(pt_level.pte, mine.pfn << PAGE_SHIFT);
                mapped.Set();
                done.WaitTakingIpis();
                ptep.write(0x1234); // still the owner's table
                fixmap.pxd_clear_fixmap(pt_level.pte);
                locking.mutex_unlock(mmu.fixmap_lock);
            });
            mapped.Wait("owner mapped FIX_PTE");
            using (var cpu = Smp.cpu_up())
            {
                other = page_alloc.pagetable_alloc("intruder's table");
                // A user that skips fixmap_lock (the buggy hot-add of G10) and stores to the slot's PTE directly.
                var e = Assert.Throws<KernelBugException>(() => fixmap.__set_fixmap(fixed_addresses.FIX_PTE, other.pfn << PAGE_SHIFT, fixmap.FIXMAP_PAGE_NORMAL));
                Assert.Equal(ViolationKind.Bug, e.Violation.Kind);
                Assert.Contains($"FIX_PTE in use by CPU {ownerCpu}", e.Message);
                e = Assert.Throws<KernelBugException>(() => fixmap.__set_fixmap(fixed_addresses.FIX_PTE, 0, fixmap.FIXMAP_PAGE_CLEAR));
                Assert.Contains("clears it", e.Message);
                done.Set();
                owner.Wait("owner");
                Assert.Equal(0x1234UL, mine.read(0));
                Assert.Equal(0UL, other.read(0));
                page_alloc.pagetable_free(other, "test");
                page_alloc.pagetable_free(mine, "test");
            }
        }

        [Fact]
        public void Concurrent_mappings_through_the_shared_slots_stay_correct()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            int freeBefore = page_alloc.nr_free_pages();
            const int mappers = 3, rounds = 8;
            ulong hotAdd = 5 * PUD_SIZE, size = mmzone.memory_block_size_bytes();
            // Private roots, as efi_mm has: every mapping into them goes through the same FIX_PUD/PMD/PTE slots as hot-add.
            pgtable_t[] roots = Enumerable.Range(0, mappers).Select(_ => table_alloc(pt_level.pgd, "test root")).ToArray();
            var tasks = Enumerable.Range(0, mappers).Select(m => TestCpu.Run($"mapper {m}", () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    // Each round a fresh 1 GiB slot, so every level needs new tables.
                    ulong va = (ulong)(r + 1) * PUD_SIZE + (ulong)m * PMD_SIZE * 3, pa = 0x4000_0000UL * (ulong)(m + 1) + (ulong)r * PAGE_SIZE * 16;
                    mmu.__create_pgd_mapping(roots[m], pa, va, PAGE_SIZE * 16, PAGE_KERNEL, mmu.pgd_pgtable_alloc, mmu.NO_BLOCK_MAPPINGS);
                }
            })).ToList();
            tasks.Add(TestCpu.Run("hot-add", () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    memory_hotplug.add_memory(0, hotAdd, size, mhp_t.MHP_NONE);
                    Assert.Equal(hotAdd >> PAGE_SHIFT, Translate(K.init_mm.pgd, __va(hotAdd)));
                    Assert.Equal(0, memory_hotplug.remove_memory(hotAdd, size));
                }
            }));
            foreach (Task t in tasks)
                t.Wait("mapper");
            for (int m = 0; m < mappers; m++)
            {
                for (int r = 0; r < rounds; r++)
                {
                    ulong va = (ulong)(r + 1) * PUD_SIZE + (ulong)m * PMD_SIZE * 3, pa = 0x4000_0000UL * (ulong)(m + 1) + (ulong)r * PAGE_SIZE * 16;
                    for (ulong off = 0; off < PAGE_SIZE * 16; off += PAGE_SIZE)
                        Assert.Equal((pa + off) >> PAGE_SHIFT, Translate(roots[m], va + off));
                    Assert.Null(Translate(roots[m], va + PAGE_SIZE * 16));
                }
                FreeTables(roots[m]);
            }
            Assert.Equal(freeBefore, page_alloc.nr_free_pages());
        }
    }
}
