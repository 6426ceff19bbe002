using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>The fixes on receivers, page-table lookups and freers, and Fix All with two fixes in one member.</summary>
    public class FixScenarioTests
    {
        private const string Space = @"
[assembly: PageTableSpace(""user"")]
[assembly: TableFreeing(""user"", ""free_pgtables"", Holds = new[] { ""exclusive K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""mm.mmap_lock"" })]";

        [Fact]
        public Task MoveToCallerNamesAMemberOfThis() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    private readonly spinlock_t lk = new spinlock_t();
    [Requires(""lk"")] void need() { }

    void f(int lk)
    {
        {|MM1001:need()|};
    }
}", @"
using MmLock; using K;
class C
{
    private readonly spinlock_t lk = new spinlock_t();
    [Requires(""lk"")] void need() { }

    [Requires(""this.lk"")]
    void f(int lk)
    {
        need();
    }
}", "MM1001.MoveToCaller");

        [Fact]
        public Task WrapUsesTheReceiversMember() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    private readonly spinlock_t lk = new spinlock_t();
    [Requires(""lk"")] void need() { }

    void f()
    {
        {|MM1001:need()|};
    }
}", @"
using MmLock; using K;
class C
{
    private readonly spinlock_t lk = new spinlock_t();
    [Requires(""lk"")] void need() { }

    void f()
    {
        L.spin_lock(lk);
        try
        {
            need();
        }
        finally
        {
            L.spin_unlock(lk);
        }
    }
}", "MM1001.WrapTryFinally");

        [Fact]
        public Task WrapCoversTheUsesOfALookedUpEntry() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;" + Space + @"
class C
{
    [PageTableWalker(""user""), ReturnsGuarded] static object lookup(mm_struct mm) => new object();

    static void f(vm_area_struct vma)
    {
        var mm = vma.vm_mm;
        var pte = {|MM2002:lookup(mm)|};
        var text = pte.ToString();
        System.Console.WriteLine(text);
        vma.ToString();
    }
}", @"
using MmLock; using K;" + Space + @"
class C
{
    [PageTableWalker(""user""), ReturnsGuarded] static object lookup(mm_struct mm) => new object();

    static void f(vm_area_struct vma)
    {
        var mm = vma.vm_mm;
        L.mmap_read_lock(mm);
        try
        {
            var pte = lookup(mm);
            var text = pte.ToString();
            System.Console.WriteLine(text);
        }
        finally
        {
            L.mmap_read_unlock(mm);
        }
        vma.ToString();
    }
}", "MM2002.WrapTryFinally");

        [Fact]
        public Task WrapTakesTheFreersLockExclusively() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;" + Space + @"
class C
{
    [TableFreer(""user"", ""free_pgtables"")] static void free_tables() { }

    static void f()
    {
        {|MM2003:free_tables()|};
    }
}", @"
using MmLock; using K;" + Space + @"
class C
{
    [TableFreer(""user"", ""free_pgtables"")] static void free_tables() { }

    static void f()
    {
        L.mem_hotplug_begin();
        try
        {
            free_tables();
        }
        finally
        {
            L.mem_hotplug_done();
        }
    }
}", "MM2003.WrapTryFinally");

        [Fact]
        public Task MoveToCallerCopiesTheFreerRole() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;" + Space + @"
class C
{
    [TableFreer(""user"", ""free_pgtables"")] static void free_tables() { }

    static void f()
    {
        {|MM2003:free_tables()|};
    }
}", @"
using MmLock; using K;" + Space + @"
class C
{
    [TableFreer(""user"", ""free_pgtables"")] static void free_tables() { }

    [TableFreer(""user"", ""free_pgtables"")]
    static void f()
    {
        free_tables();
    }
}", "MM2003.MoveToCaller");

        [Fact]
        public Task FixAllMovesTwoRequirementsOfOneMember() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        {|MM1001:need(a)|};
        {|MM1001:need(a)|};
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    [Requires(""a"")]
    static void f(spinlock_t a)
    {
        need(a);
        need(a);
    }
}", "MM1001.MoveToCaller");

        [Fact]
        public Task FixAllWrapsTwoCallsOfOneBlock() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a, spinlock_t b)
    {
        {|MM1001:need(a)|};
        {|MM1001:need(b)|};
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a, spinlock_t b)
    {
        L.spin_lock(a);
        try
        {
            need(a);
        }
        finally
        {
            L.spin_unlock(a);
        }
        L.spin_lock(b);
        try
        {
            need(b);
        }
        finally
        {
            L.spin_unlock(b);
        }
    }
}", "MM1001.WrapTryFinally");

        [Fact]
        public Task WrapInALocalFunction() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        void local()
        {
            {|MM1001:need(a)|};
        }
        local();
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        void local()
        {
            L.spin_lock(a);
            try
            {
                need(a);
            }
            finally
            {
                L.spin_unlock(a);
            }
        }
        local();
    }
}", "MM1001.WrapTryFinally");
    }
}
