using System.Collections.Generic;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.mm_layout;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    public class HugetlbVmemmapTests
    {
        private static ulong VmemmapPfn(ulong addr) => entry_pfn(pxd_offset(pxd_offset(pxd_offset(pgd_offset_k(addr), addr), addr), addr).read());

        [Fact]
        public void HVO_remaps_the_tail_vmemmap_pages_to_the_head_and_restores_them()
        {
            Assert.Equal(ArchProfile.Current.HugetlbVmemmapOptimize, typeof(page_alloc).Assembly.GetType("ReferenceKernelMm.mm.hugetlb_vmemmap") != null);
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
            using var cpu = Smp.cpu_up();
            ulong start = 5 * PUD_SIZE, size = mmzone.memory_block_size_bytes();
            TestCpu.Boot();
            int before = page_alloc.nr_free_pages();
            memory_hotplug.add_memory(0, start, size, mhp_t.MHP_NONE); // memmap in boot memory, mapped with a 2 MiB block
            pXd_t pmd = pxd_offset(pxd_offset(pgd_offset_k(pfn_to_vmemmap(start >> PAGE_SHIFT)), pfn_to_vmemmap(start >> PAGE_SHIFT)), pfn_to_vmemmap(start >> PAGE_SHIFT));
            Assert.True(pxd_leaf(pmd.read(), pt_level.pmd));
            ulong head = (start >> PAGE_SHIFT) + hugetlb.HPAGE_SIZE / PAGE_SIZE; // the second 2 MiB page of the block
            ulong vmemmap = pfn_to_vmemmap(head);
            int free = page_alloc.nr_free_pages();

            Assert.Equal(hugetlb_vmemmap.HUGETLB_VMEMMAP_PAGES - 1, hugetlb_vmemmap.hugetlb_vmemmap_optimize_folio(head));
            Assert.True(pxd_table(pmd.read(), pt_level.pmd)); // the block was split into a PTE table
            Assert.Equal(free + hugetlb_vmemmap.HUGETLB_VMEMMAP_PAGES - 1 - 1, page_alloc.nr_free_pages()); // minus the new PTE table
            for (int i = 1; i < hugetlb_vmemmap.HUGETLB_VMEMMAP_PAGES; i++)
                Assert.Equal(VmemmapPfn(vmemmap), VmemmapPfn(vmemmap + (ulong)i * PAGE_SIZE));

            hugetlb_vmemmap.hugetlb_vmemmap_restore_folio(head);
            var pfns = new HashSet<ulong>();
            for (int i = 0; i < hugetlb_vmemmap.HUGETLB_VMEMMAP_PAGES; i++)
                pfns.Add(VmemmapPfn(vmemmap + (ulong)i * PAGE_SIZE));
            Assert.Equal(hugetlb_vmemmap.HUGETLB_VMEMMAP_PAGES, pfns.Count);
            Assert.Equal(0, memory_hotplug.remove_memory(start, size));
            Assert.Equal(before, page_alloc.nr_free_pages()); // vmemmap pages, the split PTE table and all other tables came back
#endif
        }
    }
}
