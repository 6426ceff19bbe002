using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM1004 at every exit kind: try/finally over the acquire's range (first), or the release right before the exit.</summary>
    public class ReleaseAtExitTests
    {
        private const string Finally = AddMissingReleaseCodeFix.EquivalenceKey;
        private const string BeforeExit = AddMissingReleaseCodeFix.BeforeExitKey;

        private const string EarlyReturn = @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
            {|MM1004:return 1;|}
        L.spin_unlock(l);
        return 0;
    }
}";

        [Fact]
        public Task EarlyReturnGetsTryFinallyAndTheReleaseMovesIntoIt() => FixVerifier.Verify<AddMissingReleaseCodeFix>(EarlyReturn, @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        try
        {
            if (b)
                return 1;
            return 0;
        }
        finally
        {
            L.spin_unlock(l);
        }
    }
}", Finally, iterations: 1);

        [Fact]
        public Task EarlyReturnGetsTheReleaseBeforeIt() => FixVerifier.Verify<AddMissingReleaseCodeFix>(EarlyReturn, @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
        {
            L.spin_unlock(l);
            return 1;
        }
        L.spin_unlock(l);
        return 0;
    }
}", BeforeExit, iterations: 1);

        [Fact]
        public async Task TitlesSayWhatTheEditDoes()
        {
            var actions = await FixVerifier.ActionsAsync<AddMissingReleaseCodeFix>(EarlyReturn, "MM1004");
            Assert.Equal(new (string, string?)[]
            {
                ("Release on every exit with 'try { } finally { L.spin_unlock(l); }' after the acquire", Finally),
                ("Release with 'L.spin_unlock(l);' before this 'return'", BeforeExit),
            }, actions);
        }

        [Fact]
        public Task ThrowInABlockGetsTheReleaseBeforeIt() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
        {
            // fails
            {|MM1004:throw new System.InvalidOperationException();|}
        }
        L.spin_unlock(l);
    }
}", @"
using MmLock; using K;
class C
{
    static void f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
        {
            // fails
            L.spin_unlock(l);
            throw new System.InvalidOperationException();
        }
        L.spin_unlock(l);
    }
}", BeforeExit, iterations: 1);

        [Fact]
        public Task ThrowExpressionGetsTryFinally() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static object f(spinlock_t l, object o)
    {
        L.spin_lock(l);
        var x = o ?? {|MM1004:throw new System.ArgumentNullException()|};
        L.spin_unlock(l);
        return x;
    }
}", @"
using MmLock; using K;
class C
{
    static object f(spinlock_t l, object o)
    {
        L.spin_lock(l);
        try
        {
            var x = o ?? throw new System.ArgumentNullException();
            return x;
        }
        finally
        {
            L.spin_unlock(l);
        }
    }
}", Finally, iterations: 1);

        [Fact]
        public Task YieldBreakGetsTryFinally() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static System.Collections.Generic.IEnumerable<int> f(spinlock_t l, bool b)
    {
        yield return 0;
        L.spin_lock(l);
        if (b)
            yield break;
        L.spin_unlock(l);
    {|MM1004:}|}
}", @"
using MmLock; using K;
class C
{
    static System.Collections.Generic.IEnumerable<int> f(spinlock_t l, bool b)
    {
        yield return 0;
        L.spin_lock(l);
        try
        {
            if (b)
                yield break;
        }
        finally
        {
            L.spin_unlock(l);
        }
    }
}", Finally, iterations: 1);

        [Fact]
        public Task ReturnInASwitchSectionGetsTheReleaseBeforeIt() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, int k)
    {
        L.spin_lock(l);
        switch (k)
        {
            case 0:
                {|MM1004:return 1;|}
            default:
                break;
        }
        L.spin_unlock(l);
        return 0;
    }
}", @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, int k)
    {
        L.spin_lock(l);
        switch (k)
        {
            case 0:
                L.spin_unlock(l);
                return 1;
            default:
                break;
        }
        L.spin_unlock(l);
        return 0;
    }
}", BeforeExit, iterations: 1);

        /// <summary>A returned value computed by a call would run after the release: only the try/finally is offered.</summary>
        [Fact]
        public Task NoReleaseBeforeAReturnThatCalls() => FixVerifier.NotOffered<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
            {|MM1004:return l.GetHashCode();|}
        L.spin_unlock(l);
        return 0;
    }
}", BeforeExit);
    }
}
