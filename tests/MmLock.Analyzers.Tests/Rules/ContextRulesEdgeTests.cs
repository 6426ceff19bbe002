using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Exceptions, guards that escape, accessors, extension receivers, suspension in nested bodies.</summary>
    public class ContextRulesEdgeTests
    {
        private const string Guard = @"
[ScopedGuard] sealed class spin_guard : System.IDisposable {
    readonly spinlock_t _l;
    [Acquires(""l"")] public spin_guard(spinlock_t l) { _l = l; L.spin_lock(l); }
    [NoLockAnalysis(""guard"")] public void Dispose() => L.spin_unlock(_l);
}";

        [Fact]
        public Task Catch_JoinOfThrowStates() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, int n) {
        try {
            if (n == 0) throw new System.Exception();
            {|#0:L.spin_lock(a)|};
            if (n == 1) throw new System.Exception();
            L.spin_unlock(a);
        } catch (System.Exception) {
            {|#1:L.spin_unlock(a);|}
        }
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 11"));

        [Fact]
        public Task ThrowInsideTryFinally_ReleasedByFinally_IsClean() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, int n) {
        L.spin_lock(a);
        try {
            if (n == 0) throw new System.InvalidOperationException();
            try { if (n == 1) throw new System.Exception(); } catch (System.InvalidOperationException) { return; }
        } finally {
            L.spin_unlock(a);
        }
    }
}");

        [Fact]
        public Task ConditionalExpression_TryAcquire_Negative() => Verify(@"
using MmLock; using K;
class C {
    [Releases(""l"")] static int unlock_ret(spinlock_t l) { L.spin_unlock(l); return 1; }
    static int M(spinlock_t a) => {|#2:{|#1:L.spin_trylock(a)|} ? 0 : {|#0:unlock_ret(a)|}|};
}", Diag("MM1005").WithLocation(1).WithAdditionalLocation(2).WithMessage("'a' is held on some paths only where they join at line 5"),
    Diag("MM1002").WithLocation(0).WithNoAdditionalLocations().WithMessage("Releasing 'a', which is not held"));

        [Fact]
        public Task Guard_ReturnedFromFactory_KeepsHeldForCaller() => Verify(@"
using MmLock; using K;
class C {
    spin_guard? stash;
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Acquires(""l"")] static spin_guard get(spinlock_t l) { var g = new spin_guard(l); return g; }
    static void M(spinlock_t a) { using var g = get(a); need(a); }
    static void N(spinlock_t a, bool c) {
        using (var g = new spin_guard(a)) {
            if (c) return;
            need(a);
        }
    }
    void Stored(spinlock_t a) {
        stash = {|#0:new spin_guard(a)|};
    {|#1:}|}
}" + Guard, Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'Stored' (acquired at line 15)"));

        [Fact]
        public Task PropertyAccessorContract_AndExtensionReceiver() => Verify(@"
using MmLock; using K;
static class Ext {
    [Requires(""mm.mmap_lock"")] public static int map_count(this mm_struct mm) => 0;
}
class C {
    readonly spinlock_t lk = new spinlock_t();
    int _v;
    int V { [Requires(""this.lk"")] get => _v; }
    static void M(C c, mm_struct mm) {
        _ = {|#0:c.V|};
        L.spin_lock(c.lk); _ = c.V; L.spin_unlock(c.lk);
        {|#1:mm.map_count()|};
        L.mmap_read_lock(mm); {|#2:mm.map_count()|}; L.mmap_read_unlock(mm);
        L.mmap_write_lock(mm); mm.map_count(); L.mmap_write_unlock(mm);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'V' requires holding 'c.lk' exclusively"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'map_count' requires holding 'mm.mmap_lock' exclusively"),
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'map_count' requires holding 'mm.mmap_lock' exclusively, but it is held shared"));

        [Fact]
        public Task MM1010_InAsyncLambda_AndYieldInsideTryFinally() => Verify(@"
using MmLock; using K;
using System.Threading.Tasks;
class C {
    static void M(mutex m) {
        System.Func<Task> f = async () => {
            {|#0:L.mutex_lock(m)|};
            {|#1:await Task.Delay(1)|};
            L.mutex_unlock(m);
        };
    }
    static System.Collections.Generic.IEnumerable<int> Y(mutex m) {
        {|#2:L.mutex_lock(m)|};
        try { {|#3:yield return 1;|} } finally { L.mutex_unlock(m); }
    }
}", Diag("MM1010").WithLocation(1).WithAdditionalLocation(0).WithMessage("'m' is held across await (acquired at line 7)"),
    Diag("MM1010").WithLocation(3).WithAdditionalLocation(2).WithMessage("'m' is held across yield return (acquired at line 13)"));

        [Fact]
        public Task NoLockAnalysis_BodyUncheckedButContractBinds() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l""), NoLockAnalysis(""checked by hand"")] static void need(spinlock_t l) { L.spin_unlock(l); L.spin_unlock(l); }
    static void M(spinlock_t a) { {|#0:need(a)|}; }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"));
    }
}
