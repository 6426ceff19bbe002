using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    public class SmokeTests
    {
        [Fact]
        public Task RequiresMissing() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        {|MM1001:need(a)|};
        L.spin_lock(a);
        need(a);
        L.spin_unlock(a);
        {|#0:need(a)|};
    }
}", Diag("MM1001").WithMessage("Calling 'need' requires holding 'a' exclusively"),
    Diag("MM1001").WithLocation(0).WithMessage("Calling 'need' requires holding 'a' exclusively; 'a' was released at line 9"));
    

        [Fact]
        public Task ClassScopedGuardInUsingIsReleasedOnEveryPath() => Verify(@"
using System; using MmLock; using K;
[ScopedGuard] sealed class spin_guard : IDisposable
{
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public spin_guard(spinlock_t l) { }
    [NoLockAnalysis(""primitive"")] public void Dispose() { }
}
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, bool early) {
        using (var g = new spin_guard(a))
        {
            need(a);
            if (early) return;
        }
        {|MM1001:need(a)|};
    }
}", // The using block's disposal releases 'a' at its closing brace (contract §3.1).
    Diag("MM1001").WithAdditionalSpan("/0/Test0.cs", 15, 9, 15, 10).WithMessage("Calling 'need' requires holding 'a' exclusively; 'a' was released at line 15"));
    }
}
