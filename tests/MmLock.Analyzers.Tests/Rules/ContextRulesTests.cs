using System.Threading.Tasks;
using MmLock.Analyzers.Tests.Verification;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>MM1001-MM1005: acquire, release, join (clang thread-safety cases that apply to C#).</summary>
    public class ContextRulesCoreTests
    {
        [Fact]
        public Task MM1003_DoubleAcquire() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a) {
        {|#0:L.spin_lock(a)|};
        {|#1:L.spin_lock(a)|};
        L.spin_unlock(a);
    }
}", Diag("MM1003").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 'a', which is already held (acquired at line 5)"));

        [Fact]
        public Task MM1003_ReentrantAndIdempotentAreClean() => Verify(@"
using MmLock; using K;
class C {
    static void M() {
        L.rcu_read_lock(); L.rcu_read_lock(); L.rcu_read_unlock(); L.rcu_read_unlock();
        L.local_irq_disable(); L.local_irq_disable(); L.local_irq_enable();
    }
    static void N(spinlock_t a, spinlock_t b) { L.spin_lock(a); L.spin_lock(b); L.spin_unlock(b); L.spin_unlock(a); }
}");

        [Fact]
        public Task MM1002_ReleaseUnheld() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a) {
        {|#0:L.spin_unlock(a)|};
    }
    static void N(spinlock_t a) { L.spin_lock(a); L.spin_unlock(a); {|#1:L.spin_unlock(a)|}; }
}", Diag("MM1002").WithLocation(0).WithNoAdditionalLocations().WithMessage("Releasing 'a', which is not held"),
    Diag("MM1002").WithLocation(1).WithNoAdditionalLocations().WithMessage("Releasing 'a', which is not held"));

        [Fact]
        public Task MM1002_ReleaseInWrongMode() => Verify(@"
using MmLock; using K;
class C {
    static void M(rw_semaphore s) {
        {|#0:L.down_read(s)|};
        {|#1:L.up_write(s)|};
    }
    static void N(rw_semaphore s) {
        {|#2:L.down_write(s)|};
        {|#3:L.up_read(s)|};
    }
    static void Ok(rw_semaphore s) { L.down_read(s); L.up_read(s); L.down_write(s); L.up_write(s); }
}", Diag("MM1002").WithLocation(1).WithAdditionalLocation(0).WithMessage("Releasing 's', as exclusive, but it is held shared"),
    Diag("MM1002").WithLocation(3).WithAdditionalLocation(2).WithMessage("Releasing 's', as shared, but it is held exclusively"));

        [Fact]
        public Task MM1005_IfWithoutElse_ReleaseAfterIsSilent() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, bool c) {
        if (c) {|#0:L.spin_lock(a)|};
        {|#1:L.spin_unlock(a);|}
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 6"));

        [Fact]
        public Task MM1005_IfElseMismatch_MaybeHeldSatisfiesNothing() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, bool c) {
        if (c) { {|#0:L.spin_lock(a)|}; } else { }
        {|#1:{|#2:need(a)|};|}
        L.spin_lock(a);
        L.spin_unlock(a);
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 7"),
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively, which is not held on every path"));

        [Fact]
        public Task MM1005_IfElseBothAcquire_IsClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, bool c) {
        if (c) L.spin_lock(a); else L.spin_lock(a);
        need(a);
        L.spin_unlock(a);
    }
}");

        [Fact]
        public Task MM1005_LoopBackEdge() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, int n) {
        for (int i = 0; {|#1:i < n|}; i++) {
            {|#0:L.spin_lock(a)|};
        }
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 5"));

        [Fact]
        public Task LoopInvariant_LockUnlockInsideLoop_IsClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, int n) {
        for (int i = 0; i < n; i++) { L.spin_lock(a); need(a); L.spin_unlock(a); }
        while (n-- > 0) { L.spin_lock(a); if (n == 3) { L.spin_unlock(a); continue; } need(a); L.spin_unlock(a); }
        L.spin_lock(a);
        foreach (var x in new int[3]) { need(a); }
        L.spin_unlock(a);
    }
}");

        [Fact]
        public Task MM1001_DowngradeKeepsSharedOnly() => Verify(@"
using MmLock; using K;
class C {
    [RequiresShared(""s"")] static void needR(rw_semaphore s) { }
    [Requires(""s"")] static void needW(rw_semaphore s) { }
    static void M(rw_semaphore s) {
        L.down_write(s);
        needW(s);
        needR(s);
        L.downgrade_write(s);
        needR(s);
        {|#0:needW(s)|};
        L.up_read(s);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'needW' requires holding 's' exclusively, but it is held shared"));

        [Fact]
        public Task AssertHeld_SatisfiesLaterRequires() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        L.lockdep_assert_held(a);
        need(a);
    }
    static void N(spinlock_t a, spinlock_t b) {
        L.lockdep_assert_held(a);
        {|#0:need(b)|};
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'b' exclusively"));

        [Fact]
        public Task MM1001_ReleasedEarlier_NamesReleaseSite() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        L.spin_lock(a);
        {|#1:L.spin_unlock(a)|};
        {|#0:need(a)|};
    }
}", Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'need' requires holding 'a' exclusively; 'a' was released at line 7"));

        [Fact]
        public Task UnannotatedCode_IsSilent() => Verify(@"
using System.Collections.Generic; using System.Threading.Tasks;
class C {
    int f;
    void M(int n) { for (int i = 0; i < n; i++) { if (i % 2 == 0) f++; else f--; } try { if (n < 0) throw new System.Exception(); } catch { } finally { f = 0; } }
    async Task A() { await Task.Yield(); System.Action x = () => M(1); x(); }
    IEnumerable<int> Y() { yield return f; }
    void Uses(K.spinlock_t a) { System.GC.KeepAlive(a); }
}");
    }

    /// <summary>Try-acquire forms, argument substitution, aliases, existentials, RequiresAny, Excludes, conditions.</summary>
    public class ContextRulesBindingTests
    {
        [Fact]
        public Task TryAcquire_AllSuccessForms_AreClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Requires(""s"")] static void needW(rw_semaphore s) { }
    [RequiresShared(""s"")] static void needR(rw_semaphore s) { }
    [Releases(""l"")] static int unlock_ret(spinlock_t l) { L.spin_unlock(l); return 1; }
    static void A(spinlock_t a) { if (L.spin_trylock(a)) { need(a); L.spin_unlock(a); } }
    static void B(spinlock_t a) { if (!L.spin_trylock(a)) return; need(a); L.spin_unlock(a); }
    static void D(spinlock_t a, bool c) { if (c && L.spin_trylock(a)) { need(a); L.spin_unlock(a); } }
    static void E(spinlock_t a) { var ok = L.spin_trylock(a); if (ok) { need(a); L.spin_unlock(a); } }
    static int F(spinlock_t a) { int r = L.spin_trylock(a) ? unlock_ret(a) : 0; return r; }
    static void G(rw_semaphore s) { if (L.down_write_killable(s) == 0) { needW(s); L.up_write(s); } }
    static int H(rw_semaphore s) { if (L.down_write_killable(s) != 0) return -4; needW(s); L.up_write(s); return 0; }
    static void I(rw_semaphore s) { if (L.down_read_trylock(s) == false) return; needR(s); L.up_read(s); }
}");

        [Fact]
        public Task TryAcquire_FailurePathHoldsNothing() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Requires(""s"")] static void needW(rw_semaphore s) { }
    static void A(spinlock_t a) {
        if (!L.spin_trylock(a)) { {|#0:need(a)|}; return; }
        L.spin_unlock(a);
    }
    static void B(rw_semaphore s) {
        if (L.down_write_killable(s) != 0) { {|#1:needW(s)|}; return; }
        L.up_write(s);
    }
    static void D(spinlock_t a) {
        {|#3:L.spin_trylock(a)|};
        {|#2:need(a)|};
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'needW' requires holding 's' exclusively"),
    // A discarded result: success and failure join where it is lost, so 'a' is held on some paths from there.
    Diag("MM1005").WithLocation(3).WithAdditionalLocation(3).WithMessage("'a' is held on some paths only where they join at line 15"),
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively, which is not held on every path"));

        [Fact]
        public Task ArgumentSubstitution_AndLocalAlias() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""mm.mmap_lock"")] static void f(mm_struct mm) { }
    static void Ok(vm_area_struct vma) {
        L.mmap_write_lock(vma.vm_mm);
        f(vma.vm_mm);
        L.mmap_write_unlock(vma.vm_mm);
    }
    static void Alias(vm_area_struct vma) {
        var mm = vma.vm_mm;
        L.mmap_write_lock(mm);
        f(vma.vm_mm);
        L.mmap_write_unlock(vma.vm_mm);
    }
    static void Bad(vm_area_struct vma, mm_struct other) {
        L.mmap_write_lock(other);
        {|#0:f(vma.vm_mm)|};
        L.mmap_write_unlock(other);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'f' requires holding 'vma.vm_mm.mmap_lock' exclusively"));

        [Fact]
        public Task Existential_AnyInstanceOfTypeOrSubtype() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""any K.rw_semaphore"")] static void anyR() { }
    static void Sub(address_space m) { L.down_read(m.i_mmap_rwsem); anyR(); L.up_read(m.i_mmap_rwsem); }
    static void Same(mm_struct mm) { L.mmap_write_lock(mm); anyR(); L.mmap_write_unlock(mm); }
    static void Bad(spinlock_t a) { L.spin_lock(a); {|#0:anyR()|}; L.spin_unlock(a); }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'anyR' requires holding 'any rw_semaphore'"));

        [Fact]
        public Task RequiresAny_OneAlternativeSuffices() => Verify(@"
using MmLock; using K;
class C {
    [RequiresAny(""a"", ""b"")] static void either(spinlock_t a, spinlock_t b) { }
    static void M(spinlock_t x, spinlock_t y) {
        {|#0:either(x, y)|};
        L.spin_lock(y); either(x, y); L.spin_unlock(y);
        L.spin_lock(x); either(x, y); L.spin_unlock(x);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'either' requires holding one of 'x', 'y'"));

        [Fact]
        public Task MM1006_Excludes() => Verify(@"
using MmLock; using K;
class C {
    static void M() {
        {|#0:L.get_online_mems()|};
        {|#1:L.mem_hotplug_begin()|};
        L.put_online_mems();
    }
    static void Ok() { L.mem_hotplug_begin(); L.mem_hotplug_done(); }
}", Diag("MM1006").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'mem_hotplug_begin' while holding 'G.mem_hotplug_lock', which it excludes (acquired at line 5)"));

        [Fact]
        public Task Priority_MM1006_Over_MM1003_Over_MM1001_PerContext() => Verify(@"
using MmLock; using K;
class C {
    [Acquires(""a""), Excludes(""a""), Requires(""b""), NoLockAnalysis(""primitive"")] static void ex(spinlock_t a, spinlock_t b) { }
    [Acquires(""a""), Requires(""b""), NoLockAnalysis(""primitive"")] static void acq(spinlock_t a, spinlock_t b) { }
    static void M(spinlock_t x, spinlock_t y) {
        {|#0:L.spin_lock(x)|};
        {|#1:ex(x, y)|};
        {|#2:acq(x, y)|};
        L.spin_unlock(x);
        {|#3:acq(x, y)|};
        L.spin_unlock(x);
    }
}", Diag("MM1006").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'ex' while holding 'x', which it excludes (acquired at line 7)"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'ex' requires holding 'y' exclusively"),
    Diag("MM1003").WithLocation(2).WithAdditionalLocation(0).WithMessage("Acquiring 'x', which is already held (acquired at line 7)"),
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'acq' requires holding 'y' exclusively"),
    Diag("MM1001").WithLocation(3).WithNoAdditionalLocations().WithMessage("Calling 'acq' requires holding 'y' exclusively"));

        private const string Conditional = @"
using MmLock; using K;
class C {
    [Requires(""l when CONFIG_X"")] static void need(spinlock_t l) { }
    [Requires(""l"", When = ""CONFIG_Y && !CONFIG_Z"")] static void need2(spinlock_t l) { }
    [RequiresAny(""l when CONFIG_X"", ""K.G.RCU when !CONFIG_X"")] static void need3(spinlock_t l) { }
    static void M(spinlock_t a) {
        {|#0:need(a)|};
        {|#1:need2(a)|};
        {|#2:need3(a)|};
    }
}";

        [Fact]
        public Task Conditions_NoSymbols() => Verify(Conditional,
            Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need3' requires holding 'G.RCU'"));

        [Fact]
        public Task Conditions_CONFIG_X() => Verify(Conditional, new[] { "CONFIG_X" },
            Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
            Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need3' requires holding 'a'"));

        [Fact]
        public Task Conditions_CONFIG_Y_AndZ() => Verify(Conditional, new[] { "CONFIG_Y" },
            Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'need2' requires holding 'a' exclusively"),
            Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need3' requires holding 'G.RCU'"));

        [Fact]
        public Task Conditions_CONFIG_Y_Z_X() => Verify(Conditional, new[] { "CONFIG_Y", "CONFIG_Z", "CONFIG_X" },
            Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
            Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need3' requires holding 'a'"));

        [Fact]
        public Task MM1007_GuardedBy() => Verify(@"
using MmLock; using K;
class C {
    public readonly spinlock_t lk = new spinlock_t();
    public readonly rw_semaphore s1 = new rw_semaphore();
    public readonly rw_semaphore s2 = new rw_semaphore();
    [GuardedBy(""lk"")] int count;
    [GuardedBy(""s1"", ""s2"", ReadAny = true)] int v;
    [GuardedBy(""s1"", ""s2"")] int w;
    C() { count = 1; v = 2; w = 3; }
    C(C other) { {|#9:other.count|} = 1; }
    void Ok() {
        L.spin_lock(lk); count++; _ = count; L.spin_unlock(lk);
        L.down_read(s1); _ = v; L.up_read(s1);
        L.down_read(s1); L.down_read(s2); _ = w; L.up_read(s2); L.up_read(s1);
        L.down_write(s1); L.down_write(s2); v = 1; w = 1; L.up_write(s2); L.up_write(s1);
    }
    void Bad() {
        {|#0:count|}++;
        _ = {|#1:count|};
        L.down_read(s1);
        {|#2:v|} = 4;
        _ = {|#3:w|};
        L.up_read(s1);
        _ = {|#4:v|};
    }
}", Diag("MM1007").WithLocation(9).WithNoAdditionalLocations().WithMessage("Writing 'count' requires holding 'other.lk' exclusively"),
    Diag("MM1007").WithLocation(0).WithNoAdditionalLocations().WithMessage("Writing 'count' requires holding 'lk' exclusively"),
    Diag("MM1007").WithLocation(1).WithNoAdditionalLocations().WithMessage("Reading 'count' requires holding 'lk'"),
    Diag("MM1007").WithLocation(2).WithNoAdditionalLocations().WithMessage("Writing 'v' requires holding 's1' exclusively"),
    Diag("MM1007").WithLocation(2).WithNoAdditionalLocations().WithMessage("Writing 'v' requires holding 's2' exclusively"),
    Diag("MM1007").WithLocation(3).WithNoAdditionalLocations().WithMessage("Reading 'w' requires holding 's2'"),
    Diag("MM1007").WithLocation(4).WithNoAdditionalLocations().WithMessage("Reading 'v' requires holding one of 's1', 's2'"));
    }

    /// <summary>Exits, exceptions, scoped guards, nested bodies, suspension points, MM1008, MM1009, damaged code.</summary>
    public class ContextRulesFlowTests
    {
        [Fact]
        public Task MM1004_TryFinally_WithReturns_IsClean() => Verify(@"
using MmLock; using K;
class C {
    static int M(spinlock_t a, bool c) {
        L.spin_lock(a);
        try {
            if (c) return 1;
            if (!c) throw new System.Exception();
            return 2;
        } finally { L.spin_unlock(a); }
    }
}");

        [Fact]
        public Task MM1004_AtThrowReturnAndEnd() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, bool c) {
        {|#0:L.spin_lock(a)|};
        if (c) {|#1:throw new System.Exception();|}
        L.spin_unlock(a);
    }
    static int N(spinlock_t a, bool c) {
        {|#2:L.spin_lock(a)|};
        if (c) {|#3:return 1;|}
        L.spin_unlock(a);
        return 0;
    }
    static void P(spinlock_t a) {
        {|#4:L.spin_lock(a)|};
    {|#5:}|}
    [Acquires(""l"")] static void Q(spinlock_t l) { L.spin_lock(l); }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'M' (acquired at line 5)"),
    Diag("MM1004").WithLocation(3).WithAdditionalLocation(2).WithMessage("'a' is still held at this exit of 'N' (acquired at line 10)"),
    Diag("MM1004").WithLocation(5).WithAdditionalLocation(4).WithMessage("'a' is still held at this exit of 'P' (acquired at line 16)"));

        [Fact]
        public Task Catch_StartsFromStateAtThrow() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, bool c) {
        try {
            L.spin_lock(a);
            if (c) throw new System.Exception();
            L.spin_unlock(a);
        } catch (System.Exception) {
            need(a);
            L.spin_unlock(a);
        }
    }
    static void N(spinlock_t a, bool c) {
        try {
            if (c) throw new System.Exception();
            L.spin_lock(a);
            L.spin_unlock(a);
        } catch (System.Exception) {
            {|#0:L.spin_unlock(a)|};
        }
    }
}", Diag("MM1002").WithLocation(0).WithNoAdditionalLocations().WithMessage("Releasing 'a', which is not held"));

        private const string Guard = @"
[ScopedGuard] struct spin_guard : System.IDisposable {
    readonly spinlock_t _l;
    [Acquires(""l"")] public spin_guard(spinlock_t l) { _l = l; L.spin_lock(l); }
    [NoLockAnalysis(""guard"")] public void Dispose() => L.spin_unlock(_l);
}";

        [Fact]
        public Task ScopedGuard_UsingDeclarationAndStatement() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Acquires(""l"")] static spin_guard guard(spinlock_t l) => new spin_guard(l);
    static void A(spinlock_t a) { using var g = new spin_guard(a); need(a); }
    static void B(spinlock_t a, bool c) { using var g = guard(a); if (c) return; need(a); }
    static void D(spinlock_t a, bool c) { using var g = new spin_guard(a); if (c) throw new System.Exception(); need(a); }
    static void E(spinlock_t a) {
        using (var g = new spin_guard(a)) { need(a); }
        {|#0:need(a)|};
    }
    static void F(spinlock_t a) { var g = new spin_guard(a); need(a); {|#4:g.Dispose()|}; {|#1:need(a)|}; }
    static void H(spinlock_t a) { {|#2:_ = new spin_guard(a)|}; need(a); L.spin_unlock(a); }
}" + Guard, Diag("MM1001").WithLocation(0).WithAdditionalSpan("/0/Test0.cs", 10, 54, 10, 55).WithMessage("Calling 'need' requires holding 'a' exclusively; 'a' was released at line 10"),
            Diag("MM1001").WithLocation(1).WithAdditionalLocation(4).WithMessage("Calling 'need' requires holding 'a' exclusively; 'a' was released at line 13"));

        [Fact]
        public Task ScopedGuard_DiscardedGuardKeepsContextHeld() => Verify(@"
using MmLock; using K;
class C {
    static void H(spinlock_t a) {
        _ = {|#0:new spin_guard(a)|};
    {|#1:}|}
}" + Guard, Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'H' (acquired at line 5)"));

        [Fact]
        public Task Lambdas_AndLocalFunctions_AreBodiesOfTheirOwn() => Verify(@"
using MmLock; using K;
[Requires(""l"")] delegate void locked_cb(spinlock_t l);
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        L.spin_lock(a);
        System.Action f = () => {|#0:need(a)|};
        System.Action<spinlock_t> g = {|#5:[Requires(""x"")] (spinlock_t x) => need(x)|};
        locked_cb h = x => need(x);
        void local() { {|#1:need(a)|}; }
        [Requires(""y"")] void local2(spinlock_t y) { need(y); }
        local2(a);
        {|#4:L.spin_unlock(a)|};
        {|#2:h(a)|};
        {|#3:local2(a)|};
        f(); g(a); local();
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
    Diag("MM1001").WithLocation(2).WithAdditionalLocation(4).WithMessage("Calling 'locked_cb' requires holding 'a' exclusively; 'a' was released at line 14"),
    Diag("MM1001").WithLocation(3).WithAdditionalLocation(4).WithMessage("Calling 'local2' requires holding 'a' exclusively; 'a' was released at line 14"),
    Diag("MM1011").WithLocation(5).WithMessage("'lambda' is converted to 'Action', whose Invoke does not state the same requirements and roles: calls through it are not checked"));

        [Fact]
        public Task MM1010_AwaitAndYieldReturn() => Verify(@"
using MmLock; using K;
using System.Threading.Tasks;
class C {
    static async Task M(spinlock_t a) {
        {|#0:L.spin_lock(a)|};
        {|#1:await Task.Yield()|};
        L.spin_unlock(a);
        await Task.Yield();
    }
    static System.Collections.Generic.IEnumerable<int> Y(rw_semaphore s) {
        {|#2:L.down_read(s)|};
        {|#3:yield return 1;|}
        L.up_read(s);
        yield return 2;
    }
}", Diag("MM1010").WithLocation(1).WithAdditionalLocation(0).WithMessage("'a' is held across await (acquired at line 6)"),
    Diag("MM1010").WithLocation(3).WithAdditionalLocation(2).WithMessage("'s' is held across yield return (acquired at line 12)"));

        [Fact]
        public Task MM1008_AcquireReleaseContractNotKept() => Verify(@"
using MmLock; using K;
interface I { [Acquires(""l"")] void x(spinlock_t l); }
abstract class C {
    [Acquires(""l"")] static void ok(spinlock_t l) { L.spin_lock(l); }
    [Releases(""l"")] static void ok2(spinlock_t l) { L.spin_unlock(l); }
    [Acquires(""l"")] static void {|#0:early|}(spinlock_t l, bool c) { if (c) return; L.spin_lock(l); }
    [Releases(""l"")] static void {|#1:empty|}(spinlock_t l) { }
    [Acquires(""l"")] static void {|#2:throws|}(spinlock_t l) => throw new System.Exception();
    [Acquires(""l""), NoLockAnalysis(""primitive"")] static void exempt(spinlock_t l) { }
    [Acquires(""l"")] public abstract void bodiless(spinlock_t l);
    [Acquires(""l"")] static extern void ext(spinlock_t l);
}", Diag("MM1008").WithLocation(0).WithNoAdditionalLocations().WithMessage("'early' does not acquire 'l' on every path"),
    Diag("MM1008").WithLocation(1).WithNoAdditionalLocations().WithMessage("'empty' does not release 'l' on every path"),
    Diag("MM1008").WithLocation(2).WithNoAdditionalLocations().WithMessage("'throws' does not acquire 'l' on every path"));

        [Fact]
        public Task MM1009_LockOrder_Transitive() => Verify(@"
using MmLock; using K;
namespace T {
    public static class Locks {
        [AcquiredBefore(""T.Locks.b"")] public static readonly mutex a = new mutex();
        [AcquiredBefore(""T.Locks.c"")] public static readonly mutex b = new mutex();
        public static readonly mutex c = new mutex();
    }
    class C {
        static void Good() { L.mutex_lock(Locks.a); L.mutex_lock(Locks.b); L.mutex_lock(Locks.c); L.mutex_unlock(Locks.c); L.mutex_unlock(Locks.b); L.mutex_unlock(Locks.a); }
        static void Bad() {
            {|#0:L.mutex_lock(Locks.c)|};
            {|#1:L.mutex_lock(Locks.a)|};
            L.mutex_unlock(Locks.a);
            L.mutex_unlock(Locks.c);
        }
    }
}", Diag("MM1009").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 'Locks.a' while holding 'Locks.c' violates the declared lock order ('Locks.a' comes before 'Locks.c')"));

        [Fact]
        public Task MM3001_SleepingAcquireUnderSpinlock() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, mutex m) {
        {|#0:L.spin_lock(a)|};
        {|#1:L.mutex_lock(m)|};
        L.mutex_unlock(m);
        L.spin_unlock(a);
    }
}", Diag("MM3001").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 'm' might sleep while 'a' is held (acquired at line 5)"));

        [Fact]
        public Task DamagedCode_NoAD0001()
        {
            var test = new AnalyzerTest<MmLockAnalyzer> { AllowCompilerErrors = true };
            test.Sources.Add(("/0/Kernel.cs", Prelude));
            test.Sources.Add(("/0/Test0.cs", @"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, bool c) {
        L.spin_lock(a)
        if (c { need(a); undefined(a).x += ;
        L.spin_unlock(a, 3);
        foreach (var in ) { await need(; }
    }
    static void N(spinlock_t a) { L.spin_lock(a); using var g = new missing_guard(a); System.Action x = () => need(a) yield return
}"));
            // Analyzed as far as the compiler binds it: the lock in M reaches the await and the end; N's lambda is a body of its own.
            test.ExpectedDiagnostics.AddRange(new[]
            {
                Diag("MM1010").WithSpan("/0/Test0.cs", 9, 29, 9, 40).WithMessage("'a' is held across await (acquired at line 6)").WithAdditionalSpan("/0/Test0.cs", 6, 9, 6, 23),
                Diag("MM1001").WithSpan("/0/Test0.cs", 11, 111, 11, 118).WithMessage("Calling 'need' requires holding 'a' exclusively").WithNoAdditionalLocations(),
                Diag("MM1010").WithSpan("/0/Test0.cs", 11, 119, 12, 1).WithMessage("'a' is held across yield return (acquired at line 11)").WithAdditionalSpan("/0/Test0.cs", 11, 35, 11, 49),
                Diag("MM1004").WithSpan("/0/Test0.cs", 12, 1, 12, 2).WithMessage("'a' is still held at this exit of 'N' (acquired at line 11)").WithAdditionalSpan("/0/Test0.cs", 11, 35, 11, 49),
                Diag("MM1004").WithSpan("/0/Test0.cs", 12, 2, 12, 2).WithMessage("'a' is still held at this exit of 'M' (acquired at line 6)").WithAdditionalSpan("/0/Test0.cs", 6, 9, 6, 23),
            });
            return test.RunAsync();
        }
    }
}
