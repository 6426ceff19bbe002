using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9, item 11 and the join cases of contract §3.1: loops reach a real fixed point; how counts and modes join.</summary>
    public class PrecisionLoopTests
    {
        [Fact]
        public Task ReentrantReacquiredInLoop_SettlesAtTheLowerCount() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""K.G.RCU"")] static void need() { }
    static void M(int n) {
        L.rcu_read_lock();
        for (int i = 0; i < n; i++) { L.rcu_read_lock(); need(); L.rcu_read_unlock(); }
        need();
        L.rcu_read_unlock();
    }
    static void Unbalanced(int n) {
        {|#0:L.rcu_read_lock()|};
        for (int i = 0; i < n; i++) L.rcu_read_lock();
        need();
    {|#1:}|}
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'G.RCU' is still held at this exit of 'Unbalanced' (acquired at line 12)"));

        [Fact]
        public Task ReentrantCountsDifferingAtAJoin_HeldWithTheLowerCount() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""K.G.RCU"")] static void need() { }
    static void M(bool c) {
        L.rcu_read_lock();
        if (c) L.rcu_read_lock();
        need();
        L.rcu_read_unlock();
        {|#0:need()|};
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'need' requires holding 'G.RCU'; 'G.RCU' was released at line 9"));

        [Fact]
        public Task StoredTryLockResult_InLoop_ReachesAFixedPoint() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t l, int n) {
        for (int i = 0; i < n; i++) {
            bool ok = L.spin_trylock(l);
            if (!ok) continue;
            need(l);
            L.spin_unlock(l);
        }
    }
}");

        [Fact]
        public Task LoopsInNestedFinallies_AreSolvedOncePerEntryState() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t l, int n) {
        L.spin_lock(l);
        try {
            for (int i = 0; i < n; i++) { need(l); }
        } finally {
            try {
                for (int j = 0; j < n; j++) { need(l); }
            } finally {
                try {
                    for (int k = 0; k < n; k++) { need(l); if (k == 3) break; }
                } finally {
                    for (int m = 0; m < n; m++) { if (m == 1) continue; need(l); }
                }
            }
            L.spin_unlock(l);
        }
    }
}");

        [Fact]
        public Task ExclusiveAndSharedJoin_MM1005AtTheExclusiveAcquire() => Verify(@"
using MmLock; using K;
class C {
    [RequiresShared(""s"")] static void need(rw_semaphore s) { }
    static void M(rw_semaphore s, bool c) {
        if (c) {|#0:L.down_write(s)|}; else L.down_read(s);
        {|#1:{|#2:need(s)|};|}
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'s' is held on some paths only where they join at line 7"),
    Diag("MM1001").WithLocation(2).WithMessage("Calling 'need' requires holding 's', which is not held on every path"));

        [Fact]
        public Task MaybeHeldAtExit_IsMM1005Only() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t l, bool c) {
        if (c) {|#0:L.spin_lock(l)|};
        {|#1:return;|}
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'l' is held on some paths only where they join at line 6"));

        [Fact]
        public Task ReentrantTryAcquire_AddsALevelOnSuccess() => Verify(@"
using MmLock; using K;
class C {
    [TryAcquiresShared(true, ""K.G.RCU""), NoLockAnalysis(""primitive"")] static bool rcu_read_trylock() => true;
    [Requires(""K.G.RCU"")] static void need() { }
    static void M() {
        L.rcu_read_lock();
        if (rcu_read_trylock()) { need(); L.rcu_read_unlock(); }
        need();
        L.rcu_read_unlock();
        {|#0:need()|};
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'need' requires holding 'G.RCU'; 'G.RCU' was released at line 10"));

        [Fact]
        public Task TryAcquire_IsNeverAgainstTheLockOrder() => Verify(@"
using MmLock; using K;
class C {
    [AcquiredBefore(""b"")] static spinlock_t a = new spinlock_t();
    static spinlock_t b = new spinlock_t();
    static void M() {
        L.spin_lock(b);
        if (L.spin_trylock(a)) L.spin_unlock(a);
        L.spin_unlock(b);
    }
    static void N() {
        L.spin_lock(b);
        {|#0:L.spin_lock(a)|};
        L.spin_unlock(a);
        L.spin_unlock(b);
    }
}", Diag("MM1009").WithLocation(0));
    }
}
