using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>The binder's decided cases of contract §3.1, one test each (issue 9 item 9).</summary>
    public class DecidedBinderCasesTests
    {
        private const string Box = @"
using MmLock; using K;
class box {
    public spinlock_t lk = new spinlock_t();
    [Requires(""this.lk"")] public int Both { get => 0; set { } }
    public int SetterOnly { get => 0; [Requires(""this.lk"")] set { } }
    [Requires(""this.lk"")] public int this[int i] { get => 0; set { } }
    [Requires(""a.lk"")] public static box operator +(box a, box b) => a;
    [Requires(""b.lk"")] public static implicit operator int(box b) => 0;
    [Requires(""b.lk"")] public static bool operator !(box b) => false;
}
";

        [Fact]
        public Task RequiresOnAProperty_AppliesToBothAccessors_OnAnAccessorToThatOne() => Verify(Box + @"
class C {
    static void M(box b) {
        int x = {|#0:b.Both|};
        {|#1:b.Both|} = 1;
        x = b.SetterOnly;
        {|#2:b.SetterOnly|} = 2;
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'Both' requires holding 'b.lk' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'Both' requires holding 'b.lk' exclusively"),
    Diag("MM1001").WithLocation(2).WithMessage("Calling 'SetterOnly' requires holding 'b.lk' exclusively"));

        [Fact]
        public Task OperatorsConversionsAndIndexers_AreCalls() => Verify(Box + @"
class C {
    static int M(box a, box b) {
        var sum = {|#0:a + b|};
        int n = {|#1:b|};
        bool not = {|#2:!b|};
        n += {|#3:a[0]|};
        L.spin_lock(a.lk);
        sum = a + b;
        n += a[1];
        L.spin_unlock(a.lk);
        return n;
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'operator +' requires holding 'a.lk' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'operator Int32' requires holding 'b.lk' exclusively"),
    Diag("MM1001").WithLocation(2).WithMessage("Calling 'operator !' requires holding 'b.lk' exclusively"),
    Diag("MM1001").WithLocation(3).WithMessage("Calling 'this[]' requires holding 'a.lk' exclusively"));

        [Fact]
        public Task NewT_BindsThisOfTheConstructorContract_ToTheReceivingLocal() => Verify(@"
using MmLock; using K;
class locked_obj {
    public spinlock_t mu = new spinlock_t();
    [Acquires(""this.mu""), NoLockAnalysis(""primitive"")] public locked_obj() { }
    [Requires(""this.mu"")] public void use() { }
}
class C {
    static void M() {
        var o = new locked_obj();
        o.use();
        L.spin_unlock(o.mu);
        {|#0:o.use()|};
    }
    static void Leak() {
        var o = new locked_obj();
        {|#1:return;|}
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'use' requires holding 'o.mu' exclusively; 'o.mu' was released at line 12"),
    Diag("MM1004").WithLocation(1).WithMessage("'o.mu' is still held at this exit of 'Leak' (acquired at line 16)"));

        [Fact]
        public Task TypeParameterMembers_ResolveThroughConstraints() => Verify(@"
using MmLock; using K;
class node { public spinlock_t lk = new spinlock_t(); [Requires(""this.lk"")] public void touch() { } }
class C {
    [Requires(""t.lk"")] static void need<T>(T t) where T : node { t.touch(); }
    static void M<T>(T t) where T : node {
        {|#0:t.touch()|};
        {|#1:need(t)|};
        L.spin_lock(t.lk);
        need(t);
        L.spin_unlock(t.lk);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'touch' requires holding 't.lk' exclusively"),
    Diag("MM1001").WithLocation(1).WithMessage("Calling 'need' requires holding 't.lk' exclusively"));

        [Fact]
        public Task ReturnPathContract_IsKeptByAcquiringAndReturningTheSameObject() => Verify(@"
using MmLock; using K;
class node { public spinlock_t lk = new spinlock_t(); }
class C {
    [Acquires(""return.lk"")] static node lock_new() { var v = new node(); L.spin_lock(v.lk); return v; }
    [Acquires(""return.lk"")] static node {|#0:lock_other|}(node other) { var v = new node(); L.spin_lock(other.lk); {|#1:return v;|} }
    static void M() { var n = lock_new(); L.spin_unlock(n.lk); }
}", Diag("MM1004").WithLocation(1).WithMessage("'other.lk' is still held at this exit of 'lock_other' (acquired at line 6)"),
    Diag("MM1008").WithLocation(0).WithMessage("'lock_other' does not acquire 'return.lk' on every path"));

        [Fact]
        public Task ModePrefix_AppliesToAnyT() => Verify(@"
using MmLock; using K;
class C {
    [RequiresAny(""exclusive any K.rw_semaphore"")] static void writer() { }
    static void M(rw_semaphore s) {
        L.down_read(s);
        {|#0:writer()|};
        L.up_read(s);
        L.down_write(s);
        writer();
        L.up_write(s);
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'writer' requires holding 'any rw_semaphore' exclusively"));

        [Fact]
        public Task OnlineCheck_ProvesOnlineOnlyItsOwnArgument() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
sealed class page { }
static class P {
    [OnlineCheck] public static page? pfn_to_online_page(ulong pfn) => null;
    public static page pfn_to_page(ulong pfn) => new page();
    [ReadsMemmap(""K.G.mem_hotplug_lock"")] public static int page_zone_idx(page p) => 0;
}
class C {
    static int M(ulong pfn, ulong other) {
        page? p = P.pfn_to_online_page(pfn);
        if (p == null) return 0;
        return P.page_zone_idx(p) + P.page_zone_idx(P.pfn_to_page(pfn)) + {|#0:P.page_zone_idx(P.pfn_to_page(other))|};
    }
}", Diag("MM2007").WithLocation(0).WithMessage("Calling 'page_zone_idx' reads the memmap of memory that may be offline: hold 'G.mem_hotplug_lock' or pass an [OnlineCheck] first"));
    }
}
