using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Receivers, global contexts, and the mode rule for reentrant contexts.</summary>
    public class ContextRulesReceiverTests
    {
        [Fact]
        public Task ThisRequirement_SubstitutesTheReceiver() => Verify(@"
using MmLock; using K;
class C {
    public readonly spinlock_t lk = new spinlock_t();
    [GuardedBy(""lk"")] int count;
    [Requires(""this.lk"")] void Inc() { count++; }
    void M(C o) {
        L.spin_lock(lk);
        Inc();
        this.Inc();
        {|#0:o.Inc()|};
        _ = {|#1:o.count|};
        L.spin_unlock(lk);
        L.spin_lock(o.lk); o.Inc(); _ = o.count; L.spin_unlock(o.lk);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'Inc' requires holding 'o.lk' exclusively"),
    Diag("MM1007").WithLocation(1).WithNoAdditionalLocations().WithMessage("Reading 'count' requires holding 'o.lk'"));

        [Fact]
        public Task ReentrantContext_ModeIsIgnored() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""K.G.RCU"")] static void under_rcu() { }
    [Requires(""K.G.IRQS_OFF"")] static void irqs_off() { }
    static void M() {
        L.rcu_read_lock();
        under_rcu();
        L.rcu_read_unlock();
        {|#0:under_rcu()|};
        L.local_irq_disable(); irqs_off(); L.local_irq_enable();
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'under_rcu' requires holding 'G.RCU'; 'G.RCU' was released at line 9")
        .WithAdditionalSpan("/0/Test0.cs", 9, 9, 9, 28));
    }
}
