using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM3001: move the sleeping call out of the atomic section, after its release or before its acquire, where the data flow allows.</summary>
    public class SleepingCallTests
    {
        private const string After = SleepingCallCodeFix.AfterKey;
        private const string Before = SleepingCallCodeFix.BeforeKey;

        private const string UsesAValueOfTheSection = @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        Kernel.spin_lock(ptl);
        var v = value + 1;
        {|MM3001:Kernel.copy_to_user(to, v)|};
        Kernel.spin_unlock(ptl);
        return 0;
    }
}";

        [Fact]
        public Task MovesAfterTheRelease() => FixVerifier.VerifyMm<SleepingCallCodeFix>(UsesAValueOfTheSection, @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        Kernel.spin_lock(ptl);
        var v = value + 1;
        Kernel.spin_unlock(ptl);
        Kernel.copy_to_user(to, v);
        return 0;
    }
}", After, iterations: 1);

        [Fact]
        public Task NotBeforeTheAcquireWhenItUsesAValueComputedInside() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(UsesAValueOfTheSection, Before);

        private const string ResultUsedInside = @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        int total = 0;
        Kernel.spin_lock(ptl);
        var n = {|MM3001:Kernel.copy_to_user(to, value)|};
        total += n;
        Kernel.spin_unlock(ptl);
        return total;
    }
}";

        [Fact]
        public Task MovesBeforeTheAcquire() => FixVerifier.VerifyMm<SleepingCallCodeFix>(ResultUsedInside, @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        int total = 0;
        var n = Kernel.copy_to_user(to, value);
        Kernel.spin_lock(ptl);
        total += n;
        Kernel.spin_unlock(ptl);
        return total;
    }
}", Before, iterations: 1);

        [Fact]
        public Task NotAfterTheReleaseWhenTheSectionUsesTheResult() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(ResultUsedInside, After);

        private const string TryFinally = @"
using M;
static class C
{
    public static int f(spinlock_t ptl)
    {
        int x;
        Kernel.spin_lock(ptl);
        try
        {
            {|MM3001:Kernel.synchronize_rcu()|};
            x = 1;
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
        return x;
    }
}";

        [Fact]
        public Task MovesAfterATryFinallySection() => FixVerifier.VerifyMm<SleepingCallCodeFix>(TryFinally, @"
using M;
static class C
{
    public static int f(spinlock_t ptl)
    {
        int x;
        Kernel.spin_lock(ptl);
        try
        {
            x = 1;
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
        Kernel.synchronize_rcu();
        return x;
    }
}", After, iterations: 1);

        [Fact]
        public Task MovesBeforeATryFinallySection() => FixVerifier.VerifyMm<SleepingCallCodeFix>(TryFinally, @"
using M;
static class C
{
    public static int f(spinlock_t ptl)
    {
        int x;
        Kernel.synchronize_rcu();
        Kernel.spin_lock(ptl);
        try
        {
            x = 1;
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
        return x;
    }
}", Before, iterations: 1);

        [Fact]
        public Task NoFixWhenBothDirectionsBreakTheDataFlow() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(@"
using M;
static class C
{
    public static ulong f(spinlock_t ptl, ulong to, ulong value)
    {
        Kernel.spin_lock(ptl);
        var v = value + 1;
        var n = {|MM3001:Kernel.copy_to_user(to, v)|};
        v += (ulong)n;
        Kernel.spin_unlock(ptl);
        return v;
    }
}");

        [Fact]
        public Task NoFixForASleepingAcquireTheSectionDependsOn() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(@"
using M;
static class C
{
    public static void gup_fast_fallback(vm_area_struct vma)
    {
        Kernel.local_irq_disable();
        var mm = vma.vm_mm;
        {|MM3001:Kernel.mmap_read_lock(mm)|};
        Kernel.mmap_read_unlock(mm);
        Kernel.local_irq_enable();
    }
}");

        [Fact]
        public Task NoFixWhenAPathLeavesInBetween() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(@"
using M;
static class C
{
    public static int f(spinlock_t ptl, bool b)
    {
        Kernel.spin_lock(ptl);
        if (b)
        {
            Kernel.spin_unlock(ptl);
            return 1;
        }
        {|MM3001:Kernel.synchronize_rcu()|};
        if (b)
        {
            Kernel.spin_unlock(ptl);
            return 2;
        }
        Kernel.spin_unlock(ptl);
        return 0;
    }
}");

        private const string GupFallback = @"
using M;
static class C
{
    public static int gup_fast_fallback(mm_struct mm)
    {
        Kernel.local_irq_disable();
        int nr = 0;
        {|MM3001:Kernel.mmap_read_lock(mm)|};
        nr++;
        Kernel.mmap_read_unlock(mm);
        Kernel.local_irq_enable();
        return nr;
    }
}";

        /// <summary>docs/rules/MM3001.md: the sleeping acquire may go before the IRQs-off section, not after (its unlock follows it).</summary>
        [Fact]
        public Task SleepingAcquireMovesBeforeTheSection() => FixVerifier.VerifyMm<SleepingCallCodeFix>(GupFallback, @"
using M;
static class C
{
    public static int gup_fast_fallback(mm_struct mm)
    {
        Kernel.mmap_read_lock(mm);
        Kernel.local_irq_disable();
        int nr = 0;
        nr++;
        Kernel.mmap_read_unlock(mm);
        Kernel.local_irq_enable();
        return nr;
    }
}", Before, iterations: 1);

        [Fact]
        public Task SleepingAcquireNotAfterItsOwnRelease() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(GupFallback, After);

        /// <summary>An atomic scoped guard (the kernel's guard(rcu)()) for the 'using' block shapes.</summary>
        private const string RcuGuard = @"
using M;
using MmLock;
[ScopedGuard] public readonly struct rcu_guard : System.IDisposable
{
    [NoLockAnalysis(""scoped guard"")] public void Dispose() => Kernel.rcu_read_unlock();
}
public static class G
{
    [Acquires(""M.K.RCU""), NoLockAnalysis(""primitive"")] public static rcu_guard guard_rcu() => default;
}
static class C
{";

        private const string InAUsingBlock = RcuGuard + @"
    static void f(pte_t p)
    {
        using (var g = G.guard_rcu())
        {
            p.val = 1;
            {|MM3001:Kernel.synchronize_rcu()|};
        }
    }
}";

        [Fact]
        public Task MovesAfterAUsingBlock() => FixVerifier.VerifyMm<SleepingCallCodeFix>(InAUsingBlock, RcuGuard + @"
    static void f(pte_t p)
    {
        using (var g = G.guard_rcu())
        {
            p.val = 1;
        }
        Kernel.synchronize_rcu();
    }
}", After, iterations: 1);

        [Fact]
        public Task MovesBeforeAUsingBlock() => FixVerifier.VerifyMm<SleepingCallCodeFix>(InAUsingBlock, RcuGuard + @"
    static void f(pte_t p)
    {
        Kernel.synchronize_rcu();
        using (var g = G.guard_rcu())
        {
            p.val = 1;
        }
    }
}", Before, iterations: 1);

        /// <summary>A return after the call inside the block: only the move before the 'using' keeps every path.</summary>
        [Fact]
        public async Task ReturnInTheUsingBlockLeavesOnlyTheMoveBefore()
        {
            var actions = await FixVerifier.ActionsAsync<SleepingCallCodeFix>(RcuGuard + @"
    static ulong h(pte_t p)
    {
        using (G.guard_rcu())
        {
            {|MM3001:Kernel.cond_resched()|};
            return p.val;
        }
    }
}", "MM3001", prelude: MmKernel.Prelude, symbols: MmKernel.Symbols);
            Assert.Equal(new (string, string?)[] { ("Move 'Kernel.cond_resched();' before the 'using' block", Before) }, actions);
        }

        [Fact]
        public Task NoFixWhenTheCallUsesAValueOfTheUsingBlock() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(RcuGuard + @"
    static void k(pte_t p)
    {
        using (G.guard_rcu())
        {
            var v = p.val;
            {|MM3001:Kernel.copy_to_user(0, v)|};
        }
    }
}");

        private const string AfterAUsingDeclaration = RcuGuard + @"
    static void f(pte_t p)
    {
        using var g = G.guard_rcu();
        p.val = 1;
        {|MM3001:Kernel.synchronize_rcu()|};
        p.val = 2;
    }
}";

        /// <summary>A 'using' declaration's guard is released at the end of its block: the call moves before the declaration.</summary>
        [Fact]
        public Task MovesBeforeAUsingDeclaration() => FixVerifier.VerifyMm<SleepingCallCodeFix>(AfterAUsingDeclaration, RcuGuard + @"
    static void f(pte_t p)
    {
        Kernel.synchronize_rcu();
        using var g = G.guard_rcu();
        p.val = 1;
        p.val = 2;
    }
}", Before, iterations: 1);

        /// <summary>A scoped guard built by its constructor (<c>new rcu_lock(..)</c>) is an acquire as a factory is.</summary>
        private const string ConstructorGuard = @"
using M;
using MmLock;
[ScopedGuard] public readonly struct rcu_lock : System.IDisposable
{
    [Acquires(""M.K.RCU""), NoLockAnalysis(""primitive"")] public rcu_lock(int unused) { }
    [NoLockAnalysis(""scoped guard"")] public void Dispose() => Kernel.rcu_read_unlock();
}
static class C
{";

        [Fact]
        public Task MovesAfterAUsingBlockOfAConstructedGuard() => FixVerifier.VerifyMm<SleepingCallCodeFix>(ConstructorGuard + @"
    static void f(pte_t p)
    {
        using (var g = new rcu_lock(0))
        {
            p.val = 1;
            {|MM3001:Kernel.synchronize_rcu()|};
        }
    }
}", ConstructorGuard + @"
    static void f(pte_t p)
    {
        using (var g = new rcu_lock(0))
        {
            p.val = 1;
        }
        Kernel.synchronize_rcu();
    }
}", After, iterations: 1);

        [Fact]
        public Task MovesBeforeAUsingDeclarationOfAConstructedGuard() => FixVerifier.VerifyMm<SleepingCallCodeFix>(ConstructorGuard + @"
    static void f(pte_t p)
    {
        using var g = new rcu_lock(0);
        p.val = 1;
        {|MM3001:Kernel.synchronize_rcu()|};
    }
}", ConstructorGuard + @"
    static void f(pte_t p)
    {
        Kernel.synchronize_rcu();
        using var g = new rcu_lock(0);
        p.val = 1;
    }
}", Before, iterations: 1);

        /// <summary>Nothing runs after a 'using' declaration's release in its block, so the move before it is the only action.</summary>
        [Fact]
        public async Task UsingDeclarationOffersOnlyTheMoveBefore()
        {
            var actions = await FixVerifier.ActionsAsync<SleepingCallCodeFix>(AfterAUsingDeclaration, "MM3001", prelude: MmKernel.Prelude, symbols: MmKernel.Symbols);
            Assert.Equal(new (string, string?)[] { ("Move 'Kernel.synchronize_rcu();' before 'using var g = G.guard_rcu();'", Before) }, actions);
        }

        [Fact]
        public Task NoFixAfterAUsingDeclarationWhenTheCallUsesAValueComputedUnderIt() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(RcuGuard + @"
    static void k(pte_t p)
    {
        using var g = G.guard_rcu();
        var v = p.val;
        {|MM3001:Kernel.copy_to_user(0, v)|};
    }
}");

        [Fact]
        public Task NoFixAfterAUsingDeclarationWhenTheCallNamesTheGuard() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(RcuGuard + @"
    static void k()
    {
        using var g = G.guard_rcu();
        {|MM3001:Kernel.copy_to_user(0, (ulong)g.GetHashCode())|};
    }
}");

        /// <summary>A call in a nested statement after the declaration: moving it out of that statement changes when it runs.</summary>
        [Fact]
        public Task NoFixAfterAUsingDeclarationForACallInANestedStatement() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(RcuGuard + @"
    static void k(bool b)
    {
        using var g = G.guard_rcu();
        if (b)
            {|MM3001:Kernel.cond_resched()|};
    }
}");

        /// <summary>
        /// Held on entry (a [Requires] of an atomic context): the section is the caller's. Moving the call there means editing
        /// every caller and changing what this member does, which the fix cannot check: none is offered.
        /// </summary>
        [Fact]
        public Task NoFixWhenTheAtomicContextIsHeldOnEntry() => FixVerifier.NotOfferedMm<SleepingCallCodeFix>(@"
using M;
static class C
{
    [MmLock.Requires(""l"")]
    static void f(spinlock_t l)
    {
        {|MM3001:Kernel.cond_resched()|};
    }
}");
    }
}
