using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    public class RemoveUnmatchedReleaseTests
    {
        private const string Key = RemoveUnmatchedReleaseCodeFix.EquivalenceKey;

        [Fact]
        public Task RemovesReleaseOfContextNotHeld() => FixVerifier.Verify<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void M(spinlock_t a)
    {
        L.spin_lock(a);
        L.spin_unlock(a);
        {|MM1002:L.spin_unlock(a)|};
        a.ToString();
    }
}", @"
using MmLock; using K;
class C
{
    static void M(spinlock_t a)
    {
        L.spin_lock(a);
        L.spin_unlock(a);
        a.ToString();
    }
}", Key, iterations: 1);

        [Fact]
        public Task FixAllRemovesEveryUnmatchedRelease() => FixVerifier.Verify<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void M(spinlock_t a)
    {
        {|MM1002:L.spin_unlock(a)|};
    }

    static void N(mm_struct mm)
    {
        // done
        {|MM1002:L.mmap_read_unlock(mm)|};
        mm.ToString();
    }
}", @"
using MmLock; using K;
class C
{
    static void M(spinlock_t a)
    {
    }

    static void N(mm_struct mm)
    {
        // done
        mm.ToString();
    }
}", Key);

        [Fact]
        public Task NotOfferedForReleaseInTheWrongMode() => FixVerifier.NotOffered<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void M(mm_struct mm)
    {
        L.mmap_write_lock(mm);
        {|MM1002:L.mmap_read_unlock(mm)|};
    }
}");
    }
}
