using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Nesting counts, nonnull try-acquire, disjunctive entry requirements, delegates, ref writes.</summary>
    public class ContextRulesCountTests
    {
        [Fact]
        public Task Reentrant_CountsNesting_IdempotentDoesNot() => Verify(@"
using MmLock; using K;
class C {
    static void M() {
        {|#3:L.rcu_read_lock()|};
        L.rcu_read_lock();
        L.rcu_read_unlock();
    {|#1:}|}
    static void N() {
        L.local_irq_disable();
        L.local_irq_disable();
        L.local_irq_enable();
        {|#2:L.local_irq_enable()|};
    }
}", Diag("MM1004").WithLocation(1).WithMessage("'G.RCU' is still held at this exit of 'M' (acquired at line 5)").WithAdditionalLocation(3),
    Diag("MM1002").WithLocation(2).WithNoAdditionalLocations().WithMessage("Releasing 'G.IRQS_OFF', which is not held"));

        [Fact]
        public Task Downgraded_ThenReleasedExclusive_IsWrongMode() => Verify(@"
using MmLock; using K;
class C {
    static void M(rw_semaphore s) {
        {|#0:L.down_write(s)|};
        L.downgrade_write(s);
        {|#1:L.up_write(s)|};
    }
}", Diag("MM1002").WithLocation(1).WithAdditionalLocation(0).WithMessage("Releasing 's', as exclusive, but it is held shared"));

        [Fact]
        public Task TryAcquire_NonNull() => Verify(@"
using MmLock; using K;
class C {
    [TryAcquires(""nonnull"", ""l""), NoLockAnalysis(""primitive"")] static object? try_get(spinlock_t l) => null;
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void A(spinlock_t a) { var p = try_get(a); if (p != null) { need(a); L.spin_unlock(a); } }
    static void B(spinlock_t a) { var p = try_get(a); if (p is null) return; need(a); L.spin_unlock(a); }
    static void D(spinlock_t a) { var p = try_get(a); if (p == null) { {|#0:need(a)|}; return; } L.spin_unlock(a); }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"));

        [Fact]
        public Task RequiresAnyOnEntry_SatisfiesTheSameDisjunctionInside() => Verify(@"
using MmLock; using K;
class C {
    [RequiresAny(""a"", ""b"")] static void either(spinlock_t a, spinlock_t b) { }
    [Requires(""a"")] static void needA(spinlock_t a) { }
    [RequiresAny(""x"", ""y"")] static void M(spinlock_t x, spinlock_t y) {
        either(x, y);
        {|#0:needA(x)|};
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'needA' requires holding 'x' exclusively"));

        [Fact]
        public Task DelegateContract_CallerMustHold_LambdaAssumes() => Verify(@"
using MmLock; using K;
[Requires(""l"")] delegate void locked_cb(spinlock_t l);
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, spinlock_t b) {
        locked_cb h = x => need(x);
        locked_cb k = x => {|#1:need(b)|};
        L.spin_lock(a);
        h(a);
        {|#0:h(b)|};
        L.spin_unlock(a);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'locked_cb' requires holding 'b' exclusively"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'b' exclusively"));

        [Fact]
        public Task GuardedBy_RefArgumentIsAWrite() => Verify(@"
using MmLock; using K;
class C {
    public readonly rw_semaphore s = new rw_semaphore();
    [GuardedBy(""s"")] int v;
    static void Bump(ref int x) { x++; }
    void M() {
        L.down_read(s);
        _ = v;
        Bump(ref {|#0:v|});
        L.up_read(s);
        L.down_write(s); Bump(ref v); L.up_write(s);
    }
}", Diag("MM1007").WithLocation(0).WithNoAdditionalLocations().WithMessage("Writing 'v' requires holding 's' exclusively"));

        [Fact]
        public Task Excludes_MaybeHeld_IsSilent() => Verify(@"
using MmLock; using K;
class C {
    static void M(bool c) {
        if (c) {|#0:L.get_online_mems()|};
        {|#1:L.mem_hotplug_begin();|}
        L.mem_hotplug_done();
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'G.mem_hotplug_lock' is held on some paths only where they join at line 6"));
    }
}
