using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9 item 6: a contract's roots are substituted wherever C# lets a caller name them.</summary>
    public class SubstitutionTests
    {
        private const string Table = @"
using MmLock; using K;
class pmd_t { public spinlock_t ptl = new spinlock_t(); }
static class T {
    [Acquires(""ptl""), NoLockAnalysis(""primitive"")] public static int pte_offset_map_lock(pmd_t pmd, out spinlock_t ptl) { ptl = pmd.ptl; return 0; }
    [Requires(""ptl"")] public static void set_pte(spinlock_t ptl) { }
}
";

        [Fact]
        public Task OutVar_BindsTheOutParameter() => Verify(Table + @"
class C {
    static void M(pmd_t pmd) {
        T.pte_offset_map_lock(pmd, out var ptl);
        T.set_pte(ptl);
        L.spin_unlock(ptl);
        {|#0:T.set_pte(ptl)|};
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'set_pte' requires holding 'ptl' exclusively; 'ptl' was released at line 13"));

        [Fact]
        public Task OutTypedDeclaration_BindsTheOutParameter() => Verify(Table + @"
class C {
    static void M(pmd_t pmd) {
        T.pte_offset_map_lock(pmd, out spinlock_t ptl);
        T.set_pte(ptl);
        {|#0:return;|}
    }
}", Diag("MM1004").WithLocation(0).WithMessage("'ptl' is still held at this exit of 'M' (acquired at line 11)"));

        [Fact]
        public Task OutExistingLocal_BindsTheOutParameter() => Verify(Table + @"
class C {
    static void M(pmd_t pmd) {
        spinlock_t ptl;
        T.pte_offset_map_lock(pmd, out ptl);
        T.set_pte(ptl);
        L.spin_unlock(ptl);
    }
}");

        [Fact]
        public Task RefLocal_NamesItsTarget() => Verify(Table + @"
class C {
    static void M(pmd_t pmd, spinlock_t other) {
        ref spinlock_t l = ref pmd.ptl;
        L.spin_lock(l);
        T.set_pte(pmd.ptl);
        l = other;
        L.spin_unlock(pmd.ptl);
        {|#0:T.set_pte(l)|};
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'set_pte' requires holding 'pmd.ptl' exclusively; 'pmd.ptl' was released at line 15"));

        [Fact]
        public Task RefParameter_NamesTheArgument() => Verify(Table + @"
class C {
    [Acquires(""l""), NoLockAnalysis(""primitive"")] static void lock_ref(ref spinlock_t l) { }
    static void M(pmd_t pmd) {
        lock_ref(ref pmd.ptl);
        T.set_pte(pmd.ptl);
        L.spin_unlock(pmd.ptl);
        {|#0:T.set_pte(pmd.ptl)|};
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'set_pte' requires holding 'pmd.ptl' exclusively; 'pmd.ptl' was released at line 14"));

        private const string Node = @"
using MmLock; using K;
class node {
    public spinlock_t lk = new spinlock_t();
    [Requires(""this.lk"")] public void touch() { }
    [Requires(""this.lk"")] public int Value { get => 0; set { } }
}
class locked_node : node {
    [Acquires(""this.lk""), NoLockAnalysis(""primitive"")] public locked_node() { }
}
";

        [Fact]
        public Task ConditionalAccess_CallsOnTheReceiver() => Verify(Node + @"
class C {
    static void M(node n) {
        n?{|#0:.touch()|};
        L.spin_lock(n.lk);
        n?.touch();
        L.spin_unlock(n.lk);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'touch' requires holding 'n.lk' exclusively"));

        [Fact]
        public Task ConstructorInitializers_AreCheckedAtTheInitializer_EvenWithAnEmptyBody() => Verify(@"
using MmLock; using K;
class B { [Requires(""l"")] public B(spinlock_t l) { } }
class D : B {
    public D(spinlock_t l) {|#0:: base(l)|} { }
    public D(spinlock_t l, int n) {|#1:: this(l, true)|} { }
    [Requires(""l"")] public D(spinlock_t l, bool held) : base(l) { }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'B' requires holding 'l' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'D' requires holding 'l' exclusively"));

        [Fact]
        public Task ObjectInitializer_SetterCalledOnTheCreatedObject() => Verify(Node + @"
class C {
    static void M(node held) {
        L.spin_lock(held.lk);
        var n = new node { {|#0:Value|} = 1 };
        L.spin_unlock(held.lk);
        var locked = new locked_node { Value = 2 };
        locked.touch();
        L.spin_unlock(locked.lk);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'Value' requires holding 'n.lk' exclusively"));

        [Fact]
        public Task WithExpression_InitializerCalledOnTheCopy() => Verify(@"
using MmLock; using K;
record rec { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public int Value { get => 0; init { } } }
class C {
    static void M(rec r) {
        L.spin_lock(r.lk);
        var copy = r with { {|#0:Value|} = 1 };
        L.spin_unlock(r.lk);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'Value' requires holding 'copy.lk' exclusively"));

        [Fact]
        public Task PropertyPattern_ReadsTheGuardedMemberOfTheTestedValue() => Verify(@"
using MmLock; using K;
class counter { public spinlock_t lk = new spinlock_t(); [GuardedBy(""lk"")] public int count; public counter? next; }
class C {
    static bool M(counter c) {
        if (c is { {|#0:count|}: > 0 }) return true;
        L.spin_lock(c.lk);
        bool positive = c is { count: > 0 };
        L.spin_unlock(c.lk);
        return positive || c is { next: { {|#1:count|}: 0 } };
    }
}", Diag("MM1007").WithLocation(0).WithMessage("Reading 'count' requires holding 'c.lk'"),
    Diag("MM1007").WithLocation(1).WithMessage("Reading 'count' requires holding 'c.next.lk'"));
    }
}
