using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    public class TableAuditTests
    {
        [Fact]
        public void A_table_linked_from_no_root_is_a_leak_and_a_freed_linked_table_is_reported()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            // Tables of the other tests' mms are not under the audited root.
            var outside = table_audit.allocated_tables();
            mm_struct mm = mm_struct.mm_alloc("audit");
            Assert.Empty(table_audit.check(new[] { mm }, outside));

            pgtable_t pud = table_alloc(pt_level.pud, "leaky_alloc");
            Assert.Equal($"table pfn 0x{pud.page.pfn:x} leaked: allocated by leaky_alloc, linked from no root",
                Assert.Single(table_audit.check(new[] { mm }, outside)));

            mm.pgd.entry(3).write(table_entry(pud));
            Assert.Empty(table_audit.check(new[] { mm }, outside));

            table_free(pud, "early_free");
            Assert.Equal($"audit: pgd entry 3 of table pfn 0x{mm.pgd.page.pfn:x} points to pfn 0x{pud.page.pfn:x}, freed by early_free",
                Assert.Single(table_audit.check(new[] { mm }, outside)));
            mm.pgd.entry(3).write(0);
            Assert.Empty(table_audit.check(new[] { mm }, outside));
        }

        [Fact]
        public void A_table_linked_twice_must_be_a_counted_share()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            var outside = table_audit.allocated_tables();
            mm_struct a = mm_struct.mm_alloc("audit-a"), b = mm_struct.mm_alloc("audit-b");
            pgtable_t pud_a = table_alloc(pt_level.pud, "pud a"), pud_b = table_alloc(pt_level.pud, "pud b");
            pgtable_t pmd = table_alloc(pt_level.pmd, "shared pmd");
            a.pgd.entry(1).write(table_entry(pud_a));
            b.pgd.entry(1).write(table_entry(pud_b));
            pud_a.entry(0).write(table_entry(pmd));
            pud_b.entry(0).write(table_entry(pmd));

            Assert.Equal($"table pfn 0x{pmd.page.pfn:x} is linked 2 times but shared by 0 more mms",
                Assert.Single(table_audit.check(new[] { a, b }, outside)));

            pud_b.entry(0).write(0);
            Assert.Empty(table_audit.check(new[] { a, b }, outside));
            a.pgd.entry(1).write(0);
            b.pgd.entry(1).write(0);
            table_free(pmd, "cleanup");
            table_free(pud_a, "cleanup");
            table_free(pud_b, "cleanup");
        }

        [Fact]
        public void A_huge_page_mapcount_must_match_the_huge_PTEs_that_map_it()
        {
            using var cpu = Smp.cpu_up();
            TestCpu.Boot();
            // Huge pages the other tests mapped are under mms this audit does not name.
            var outside = new System.Collections.Generic.HashSet<ulong>(hugetlb.folio_mapcounts().Keys);
            const ulong addr = 5 * PUD_SIZE;
            mm_struct mm = mm_struct.mm_alloc("rmap");
            vm_area_struct vma = hugetlb.hugetlb_mmap(mm, addr, addr + PUD_SIZE, shared: true, new @file("rmap"), 0);
            mmap_lock.mmap_read_lock(mm);
            hugetlb.hugetlb_fault(mm, vma, addr);
            hugetlb.hugetlb_fault(mm, vma, addr); // found set: no second mapping
            mmap_lock.mmap_read_unlock(mm);
            Assert.Empty(table_audit.check_rmap(new[] { mm }, outside));

            pXd_t ptep = pxd_offset(pxd_offset(pgd_offset(mm, addr), addr), addr);
            ulong pfn = entry_pfn(ptep.read());
            // A set that overwrote another CPU's: counted twice, mapped once.
            hugetlb.hugetlb_add_file_rmap(pfn);
            Assert.Equal($"huge page pfn 0x{pfn:x}: mapcount 2, mapped by 1 huge PTEs", Assert.Single(table_audit.check_rmap(new[] { mm }, outside)));
            hugetlb.hugetlb_remove_rmap(pfn);
            Assert.Empty(table_audit.check_rmap(new[] { mm }, outside));

            // Unmapped more often than mapped: the kernel's "Bad page map".
            hugetlb.hugetlb_remove_rmap(pfn);
            Assert.Equal($"huge page pfn 0x{pfn:x}: mapped by 1 huge PTEs, mapcount 0", Assert.Single(table_audit.check_rmap(new[] { mm }, outside)));
            Assert.Equal(ViolationKind.Bug, Assert.Throws<KernelBugException>(() => hugetlb.hugetlb_remove_rmap(pfn)).Violation.Kind);
            hugetlb.hugetlb_add_file_rmap(pfn);
            hugetlb.hugetlb_add_file_rmap(pfn);
            Assert.Empty(table_audit.check_rmap(new[] { mm }, outside));
            Assert.Equal(0, mmap.vm_munmap(mm, addr, PUD_SIZE));
            Assert.Empty(table_audit.check_rmap(new[] { mm }, outside));
        }
    }
}
