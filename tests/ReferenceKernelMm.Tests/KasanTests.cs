using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    public class KasanTests
    {
        [Fact]
        public void Access_to_a_freed_table_page_names_who_freed_it_and_who_touched_it()
        {
            using var cpu = Smp.cpu_up();
            FrameRef table = page_alloc.pagetable_alloc("test_alloc");
            table.write(7, 0x1234);
            Assert.Equal(0x1234UL, table.read(7));
            Free_from_here(table);

            var e = Assert.Throws<KernelBugException>(() => table.read(7));
            Assert.Equal(ViolationKind.UseAfterFree, e.Violation.Kind);
            Assert.Contains($"pfn 0x{table.pfn:x}", e.Message);
            Assert.Contains($"Freed by: free_empty_tables on CPU {cpu.Cpu.id}", e.Message);
            Assert.Contains(nameof(Free_from_here), e.Message); // the freeing stack
            Assert.Contains(nameof(Access_to_a_freed_table_page_names_who_freed_it_and_who_touched_it), e.Message); // the accessing stack
            Assert.Contains(ViolationLog.Snapshot(), v => v == e.Violation);
        }

        private static void Free_from_here(FrameRef table) => page_alloc.pagetable_free(table, "free_empty_tables");

        [Fact]
        public void A_stale_reference_is_caught_after_the_page_is_allocated_again()
        {
            using var cpu = Smp.cpu_up();
            FrameRef old = page_alloc.pagetable_alloc("first");
            page_alloc.pagetable_free(old, "free_first");
            FrameRef reused = page_alloc.pagetable_alloc("second");
            Assert.Equal(old.pfn, reused.pfn); // the allocator hands the hot page back
            reused.write(0, 42);
            var e = Assert.Throws<KernelBugException>(() => old.write(0, 1));
            Assert.Contains("freed and allocated again", e.Message);
            Assert.Equal(42UL, reused.read(0));
            page_alloc.pagetable_free(reused, "cleanup");
        }

        [Fact]
        public void Freed_pages_are_poisoned_and_double_free_is_reported()
        {
            using var cpu = Smp.cpu_up();
            FrameRef page = page_alloc.get_zeroed_page("test");
            page_alloc.free_page(page, "first_free");
            Assert.Equal(Frame.POISON, page.frame.words[0]);
            var e = Assert.Throws<KernelBugException>(() => page_alloc.free_page(page, "second_free"));
            Assert.Contains("double free", e.Message);
            Assert.Contains("first_free", e.Message);
        }
    }
}
