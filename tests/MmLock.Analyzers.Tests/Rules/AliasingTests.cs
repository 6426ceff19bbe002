using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9 item 12: a reassigned local or parameter names what it holds at each read, along the flow.</summary>
    public class AliasingTests
    {
        [Fact]
        public Task LocalReassignedBetweenAcquireAndRelease_ReleasesTheNewValue() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, spinlock_t b) {
        var l = a;
        {|#0:L.spin_lock(l)|};
        l = b;
        {|#1:L.spin_unlock(l)|};
    {|#2:}|}
}", Diag("MM1002").WithLocation(1).WithNoAdditionalLocations().WithMessage("Releasing 'b', which is not held"),
    Diag("MM1004").WithLocation(2).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'M' (acquired at line 6)"));

        [Fact]
        public Task ParameterReassignedBetweenAcquireAndRelease_ReleasesTheNewValue() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, spinlock_t b) {
        {|#0:L.spin_lock(a)|};
        a = b;
        {|#1:L.spin_unlock(a)|};
    {|#2:}|}
}", Diag("MM1002").WithLocation(1).WithNoAdditionalLocations().WithMessage("Releasing 'b', which is not held"),
    Diag("MM1004").WithLocation(2).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'M' (acquired at line 5)"));

        [Fact]
        public Task ReassignedBeforeTheAcquire_OrToTheSameValue_IsClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, spinlock_t b) { var l = b; l = a; L.spin_lock(l); need(a); L.spin_unlock(a); }
    static void N(spinlock_t a) { var l = a; L.spin_lock(l); l = a; L.spin_unlock(l); }
    static void P(spinlock_t a, spinlock_t b) { L.spin_lock(a); L.spin_unlock(a); a = b; L.spin_lock(a); need(b); L.spin_unlock(b); }
}");

        [Fact]
        public Task ReassignedInOneBranch_NamesEitherValue() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, spinlock_t b, bool c) { var l = a; if (c) l = b; L.spin_lock(l); L.spin_unlock(l); }
    static void N(spinlock_t a, spinlock_t b, bool c) {
        var l = a;
        if (c) l = b;
        {|#0:L.spin_lock(l)|};
        {|#1:L.spin_unlock(a)|};
    {|#2:}|}
}", Diag("MM1002").WithLocation(1).WithNoAdditionalLocations().WithMessage("Releasing 'a', which is not held"),
    Diag("MM1004").WithLocation(2).WithAdditionalLocation(0).WithMessage("'l' is still held at this exit of 'N' (acquired at line 8)"));

        [Fact]
        public Task ReassignedInALoop_EachIterationPairsItsOwnValue() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t[] locks) {
        spinlock_t l = locks[0];
        for (int i = 0; i < locks.Length; i++) { l = locks[i]; L.spin_lock(l); L.spin_unlock(l); }
    }
    static void N(spinlock_t a, spinlock_t b, int n) {
        var l = a;
        for (int i = 0; i < n; i++) { L.spin_lock(l); L.spin_unlock(l); l = b; }
    }
}");

        [Fact]
        public Task RefLocal_NamesItsTarget_UntilRefReassigned() => Verify(@"
using MmLock; using K;
class pair { public spinlock_t a = new spinlock_t(); public spinlock_t b = new spinlock_t(); }
class C {
    static void M(pair x) { ref var r = ref x.a; L.spin_lock(r); L.spin_unlock(x.a); }
    static void N(pair x) {
        ref var r = ref x.a;
        {|#0:L.spin_lock(r)|};
        r = ref x.b;
        {|#1:L.spin_unlock(r)|};
    {|#2:}|}
}", Diag("MM1002").WithLocation(1).WithNoAdditionalLocations().WithMessage("Releasing 'x.b', which is not held"),
    Diag("MM1004").WithLocation(2).WithAdditionalLocation(0).WithMessage("'x.a' is still held at this exit of 'N' (acquired at line 8)"));

        [Fact]
        public Task WrittenByALambda_OrInAFinally_KeepsOneNameForTheWholeBody() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, spinlock_t b) {
        var l = a;
        System.Action reset = () => l = b;
        L.spin_lock(l);
        reset();
        L.spin_unlock(l);
    }
    static void N(spinlock_t a, spinlock_t b) {
        var l = a;
        try { L.spin_lock(l); } finally { L.spin_unlock(l); l = b; }
    }
}");
    }
}
