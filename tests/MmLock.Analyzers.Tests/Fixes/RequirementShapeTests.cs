using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM1001 at calls that are not plain method invocations, at a shared hold, at a maybe-held context, in an iterator.</summary>
    public class RequirementShapeTests
    {
        [Fact]
        public Task IndexerReadIsWrapped() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class D { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int this[int i] { get => 0; set { } } }
class C
{
    static int f(D d)
    {
        var x = {|MM1001:d[0]|};
        return x;
    }
}", @"
using MmLock; using K;
class D { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int this[int i] { get => 0; set { } } }
class C
{
    static int f(D d)
    {
        L.spin_lock(d.lk);
        try
        {
            var x = d[0];
            return x;
        }
        finally
        {
            L.spin_unlock(d.lk);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task PropertyWriteIsWrapped() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class D { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int P { get => 0; set { } } }
class C
{
    static void f(D d)
    {
        {|MM1001:d.P|} = 1; // set under the lock
    }
}", @"
using MmLock; using K;
class D { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int P { get => 0; set { } } }
class C
{
    static void f(D d)
    {
        L.spin_lock(d.lk);
        try
        {
            d.P = 1; // set under the lock
        }
        finally
        {
            L.spin_unlock(d.lk);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task PropertyReadInAnExpressionBodyIsWrappedInABlockBody() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class D { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int P { get => 0; set { } } }
class C
{
    static int f(D d) => {|MM1001:d.P|} + 1;
}", @"
using MmLock; using K;
class D { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int P { get => 0; set { } } }
class C
{
    static int f(D d)
    {
        L.spin_lock(d.lk);
        try
        {
            return d.P + 1;
        }
        finally
        {
            L.spin_unlock(d.lk);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task ConstructorCallIsWrappedWithTheUsesOfItsResult() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class D { [Requires(""l"")] public D(spinlock_t l) { } }
class C
{
    static void f(spinlock_t l)
    {
        var d = {|MM1001:new D(l)|};
        d.ToString();
    }
}", @"
using MmLock; using K;
class D { [Requires(""l"")] public D(spinlock_t l) { } }
class C
{
    static void f(spinlock_t l)
    {
        L.spin_lock(l);
        try
        {
            var d = new D(l);
            d.ToString();
        }
        finally
        {
            L.spin_unlock(l);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task ConstructorRequirementMovesToTheCaller() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class D { [Requires(""l"")] public D(spinlock_t l) { } }
class C
{
    static void f(spinlock_t l) => {|MM1001:new D(l)|};
}", @"
using MmLock; using K;
class D { [Requires(""l"")] public D(spinlock_t l) { } }
class C
{
    [Requires(""l"")]
    static void f(spinlock_t l) => new D(l);
}", "MM1001.MoveToCaller", iterations: 1);

        /// <summary>Held shared where the call needs it exclusively: the member's shared acquire and its release become exclusive.</summary>
        [Fact]
        public Task SharedHoldIsTakenExclusively() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void change(mm_struct mm) { }
    [RequiresShared(""mm.mmap_lock"")] static void look(mm_struct mm) { }

    static void f(mm_struct mm, bool b)
    {
        L.mmap_read_lock(mm); // for the walk
        look(mm);
        if (b)
        {
            L.mmap_read_unlock(mm);
            return;
        }
        {|MM1001:change(mm)|};
        L.mmap_read_unlock(mm);
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void change(mm_struct mm) { }
    [RequiresShared(""mm.mmap_lock"")] static void look(mm_struct mm) { }

    static void f(mm_struct mm, bool b)
    {
        L.mmap_write_lock(mm); // for the walk
        look(mm);
        if (b)
        {
            L.mmap_write_unlock(mm);
            return;
        }
        change(mm);
        L.mmap_write_unlock(mm);
    }
}", "MM1001.TakeExclusively", iterations: 1);

        [Fact]
        public async Task SharedHoldTitleSaysWhatChanges()
        {
            var actions = await FixVerifier.ActionsAsync<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void change(mm_struct mm) { }
    static void f(mm_struct mm) { L.mmap_read_lock(mm); change(mm); L.mmap_read_unlock(mm); }
}", "MM1001");
            Assert.Equal(new[] { ("Take 'mm.mmap_lock' exclusively: 'L.mmap_write_lock(mm)' … 'L.mmap_write_unlock(mm)'", (string?)"MM1001.TakeExclusively") }, actions);
        }

        /// <summary>Held shared on entry ([RequiresShared]): the hold is the caller's, there is no acquire here to change; a wrap would self-deadlock.</summary>
        [Fact]
        public Task SharedHoldOnEntryIsNotTakenExclusivelyNorWrapped() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""mm.mmap_lock"")] static void change(mm_struct mm) { }
    [RequiresShared(""mm.mmap_lock"")] static void f(mm_struct mm) { {|MM1001:change(mm)|}; }
}", "MM1001.TakeExclusively");

        /// <summary>Held on some paths: acquiring it self-deadlocks on the others, and a requirement on the caller contradicts the conditional acquire. No fix.</summary>
        [Fact]
        public Task MaybeHeldContextGetsNoFix() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void g(spinlock_t l) { }
    static void f(spinlock_t l, bool b)
    {
        if (b) {|MM1005:L.spin_lock(l)|};
        {|MM1001:g(l)|};
        if (b) L.spin_unlock(l);
    }
}");

        /// <summary>After an earlier release in an iterator: the value is computed under the lock and yielded after it (a lock held across 'yield return' is MM1010).</summary>
        [Fact]
        public Task YieldedValueIsComputedUnderTheLock() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
using System.Collections.Generic;
class C
{
    [Requires(""l"")] static int g(spinlock_t l) => 0;

    static IEnumerable<int> f(spinlock_t l)
    {
        L.spin_lock(l);
        var a = g(l);
        L.spin_unlock(l);
        yield return a;
        yield return {|MM1001:g(l)|}; // second
    }
}", @"
using MmLock; using K;
using System.Collections.Generic;
class C
{
    [Requires(""l"")] static int g(spinlock_t l) => 0;

    static IEnumerable<int> f(spinlock_t l)
    {
        L.spin_lock(l);
        var a = g(l);
        L.spin_unlock(l);
        yield return a;
        int value;
        L.spin_lock(l);
        try
        {
            value = g(l); // second
        }
        finally
        {
            L.spin_unlock(l);
        }
        yield return value;
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public async Task YieldTitleSaysTheValueIsComputedFirst()
        {
            var actions = await FixVerifier.ActionsAsync<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static int g(spinlock_t l) => 0;
    static System.Collections.Generic.IEnumerable<int> f(spinlock_t l) { yield return g(l); }
}", "MM1001");
            Assert.Equal("Compute the yielded value first and wrap in 'L.spin_lock(l)' and 'try { } finally { L.spin_unlock(l); }'", actions[0].Title);
        }

        /// <summary>
        /// Two identical calls in a row: wrapping the first adds "released at line N" to the second's message; that is not a new
        /// diagnostic, so the first is wrapped, then the second.
        /// </summary>
        [Fact]
        public Task FirstOfTwoIdenticalCallsIsWrapped() => FixVerifier.Create<RequirementCodeFix>(Rules.Kernel.Prelude, @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void g(spinlock_t l) { }
    static void f(spinlock_t l)
    {
        {|MM1001:g(l)|};
        {|MM1001:g(l)|};
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void g(spinlock_t l) { }
    static void f(spinlock_t l)
    {
        L.spin_lock(l);
        try
        {
            g(l);
        }
        finally
        {
            L.spin_unlock(l);
        }
        L.spin_lock(l);
        try
        {
            g(l);
        }
        finally
        {
            L.spin_unlock(l);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 2).RunAsync();
    }
}
