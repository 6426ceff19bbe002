using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>clang's loop cases: invariants across back edges, break while held, shared double acquire, await under an entry requirement.</summary>
    public class ContextRulesLoopTests
    {
        [Fact]
        public Task Loops_KeepingTheInvariant_AreClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void BreakHeld(spinlock_t a, bool c) {
        while (true) { L.spin_lock(a); if (c) break; L.spin_unlock(a); }
        need(a);
        L.spin_unlock(a);
    }
    static void Relock(spinlock_t a, int n) {
        L.spin_lock(a);
        for (int i = 0; i < n; i++) { need(a); L.spin_unlock(a); L.spin_lock(a); }
        L.spin_unlock(a);
    }
    static void DoWhile(spinlock_t a, int n) {
        do { L.spin_lock(a); need(a); L.spin_unlock(a); } while (--n > 0);
    }
}");

        [Fact]
        public Task Loop_ReleasingOnlyInside_Mismatch() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, int n) {
        {|#0:L.spin_lock(a)|};
        while ({|#1:n > 0|}) {
            L.spin_unlock(a);
            n--;
        }
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 6"));

        [Fact]
        public Task MM1003_SharedTwiceOnNonReentrant() => Verify(@"
using MmLock; using K;
class C {
    static void M(rw_semaphore s) {
        {|#0:L.down_read(s)|};
        {|#1:L.down_read(s)|};
        L.up_read(s);
    }
}", Diag("MM1003").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 's', which is already held (acquired at line 5)"));
    }
}
