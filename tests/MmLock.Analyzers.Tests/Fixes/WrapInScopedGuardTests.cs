using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    public class WrapInScopedGuardTests
    {
        private const string Guards = @"
[ScopedGuard] public struct rcu_guard : System.IDisposable
{
    [AcquiresShared(""K.G.RCU""), NoLockAnalysis(""primitive"")] public static rcu_guard enter() => default;
    public void Dispose() { }
}
[ScopedGuard] public struct spin_guard : System.IDisposable
{
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public spin_guard(spinlock_t l) { }
    public void Dispose() { }
}";

        [Fact]
        public Task WrapsInAUsingOfAGuardFactoryAndAGuardConstructor() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;" + Guards + @"
class C
{
    [RequiresShared(""K.G.RCU"")] static int under_rcu() => 0;
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f()
    {
        var n = {|MM1001:under_rcu()|};
        System.Console.WriteLine(n);
    }

    static void g(mm_struct mm, int guard)
    {
        {|MM1001:need(mm.page_table_lock)|};
    }
}", @"
using MmLock; using K;" + Guards + @"
class C
{
    [RequiresShared(""K.G.RCU"")] static int under_rcu() => 0;
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f()
    {
        using (var guard = rcu_guard.enter())
        {
            var n = under_rcu();
            System.Console.WriteLine(n);
        }
    }

    static void g(mm_struct mm, int guard)
    {
        using (var guard2 = new spin_guard(mm.page_table_lock))
        {
            need(mm.page_table_lock);
        }
    }
}", "MM1001.WrapUsing");

        [Fact]
        public Task UsingFormNotOfferedForAClassGuard() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
[ScopedGuard] public sealed class mutex_guard : System.IDisposable
{
    [Acquires(""m""), NoLockAnalysis(""primitive"")] public mutex_guard(mutex m) { }
    public void Dispose() { }
}
class C
{
    [Requires(""m"")] static void need(mutex m) { }

    static void f(mutex a)
    {
        {|MM1001:need(a)|};
    }
}", @"
using MmLock; using K;
[ScopedGuard] public sealed class mutex_guard : System.IDisposable
{
    [Acquires(""m""), NoLockAnalysis(""primitive"")] public mutex_guard(mutex m) { }
    public void Dispose() { }
}
class C
{
    [Requires(""m"")] static void need(mutex m) { }

    static void f(mutex a)
    {
        {|MM1001:need(a)|};
    }
}", "MM1001.WrapUsing", iterations: 0);

        [Fact]
        public Task UsingFormNotOfferedWithoutAGuardType() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        {|MM1001:need(a)|};
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        {|MM1001:need(a)|};
    }
}", "MM1001.WrapUsing", iterations: 0);
    }
}
