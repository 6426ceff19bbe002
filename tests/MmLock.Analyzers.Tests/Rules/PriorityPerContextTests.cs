using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9 item 7: at most one diagnostic per context at a call, MM1006 > MM1003 > MM1001 context by context.</summary>
    public class PriorityPerContextTests
    {
        [Fact]
        public Task ExcludingOneContextAndReacquiringAnother_ReportsBoth() => Verify(@"
using MmLock; using K;
class C {
    [Excludes(""a""), Acquires(""b""), NoLockAnalysis(""primitive"")] static void swap(spinlock_t a, spinlock_t b) { }
    static void M(spinlock_t x, spinlock_t y) {
        {|#0:L.spin_lock(x)|};
        {|#1:L.spin_lock(y)|};
        {|#2:swap(x, y)|};
        L.spin_unlock(y);
        L.spin_unlock(x);
    }
}", Diag("MM1006").WithLocation(2).WithAdditionalLocation(0).WithMessage("Calling 'swap' while holding 'x', which it excludes (acquired at line 6)"),
    Diag("MM1003").WithLocation(2).WithAdditionalLocation(1).WithMessage("Acquiring 'y', which is already held (acquired at line 7)"));

        [Fact]
        public Task ExcludedAndRequiredOnDifferentContexts_ReportsBoth() => Verify(@"
using MmLock; using K;
class C {
    [Excludes(""a""), Requires(""b""), NoLockAnalysis(""primitive"")] static void ex(spinlock_t a, spinlock_t b) { }
    static void M(spinlock_t x, spinlock_t y) {
        {|#0:L.spin_lock(x)|};
        {|#1:ex(x, y)|};
        L.spin_unlock(x);
    }
}", Diag("MM1006").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'ex' while holding 'x', which it excludes (acquired at line 6)"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'ex' requires holding 'y' exclusively"));

        [Fact]
        public Task ExcludedAndRequiredSameContext_OnlyMM1006() => Verify(@"
using MmLock; using K;
class C {
    [Excludes(""a""), Acquires(""a""), NoLockAnalysis(""primitive"")] static void again(spinlock_t a) { }
    static void M(spinlock_t x) {
        {|#0:L.spin_lock(x)|};
        {|#1:again(x)|};
        L.spin_unlock(x);
    }
}", Diag("MM1006").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'again' while holding 'x', which it excludes (acquired at line 6)"));

        [Fact]
        public Task RequiresAndRequiresSharedOfOneContext_OneMM1001() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""s""), RequiresShared(""s"")] static void both(rw_semaphore s) { }
    static void M(rw_semaphore sem) {
        {|#0:both(sem)|};
        L.down_read(sem);
        {|#1:both(sem)|};
        L.up_read(sem);
        L.down_write(sem);
        both(sem);
        L.up_write(sem);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'both' requires holding 'sem' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'both' requires holding 'sem' exclusively, but it is held shared"));

        [Fact]
        public Task TwoRequirementsOnTwoContexts_TwoMM1001() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""a""), Requires(""b"")] static void two(spinlock_t a, spinlock_t b) { }
    static void M(spinlock_t x, spinlock_t y) {
        {|MM1001:{|MM1001:two(x, y)|}|};
    }
}", Diag("MM1001").WithMessage("Calling 'two' requires holding 'x' exclusively"),
    Diag("MM1001").WithMessage("Calling 'two' requires holding 'y' exclusively"));

        /// <summary>A role and a [Requires] on one context: the role call reports only its MM2xxx (contract §3); on different contexts, both.</summary>
        [Fact]
        public Task RoleAndRequiresOfOneContext_OnlyTheRolesID() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"", LeafLock = new[] { ""K.G.init_mm.page_table_lock"" })]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
static class W {
    [PageTableWalker(""kernel""), Requires(""K.G.mem_hotplug_lock"")] public static void same() { }
    [PageTableWalker(""kernel""), Requires(""mm.mmap_lock"")] public static void other(mm_struct mm) { }
    [TableFreer(""kernel"", ""hot-remove""), Requires(""K.G.mem_hotplug_lock"")] public static void freer() { }
    [LeafModifier(""kernel""), Requires(""K.G.init_mm.page_table_lock"")] public static void leaf() { }
}
class C {
    static void A(mm_struct mm) { {|#0:W.same()|}; {|#1:W.other(mm)|}; {|#2:W.freer()|}; {|#3:W.leaf()|}; }
}", Diag("MM2001").WithLocation(0).WithMessage("Calling 'same' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'other' requires holding 'mm.mmap_lock' exclusively"),
    Diag("MM2001").WithLocation(1).WithMessage("Calling 'other' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"),
    Diag("MM2003").WithLocation(2).WithMessage("Calling 'freer' frees 'kernel' tables ('hot-remove') without holding 'G.mem_hotplug_lock' exclusively"),
    Diag("MM2004").WithLocation(3).WithMessage("Calling 'leaf' modifies 'kernel' leaf entries without a leaf lock: hold 'G.init_mm.page_table_lock'"));
    }
}
