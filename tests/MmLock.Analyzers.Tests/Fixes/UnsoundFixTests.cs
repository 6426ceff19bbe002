using System.Linq;
using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>Fixes that must not be offered: a wrap that acquires what may already be held would self-deadlock.</summary>
    public class UnsoundFixTests
    {
        private const string Wrap = "MM1001" + RequirementCodeFix.WrapSuffix;

        [Fact]
        public Task NoWrapWhenMaybeHeld() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }

    static void M(spinlock_t l, bool c)
    {
        if (c) {|MM1005:L.spin_lock(l)|};
        {|MM1001:set(l)|};
        if (c) L.spin_unlock(l);
    }
}", Wrap);

        [Fact]
        public Task NoWrapWhenATryLockMayHoldIt() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }

    static void M(spinlock_t l)
    {
        var ok = L.spin_trylock(l);
        {|MM1001:set(l)|};
        if (ok) L.spin_unlock(l);
    }
}", Wrap);

        [Fact]
        public Task NoExclusiveWrapWhileHeldShared() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""s"")] static void write(rw_semaphore s) { }

    static void M(rw_semaphore s)
    {
        L.down_read(s);
        {|MM1001:write(s)|};
        L.up_read(s);
    }
}", Wrap);

        /// <summary>
        /// Two identical calls: wrapping the first adds "'l' was released at line N" to the second's message; the check compares
        /// rule, properties and message without that note, so the first is wrapped too.
        /// </summary>
        [Fact]
        public async Task FirstOfTwoIdenticalCallsIsWrapped()
        {
            var actions = await FixVerifier.ActionsAsync<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }

    static void M(spinlock_t l)
    {
        {|MM1001:set(l)|};
        {|MM1001:set(l)|};
    }
}", "MM1001", index: 0);
            Assert.Contains(Wrap, actions.Select(a => a.Key));
        }
    }
}
