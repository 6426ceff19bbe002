using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    public class MoveRequirementToCallerTests
    {
        [Fact]
        public Task AddsRequiresNamingTheCallersParameterPath() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void need(mm_struct mm) { }

    static void f(vm_area_struct vma)
    {
        {|MM1001:need(vma.vm_mm)|};
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void need(mm_struct mm) { }

    [Requires(""vma.vm_mm.mmap_lock"")]
    static void f(vm_area_struct vma)
    {
        need(vma.vm_mm);
    }
}", "MM1001.MoveToCaller", iterations: 1);

        [Fact]
        public Task FixAllAddsSharedAndStaticRequirements() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [RequiresShared(""s"")] static void reader(rw_semaphore s) { }
    [RequiresShared(""K.G.RCU"")] static void under_rcu() { }

    static void f(mm_struct mm)
    {
        {|MM1001:reader(mm.mmap_lock)|};
    }

    /// <summary>g</summary>
    [MightSleep] static void g()
    {
        {|MM1001:under_rcu()|};
    }
}", @"
using MmLock; using K;
class C
{
    [RequiresShared(""s"")] static void reader(rw_semaphore s) { }
    [RequiresShared(""K.G.RCU"")] static void under_rcu() { }

    [RequiresShared(""mm.mmap_lock"")]
    static void f(mm_struct mm)
    {
        reader(mm.mmap_lock);
    }

    /// <summary>g</summary>
    [MightSleep]
    [RequiresShared(""K.G.RCU"")]
    static void g()
    {
        under_rcu();
    }
}", "MM1001.MoveToCaller");

        [Fact]
        public Task AddsRequiresAnyFullyQualifiedWithoutUsing() => FixVerifier.Verify<RequirementCodeFix>(@"
using K;
class C
{
    [MmLock.RequiresAny(""a"", ""shared b"")] static void either(spinlock_t a, rw_semaphore b) { }

    static void f(spinlock_t x, mm_struct mm)
    {
        {|MM1001:either(x, mm.mmap_lock)|};
    }
}", @"
using K;
class C
{
    [MmLock.RequiresAny(""a"", ""shared b"")] static void either(spinlock_t a, rw_semaphore b) { }

    [MmLock.RequiresAny(""x"", ""shared mm.mmap_lock"")]
    static void f(spinlock_t x, mm_struct mm)
    {
        either(x, mm.mmap_lock);
    }
}", "MM1001.MoveToCaller");

        [Fact]
        public Task AddsTheCalleesWalkerRole() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot_remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
class C
{
    [PageTableWalker(""kernel"")] static void walk() { }

    static void f()
    {
        {|MM2001:walk()|};
    }

    static void g()
    {
        {|MM2001:walk()|};
    }
}", @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot_remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
class C
{
    [PageTableWalker(""kernel"")] static void walk() { }

    [PageTableWalker(""kernel"")]
    static void f()
    {
        walk();
    }

    [PageTableWalker(""kernel"")]
    static void g()
    {
        walk();
    }
}", "MM2001.MoveToCaller");

        [Fact]
        public Task NotOfferedWhenTheCallerCannotNameTheContext() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void need(mm_struct mm) { }

    static void f()
    {
        var mm = new mm_struct();
        {|MM1001:need(mm)|};
    }
}", "MM1001.MoveToCaller");

        [Fact]
        public Task NotOfferedInsideALambda() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static System.Action f(spinlock_t a) => () => {|MM1001:need(a)|};
}", "MM1001.MoveToCaller");
    }
}
