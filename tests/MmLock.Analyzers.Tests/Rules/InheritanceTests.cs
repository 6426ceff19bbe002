using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9 item 13: contracts across inheritance and generics.</summary>
    public class InheritanceTests
    {
        private const string Ops = @"
using MmLock; using K;
abstract class vm_ops {
    public spinlock_t lk = new spinlock_t();
    [GuardedBy(""lk"")] public int faults;
    [Requires(""this.lk"")] public abstract void fault();
    [Requires(""l"")] public virtual void close(spinlock_t l) { }
}
interface ilocked { [Requires(""l"")] void run(spinlock_t l); }
";

        [Fact]
        public Task Override_InheritsTheContract_BodyAssumesIt_CallsThroughBaseCheckIt() => Verify(Ops + @"
sealed class anon_ops : vm_ops {
    public override void fault() { faults++; }
    public override void close(spinlock_t other) { L.lockdep_assert_held(other); }
}
class C {
    static void M(vm_ops ops, anon_ops anon, spinlock_t x) {
        {|#0:ops.fault()|};
        {|#1:anon.fault()|};
        {|#2:anon.close(x)|};
        L.spin_lock(anon.lk);
        anon.fault();
        L.spin_unlock(anon.lk);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'fault' requires holding 'ops.lk' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'fault' requires holding 'anon.lk' exclusively"),
    Diag("MM1001").WithLocation(2).WithMessage("Calling 'close' requires holding 'x' exclusively"));

        [Fact]
        public Task InterfaceImplementation_InheritsTheContract() => Verify(Ops + @"
sealed class job : ilocked {
    public void run(spinlock_t l) { L.lockdep_assert_held(l); }
}
sealed class explicit_job : ilocked {
    void ilocked.run(spinlock_t l) { L.lockdep_assert_held(l); }
}
class C {
    static void M(ilocked through, job direct, spinlock_t x) {
        {|#0:through.run(x)|};
        {|#1:direct.run(x)|};
        L.spin_lock(x);
        through.run(x);
        direct.run(x);
        L.spin_unlock(x);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'run' requires holding 'x' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'run' requires holding 'x' exclusively"));

        [Fact]
        public Task DifferingContract_IsMM9003_SameContractIsNot() => Verify(Ops + @"
sealed class shared_ops : vm_ops {
    [Requires(""this.lk"")] public override void fault() { }
    [{|#0:RequiresShared(""l"")|}] public override void close(spinlock_t l) { }
}
sealed class job : ilocked {
    [{|#1:Requires(""l"")|}, MightSleep] public void run(spinlock_t l) { }
}", Diag("MM9003").WithLocation(0).WithMessage("Contradictory annotations on 'close': its contract differs from the one of 'vm_ops.close', which it overrides"),
    Diag("MM9003").WithLocation(1).WithMessage("Contradictory annotations on 'run': its contract differs from the one of 'ilocked.run', which it implements"));

        [Fact]
        public Task StaticContextOfAGenericType_IsPerInstantiation() => Verify(@"
using MmLock; using K;
static class table<T> {
    public static readonly spinlock_t lock_ = new spinlock_t();
    [Acquires(""lock_""), NoLockAnalysis(""primitive"")] public static void take() { }
    [Releases(""lock_""), NoLockAnalysis(""primitive"")] public static void put() { }
    [Requires(""lock_"")] public static void insert() { }
    static void inside() { take(); insert(); L.spin_unlock(lock_); }
}
class C {
    static void M() {
        table<int>.take();
        table<int>.insert();
        L.spin_unlock(table<int>.lock_);
        table<long>.take();
        {|#0:table<int>.insert()|};
        table<long>.put();
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'insert' requires holding 'table.lock_' exclusively; 'table.lock_' was released at line 14"));
    }
}
