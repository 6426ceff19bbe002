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
            {|MM1004:yield break;|}
        L.spin_unlock(l);
    }
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

        /// <summary>The exit after a label: the label moves to the release, so the jump releases too.</summary>
        [Fact]
        public Task ExitAfterAGotoLabelGetsTheReleaseAfterTheLabel() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
            goto done;
        L.spin_unlock(l);
        return 0;
    done:
        {|MM1004:return 1;|}
    }
}", @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
            goto done;
        L.spin_unlock(l);
        return 0;
    done:
        L.spin_unlock(l);
        return 1;
    }
}", BeforeExit, iterations: 1);

        private const string TryLocked = @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        if (!L.spin_trylock(l))
            return -1;
        if (b)
            {|MM1004:return 1;|}
        L.spin_unlock(l);
        return 0;
    }
}";

        [Fact]
        public Task TryAcquiredContextGetsTheReleaseBeforeTheReturn() => FixVerifier.Verify<AddMissingReleaseCodeFix>(TryLocked, @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        if (!L.spin_trylock(l))
            return -1;
        if (b)
        {
            L.spin_unlock(l);
            return 1;
        }
        L.spin_unlock(l);
        return 0;
    }
}", BeforeExit, iterations: 1);

        /// <summary>A try/finally after a try-acquire would release on the failure path too: only the release before the exit.</summary>
        [Fact]
        public async Task TryAcquiredContextGetsNoTryFinally()
        {
            var actions = await FixVerifier.ActionsAsync<AddMissingReleaseCodeFix>(TryLocked, "MM1004");
            Assert.Equal(new (string, string?)[] { ("Release with 'L.spin_unlock(l);' before this 'return'", BeforeExit) }, actions);
        }

        [Fact]
        public Task ReentrantContextNestedTwiceGetsTheReleaseAtTheEnd() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f()
    {
        L.rcu_read_lock();
        L.rcu_read_lock();
        L.rcu_read_unlock();
    {|MM1004:}|}
}", @"
using MmLock; using K;
class C
{
    static void f()
    {
        L.rcu_read_lock();
        L.rcu_read_lock();
        L.rcu_read_unlock();
        L.rcu_read_unlock();
    }
}", BeforeExit, iterations: 1);

        [Fact]
        public Task LambdaBodyGetsTheReleaseAtItsEnd() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f(spinlock_t l)
    {
        System.Action a = () =>
        {
            L.spin_lock(l);
            l.ToString();
        {|MM1004:}|};
        a();
    }
}", @"
using MmLock; using K;
class C
{
    static void f(spinlock_t l)
    {
        System.Action a = () =>
        {
            L.spin_lock(l);
            l.ToString();
            L.spin_unlock(l);
        };
        a();
    }
}", BeforeExit, iterations: 1);

        /// <summary>
        /// Maybe-held at the end (MM1005 only): the release goes before the return where it is certainly held, nowhere else;
        /// the conditional release is an embedded statement a finally could not take over, so no try/finally.
        /// </summary>
        private const string MaybeHeldAtTheEnd = @"
using MmLock; using K;
class C
{
    static void f(spinlock_t l, bool b, bool c)
    {
        {|MM1005:L.spin_lock(l)|};
        if (c)
            {|MM1004:return;|}
        if (b)
            L.spin_unlock(l);
    }
}";

        [Fact]
        public Task MaybeHeldEndGetsNothingTheCertainExitItsRelease() => FixVerifier.Verify<AddMissingReleaseCodeFix>(MaybeHeldAtTheEnd, @"
using MmLock; using K;
class C
{
    static void f(spinlock_t l, bool b, bool c)
    {
        {|MM1005:L.spin_lock(l)|};
        if (c)
        {
            L.spin_unlock(l);
            return;
        }
        if (b)
            L.spin_unlock(l);
    }
}", BeforeExit, iterations: 1);

        [Fact]
        public async Task MaybeHeldEndGetsOnlyTheReleaseBeforeTheCertainExit()
        {
            var actions = await FixVerifier.ActionsAsync<AddMissingReleaseCodeFix>(MaybeHeldAtTheEnd, "MM1004");
            Assert.Equal(new (string, string?)[] { ("Release with 'L.spin_unlock(l);' before this 'return'", BeforeExit) }, actions);
        }

        /// <summary>A scoped guard kept in a field is disposed by its holder: a plain release here would release twice.</summary>
        [Fact]
        public Task ScopedGuardInAFieldGetsNoRelease() => FixVerifier.NotOfferedMm<AddMissingReleaseCodeFix>(@"
using M;
class C
{
    online_mems_guard g;
    void f(bool b)
    {
        g = Kernel.guard_online_mems();
        if (b)
            {|MM1004:return;|}
        g.Dispose();
    {|MM1004:}|}
}");

        /// <summary>The acquire is the last thing the body does: 'lock; unlock;' would change nothing but the diagnostic.</summary>
        [Fact]
        public Task AcquireAtTheEndGetsNoEmptySection() => FixVerifier.NotOffered<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static void f(spinlock_t l)
    {
        l.ToString();
        L.spin_lock(l);
    {|MM1004:}|}
}");

        /// <summary>An [Acquires] body taking the wrong lock: releasing that lock is a no-op pair and leaves the MM1008.</summary>
        [Fact]
        public Task WrongContextInAnAcquiresBodyGetsNoRelease() => FixVerifier.NotOffered<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    [Acquires(""a"")]
    static void {|MM1008:f|}(spinlock_t a, spinlock_t b)
    {
        L.spin_lock(b);
    {|MM1004:}|}
}");
    }
}
