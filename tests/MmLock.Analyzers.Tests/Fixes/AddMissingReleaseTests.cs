using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    public class AddMissingReleaseTests
    {
        private const string Key = AddMissingReleaseCodeFix.EquivalenceKey;

        [Fact]
        public Task WrapsTheRestOfTheBlockInFinally() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(mm_struct mm, bool b)
    {
        L.mmap_write_lock({|#0:mm|});
        if (b)
            {|MM1004:return 1;|}
        mm.ToString();
        {|MM1004:return 0;|}
    }
}", @"
using MmLock; using K;
class C
{
    static int f(mm_struct mm, bool b)
    {
        L.mmap_write_lock(mm);
        try
        {
            if (b)
                return 1;
            mm.ToString();
            return 0;
        }
        finally
        {
            L.mmap_write_unlock(mm);
        }
    }
}", Key, iterations: 1);

        [Fact]
        public Task FixAllReleasesInEveryMember() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f(spinlock_t a)
    {
        L.spin_lock(a);
        a.ToString();
    {|MM1004:}|}

    static void g()
    {
        L.rcu_read_lock();
        System.Console.WriteLine();
    {|MM1004:}|}
}", @"
using MmLock; using K;
class C
{
    static void f(spinlock_t a)
    {
        L.spin_lock(a);
        try
        {
            a.ToString();
        }
        finally
        {
            L.spin_unlock(a);
        }
    }

    static void g()
    {
        L.rcu_read_lock();
        try
        {
            System.Console.WriteLine();
        }
        finally
        {
            L.rcu_read_unlock();
        }
    }
}", Key);

        /// <summary>The release on the early path was the last thing it did: it moves into the finally, which releases there too.</summary>
        [Fact]
        public Task ReleaseThatEndsItsPathMovesIntoTheFinally() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f(spinlock_t a, bool b)
    {
        L.spin_lock(a);
        if (b)
        {
            L.spin_unlock(a);
            return;
        }
    {|MM1004:}|}
}", @"
using MmLock; using K;
class C
{
    static void f(spinlock_t a, bool b)
    {
        L.spin_lock(a);
        try
        {
            if (b)
            {
                return;
            }
        }
        finally
        {
            L.spin_unlock(a);
        }
    }
}", Key, iterations: 1);

        /// <summary>A release followed by more work on its path: a finally would release later than the code does; no try/finally.</summary>
        [Fact]
        public Task NotOfferedWhenAReleaseIsFollowedByWork() => FixVerifier.NotOffered<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f(spinlock_t a, bool b)
    {
        L.spin_lock(a);
        if (b)
        {
            L.spin_unlock(a);
            a.ToString();
            return;
        }
    {|MM1004:}|}
}", Key);
    }
}
