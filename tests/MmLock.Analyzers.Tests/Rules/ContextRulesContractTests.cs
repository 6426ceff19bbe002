using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>A body's own contract: try-acquire wrappers may exit holding, entry requirements across await, MM1008 on local functions.</summary>
    public class ContextRulesContractTests
    {
        [Fact]
        public Task TryAcquireWrapper_MayExitHolding() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    [TryAcquires(true, ""l"")] static bool my_trylock(spinlock_t l) { if (L.spin_trylock(l)) return true; return false; }
    static void M(spinlock_t a) { if (my_trylock(a)) { need(a); L.spin_unlock(a); } }
}");

        [Fact]
        public Task MM1010_EntryRequirementHeldAcrossAwait() => Verify(@"
using MmLock; using K;
using System.Threading.Tasks;
class C {
    [Requires(""m"")] static async Task M(mutex m) {
        {|#0:await Task.Yield()|};
    }
}", Diag("MM1010").WithLocation(0).WithNoAdditionalLocations().WithMessage("'m' is held across await (acquired at line 5)"));

        [Fact]
        public Task MM1008_LocalFunction() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, bool c) {
        [Acquires(""l"")] void {|#0:lock_if|}(spinlock_t l) { if (c) return; L.spin_lock(l); }
        [Acquires(""l"")] void lock_always(spinlock_t l) { L.spin_lock(l); }
        lock_always(a);
        L.spin_unlock(a);
    }
}", Diag("MM1008").WithLocation(0).WithNoAdditionalLocations().WithMessage("'lock_if' does not acquire 'l' on every path"));
    }
}
