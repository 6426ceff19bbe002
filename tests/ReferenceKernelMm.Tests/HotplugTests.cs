using System.Linq;
using System.Threading;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    public class HotplugTests
    {
        // Each test uses its own physical range (1 GiB apart, so each gets PMD tables of its own).
        private static ulong Range(int slot) => (ulong)(slot + 1) * PUD_SIZE;

        private static bool Mapped(ulong virt)
        {
            pXd_t e = pgd_offset_k(virt);
            while (pxd_table(e.read(), e.level))
                e = pxd_offset(e, virt);
            return pxd_leaf(e.read(), e.level);
        }

        [Fact]
        public void Add_online_offline_remove_round_trip()
        {
            using var cpu = Smp.cpu_up();
            ulong start = Range(0), size = mmzone.memory_block_size_bytes();
            TestCpu.Boot();
            int freeBefore = page_alloc.nr_free_pages();
            memory_hotplug.add_memory(0, start, size, mhp_t.MHP_MEMMAP_ON_MEMORY);
            Assert.True(Mapped(__va(start)));
            Assert.True(Mapped(pfn_to_vmemmap(start >> PAGE_SHIFT)) || ArchProfile.Current.MemmapOnOnline);
            memory_block mem = memory_hotplug.memory_blocks[start >> PAGE_SHIFT];
            Assert.Null(memory_hotplug.pfn_to_online_page(start >> PAGE_SHIFT));
            Assert.Equal("Normal Movable", memory_hotplug.show_valid_zones(mem));

            memory_hotplug.online_memory_block(mem);
            Assert.NotNull(memory_hotplug.pfn_to_online_page(start >> PAGE_SHIFT));
            Assert.Equal("Movable", memory_hotplug.show_valid_zones(mem));
            Assert.Equal(memory_hotplug.EBUSY, memory_hotplug.remove_memory(start, size));

            memory_hotplug.offline_memory_block(mem);
            // Reading the memmap of offline memory is the bug of G9: reported, not silently read.
            var e = Assert.Throws<KernelBugException>(() => mmzone.page_zone(mmzone.pfn_to_page(start >> PAGE_SHIFT)));
            Assert.Equal(ViolationKind.UseAfterFree, e.Violation.Kind);

            Assert.Equal(0, memory_hotplug.remove_memory(start, size));
            Assert.False(Mapped(__va(start)));
            Assert.False(mmzone.pfn_valid(start >> PAGE_SHIFT));
            Assert.Equal(freeBefore, page_alloc.nr_free_pages()); // every table the add created was freed
        }

        [Fact]
        public void Ptdump_sees_hot_added_memory_and_no_WX_mappings()
        {
            using var cpu = Smp.cpu_up();
            ulong start = Range(1), size = mmzone.memory_block_size_bytes();
            memory_hotplug.add_memory(0, start, size, mhp_t.MHP_MEMMAP_ON_MEMORY);
            var st = new ptdump_state();
            ptdump.ptdump_walk_pgd(st, K.init_mm);
            Assert.Contains(st.entries, x => x.addr == __va(start) && x.level == pt_level.pte);
            Assert.Contains(st.entries, x => x.addr == __va(0) && x.level == pt_level.pmd); // boot memory, 2 MiB blocks
            Assert.True(ptdump.ptdump_check_wx());
            Assert.Equal(0, memory_hotplug.remove_memory(start, size));
        }

        [Fact]
        public void A_walker_without_the_hotplug_lock_is_caught_touching_a_freed_table()
        {
            using var cpu = Smp.cpu_up();
            ulong start = Range(2), size = mmzone.memory_block_size_bytes();
            memory_hotplug.add_memory(0, start, size, mhp_t.MHP_MEMMAP_ON_MEMORY);
            using var atLeaf = new ManualResetEventSlim();
            using var resume = new ManualResetEventSlim();
            // The buggy ptdump of G1: init_mm's mmap lock only, no get_online_mems. It pauses at its first leaf.
            var walker = TestCpu.Run("buggy ptdump", () =>
            {
                mmap_lock.mmap_write_lock(K.init_mm);
                try
                {
                    pagewalk.walk_kernel_page_table_range_lockless(__va(start), __va(start + size), (entry, addr, next, _) =>
                    {
                        if (!atLeaf.IsSet)
                        {
                            atLeaf.Set();
                            resume.WaitTakingIpis();
                        }
                        entry.read();
                    }, null);
                }
                finally
                {
                    mmap_lock.mmap_write_unlock(K.init_mm);
                }
            });
            atLeaf.Wait("walker at its first leaf");
            Assert.Equal(0, memory_hotplug.remove_memory(start, size)); // hot-remove never waits for init_mm's mmap lock
            resume.Set();
            var ex = Assert.Throws<System.AggregateException>(() => walker.WaitTakingIpis());
            var bug = Assert.IsType<KernelBugException>(ex.InnerException);
            Assert.Equal(ViolationKind.UseAfterFree, bug.Violation.Kind);
            Assert.Contains("Freed by: free_empty_tables", bug.Message);
        }

        [Fact]
        public void Ptdump_waits_for_hot_remove_and_hot_remove_waits_for_ptdump()
        {
            using var cpu = Smp.cpu_up();
            ulong start = Range(3), size = mmzone.memory_block_size_bytes();
            memory_hotplug.add_memory(0, start, size, mhp_t.MHP_MEMMAP_ON_MEMORY);
            memory_hotplug.get_online_mems();
            var remover = TestCpu.Run("remover", () => Assert.Equal(0, memory_hotplug.remove_memory(start, size)));
            TestCpu.StillBlocked(remover, "hot-remove under get_online_mems");
            Assert.True(Mapped(__va(start)));
            memory_hotplug.put_online_mems();
            remover.Wait("hot-remove after put_online_mems");
            Assert.False(Mapped(__va(start)));
        }

        [Fact]
        public void The_kernel_walker_asserts_its_guards()
        {
            using var cpu = Smp.cpu_up();
            var e = Assert.Throws<KernelBugException>(() =>
                pagewalk.walk_kernel_page_table_range(PAGE_OFFSET, VMALLOC_START, (_, _, _, _) => { }, null));
            Assert.Equal(ViolationKind.NotHeld, e.Violation.Kind);
            memory_hotplug.get_online_mems();
            mmap_lock.mmap_read_lock(K.init_mm); // the read side does not exclude huge-vmap table freeing
            if (ArchProfile.Current.HaveArchHugeVmap)
            {
                e = Assert.Throws<KernelBugException>(() =>
                    pagewalk.walk_kernel_page_table_range(PAGE_OFFSET, VMALLOC_START, (_, _, _, _) => { }, null));
                Assert.Contains("mmap_lock", e.Message);
            }
            else
            {
                pagewalk.walk_kernel_page_table_range(PAGE_OFFSET, VMALLOC_START, (_, _, _, _) => { }, null); // hot-remove is the only freeing
            }
            mmap_lock.mmap_read_unlock(K.init_mm);
            memory_hotplug.put_online_mems();
        }

        [Fact]
        public void Ioremap_reuses_a_range_as_a_huge_mapping_by_freeing_the_old_pte_table()
        {
            using var cpu = Smp.cpu_up();
            // An unaligned-phys mapping forces PTEs; after iounmap the PTE table stays behind.
            ulong small = vmalloc.ioremap(0x1000, PMD_SIZE);
            pXd_t pmd = pxd_offset(pxd_offset(pgd_offset_k(small), small), small);
            pgtable_t pteTable = next_table(pmd);
            vmalloc.iounmap(small);
            Assert.True(pteTable.page.valid);
            ulong huge = vmalloc.ioremap(PMD_SIZE * 4, PMD_SIZE);
            Assert.Equal(small, huge);
            Assert.Equal(ArchProfile.Current.HaveArchHugeVmap, pxd_leaf(pmd.read(), pt_level.pmd));
            Assert.Equal(!ArchProfile.Current.HaveArchHugeVmap, pteTable.page.valid);
            vmalloc.iounmap(huge);
        }

        [Fact]
        public void A_1GiB_ioremap_frees_the_PMD_and_PTE_tables_left_under_it()
        {
            using var cpu = Smp.cpu_up();
            vm_struct area = vmalloc.get_vm_area(PMD_SIZE, PUD_SIZE);
            vmalloc.vmap_page_range(area.addr, area.addr + PMD_SIZE, 0x1000, PAGE_KERNEL);
            pXd_t pud = pxd_offset(pgd_offset_k(area.addr), area.addr);
            pgtable_t pmdTable = next_table(pud);
            vmalloc.vunmap(area.addr);
            ulong huge = vmalloc.ioremap(PUD_SIZE * 2, PUD_SIZE);
            Assert.Equal(area.addr, huge); // the freed area merged with the free space after it
            Assert.Equal(ArchProfile.Current.HaveArchHugeVmap, pxd_leaf(pud.read(), pt_level.pud));
            Assert.Equal(!ArchProfile.Current.HaveArchHugeVmap, pmdTable.page.valid);
            vmalloc.iounmap(huge);
        }

        [Fact]
        public void Huge_vmap_collapse_backs_off_while_ptdump_holds_init_mm_for_write()
        {
            using var cpu = Smp.cpu_up();
            ulong small = vmalloc.ioremap(0x1000, PMD_SIZE);
            pgtable_t pteTable = next_table(pxd_offset(pxd_offset(pgd_offset_k(small), small), small));
            vmalloc.iounmap(small);
            using var dumping = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var dumper = TestCpu.Run("ptdump", () =>
            {
                mmap_lock.mmap_write_lock(K.init_mm);
                dumping.Set();
                release.WaitTakingIpis();
                mmap_lock.mmap_write_unlock(K.init_mm);
            });
            dumping.Wait("ptdump holds init_mm");
            ulong huge = vmalloc.ioremap(PMD_SIZE * 4, PMD_SIZE); // trylock fails: mapped with pages instead
            Assert.True(pteTable.page.valid);
            release.Set();
            dumper.Wait("ptdump");
            vmalloc.iounmap(huge);
        }

        [Fact]
        public void Ptdump_check_wx_finds_a_writable_executable_mapping()
        {
            using var cpu = Smp.cpu_up();
            vm_struct area = vmalloc.get_vm_area(PAGE_SIZE, PAGE_SIZE);
            vmalloc.vmap_page_range(area.addr, area.addr + PAGE_SIZE, 0x1000, _PAGE_PRESENT | _PAGE_RW);
            Assert.False(ptdump.ptdump_check_wx());
            vmalloc.vunmap(area.addr);
            Assert.True(ptdump.ptdump_check_wx());
        }
    }
}
