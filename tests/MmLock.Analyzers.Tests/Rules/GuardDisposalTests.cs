using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Contract §3.1: a scoped guard disposed early, and disposed twice.</summary>
    public class GuardDisposalTests
    {
        private const string Guard = @"
[ScopedGuard] struct spin_guard : System.IDisposable {
    readonly spinlock_t _l;
    [Acquires(""l"")] public spin_guard(spinlock_t l) { _l = l; L.spin_lock(l); }
    [NoLockAnalysis(""guard"")] public void Dispose() => L.spin_unlock(_l);
}";

        [Fact]
        public Task EarlyDisposeOnSomePaths_IsNoMM1005_AndTheUsingsOwnDisposalIsNoMM1002() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void A(spinlock_t a, bool c) { using var g = new spin_guard(a); if (c) g.Dispose(); }
    static void B(spinlock_t a) { using (var g = new spin_guard(a)) { need(a); g.Dispose(); } }
    static void D(spinlock_t a, int n) { for (int i = 0; i < n; i++) { var g = new spin_guard(a); need(a); g.Dispose(); } }
    static void E(spinlock_t a, bool c) {
        using var g = new spin_guard(a);
        if (c) {|#2:g.Dispose()|};
        {|#1:need(a)|};
    }
}" + Guard, Diag("MM1001").WithLocation(1).WithAdditionalLocation(2).WithMessage("Calling 'need' requires holding 'a' exclusively, which is not held on every path"));

        [Fact]
        public Task ExplicitDisposeOfAGuardAlreadyDisposed_IsMM1002() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t a) { using var g = new spin_guard(a); {|#0:g.Dispose()|}; {|#1:g.Dispose()|}; }
    static void B(spinlock_t a, bool c) { var g = new spin_guard(a); if (c) {|#2:g.Dispose()|}; else g.Dispose(); {|#3:g.Dispose()|}; }
    static void D(spinlock_t a, bool c) { var g = new spin_guard(a); if (c) g.Dispose(); g.Dispose(); }
}" + Guard, Diag("MM1002").WithLocation(1).WithAdditionalLocation(0).WithMessage("Releasing 'a', which is not held"),
    Diag("MM1002").WithLocation(3).WithAdditionalLocation(2).WithMessage("Releasing 'a', which is not held"));
    }
}
