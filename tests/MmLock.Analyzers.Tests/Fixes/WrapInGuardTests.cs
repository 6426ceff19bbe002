using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    public class WrapInGuardTests
    {
        [Fact]
        public Task WrapsCallInSharedMmapLock() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static void f(mm_struct mm)
    {
        mm.ToString();
        var n = {|MM1001:find(mm)|};
        System.Console.WriteLine(n);
        mm.ToString();
    }
}", @"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static void f(mm_struct mm)
    {
        mm.ToString();
        L.mmap_read_lock(mm);
        try
        {
            var n = find(mm);
            System.Console.WriteLine(n);
        }
        finally
        {
            L.mmap_read_unlock(mm);
        }
        mm.ToString();
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        /// <summary>A comment after the wrapped statement stays on it, inside the try, and is not copied after the finally.</summary>
        [Fact]
        public Task TrailingCommentStaysWithTheWrappedStatement() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static void walk(mm_struct mm) { }

    static void f(mm_struct mm)
    {
        {|MM1001:walk(mm)|}; // needs the read lock
    }
}", @"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static void walk(mm_struct mm) { }

    static void f(mm_struct mm)
    {
        L.mmap_read_lock(mm);
        try
        {
            walk(mm); // needs the read lock
        }
        finally
        {
            L.mmap_read_unlock(mm);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task FixAllWrapsExclusiveAndStaticGuards() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }
    [RequiresShared(""K.G.RCU"")] static void under_rcu() { }

    static void f(mm_struct mm, bool b)
    {
        if (b)
            {|MM1001:need(mm.page_table_lock)|};
    }

    static void g()
    {
        {|MM1001:under_rcu()|};
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }
    [RequiresShared(""K.G.RCU"")] static void under_rcu() { }

    static void f(mm_struct mm, bool b)
    {
        if (b)
        {
            L.spin_lock(mm.page_table_lock);
            try
            {
                need(mm.page_table_lock);
            }
            finally
            {
                L.spin_unlock(mm.page_table_lock);
            }
        }
    }

    static void g()
    {
        L.rcu_read_lock();
        try
        {
            under_rcu();
        }
        finally
        {
            L.rcu_read_unlock();
        }
    }
}", "MM1001.WrapTryFinally");

        [Fact]
        public Task WrapsWalkerInOneOfItsExcludedByGuards() => FixVerifier.Verify<RequirementCodeFix>(@"
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

    static void g(mm_struct mm)
    {
        {|MM2001:walk()|};
        mm.ToString();
    }
}", @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot_remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
class C
{
    [PageTableWalker(""kernel"")] static void walk() { }

    static void f()
    {
        L.get_online_mems();
        try
        {
            walk();
        }
        finally
        {
            L.put_online_mems();
        }
    }

    static void g(mm_struct mm)
    {
        L.get_online_mems();
        try
        {
            walk();
        }
        finally
        {
            L.put_online_mems();
        }
        mm.ToString();
    }
}", "MM2001.WrapTryFinally");

        [Fact]
        public Task NotOfferedWithoutAnAcquireForTheContext() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Context] public sealed class seqlock_t { }
    [Requires(""s"")] static void need(seqlock_t s) { }

    static void g(seqlock_t s)
    {
        {|MM1001:need(s)|};
    }
}", "MM1001.WrapTryFinally");
    }
}
