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
        public Task RemovalNotOfferedForReleaseInTheWrongMode() => FixVerifier.NotOffered<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void M(mm_struct mm)
    {
        L.mmap_write_lock(mm);
        {|MM1002:L.mmap_read_unlock(mm)|};
    }
}", Key);

        /// <summary>A release in the wrong mode becomes the release of the mode that is held (removing it would leak the hold).</summary>
        [Fact]
        public Task WrongModeReleasesTheHeldMode() => FixVerifier.Verify<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void M(mm_struct mm)
    {
        L.mmap_write_lock(mm);
        {|MM1002:L.mmap_read_unlock(mm)|}; // done
    }

    static void N(rw_semaphore s)
    {
        L.down_read(s);
        {|MM1002:L.up_write(s)|};
    }
}", @"
using MmLock; using K;
class C
{
    static void M(mm_struct mm)
    {
        L.mmap_write_lock(mm);
        L.mmap_write_unlock(mm); // done
    }

    static void N(rw_semaphore s)
    {
        L.down_read(s);
        L.up_read(s);
    }
}", RemoveUnmatchedReleaseCodeFix.HeldModeKey, iterations: 2);

        [Fact]
        public async Task WrongModeTitleSaysWhichModeIsHeld()
        {
            var actions = await FixVerifier.ActionsAsync<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void N(rw_semaphore s)
    {
        L.down_read(s);
        {|MM1002:L.up_write(s)|};
    }
}", "MM1002");
            Assert.Equal(new (string, string?)[] { ("Replace with 'L.up_read(s)' (it is held shared)", RemoveUnmatchedReleaseCodeFix.HeldModeKey) }, actions);
        }

        /// <summary>A try-lock whose result is not tested may hold the lock: removing the release would leak it on that path.</summary>
        [Fact]
        public Task RemovalNotOfferedWhenATryLockMayHoldIt() => FixVerifier.NotOffered<RemoveUnmatchedReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void M(spinlock_t a)
    {
        var ok = L.spin_trylock(a);
        {|MM1002:L.spin_unlock(a)|};
    }
}");
    }
}
