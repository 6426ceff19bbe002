using System.Linq;
using System.Threading.Tasks;
using MmLock.Analyzers.Tests.Verification;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 11: private helpers without contract attributes get the requirements their bodies leave, checked at their calls.</summary>
    public class InferenceTests
    {
        private const string KernelSpace = @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
static class W
{
    [PageTableWalker(""kernel"")] public static void walk_pud(ulong addr) { }
    [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { }
}
";

        [Fact]
        public Task WalkerChain_IsReportedAtTheEntryPoint_WithTheChain() => Verify(KernelSpace + @"
public class P {
    public static void show_ptdump() { {|#0:ptdump_walk_pgd(0)|}; }
    public static void show_locked() { L.get_online_mems(); ptdump_walk_pgd(0); L.put_online_mems(); }
    static void ptdump_walk_pgd(ulong a) { walk_pgd(a); }
    static void walk_pgd(ulong a) { for (int i = 0; i < 4; i++) {|#1:W.walk_pud(a)|}; }
}", Diag("MM2001").WithLocation(0).WithAdditionalLocation(1)
            .WithMessage("Calling 'ptdump_walk_pgd' walks 'kernel' page tables (via walk_pgd -> walk_pud) without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));

        [Fact]
        public Task RequirementOverAParameter_IsSubstitutedAtTheCall() => Verify(@"
using MmLock; using K;
public class P {
    public static void ok(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); L.spin_unlock(mm.page_table_lock); }
    public static void wrong(mm_struct a, mm_struct b) { L.spin_lock(a.page_table_lock); {|#0:helper(b)|}; L.spin_unlock(a.page_table_lock); }
    static void helper(mm_struct mm) { {|#1:W.set_pmd(mm)|}; }
}
static class W { [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { } }",
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'helper' requires holding 'b.page_table_lock' exclusively (via set_pmd)"));

        /// <summary>A helper reaching its parameter through a local: the requirement is still the parameter's, named as its contract would name it.</summary>
        [Fact]
        public Task RequirementThroughALocalCopyOfTheParameter_IsTheParameters() => Verify(@"
using MmLock; using K;
public class P {
    public static void ok(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); L.spin_unlock(mm.page_table_lock); }
    public static void wrong(mm_struct a) { {|#0:helper(a)|}; }
    static void helper(mm_struct mm) { var copy = mm; {|#1:W.set_pmd(copy)|}; }
}
static class W { [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { } }",
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'helper' requires holding 'a.page_table_lock' exclusively (via set_pmd)"));

        [Fact]
        public Task RequirementOnThisAndOnAStatic() => Verify(@"
using MmLock; using K;
public class P {
    readonly spinlock_t lock_ = new spinlock_t();
    [Requires(""lock_"")] void need() { }
    public void ok() { L.spin_lock(lock_); helper(); L.spin_unlock(lock_); }
    public void wrong() { {|#0:helper()|}; }
    void helper() { {|#1:need()|}; }
    public static void wrong_static() { {|#2:statics()|}; }
    static void statics() { {|#3:need_rcu()|}; }
    [RequiresShared(""K.G.RCU"")] static void need_rcu() { }
}", Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'helper' requires holding 'lock_' exclusively (via need)"),
    Diag("MM1001").WithLocation(2).WithAdditionalLocation(3).WithMessage("Calling 'statics' requires holding 'G.RCU' (via need_rcu)"));

        /// <summary>
        /// A lockdep_assert_held of a context the helper did not take states what its callers hold, as the kernel's assertions
        /// do: a requirement over a parameter's path or a static (even one of another type), checked at the call.
        /// </summary>
        [Fact]
        public Task AnAssertionInAHelper_IsARequirementOfItsCallers() => Verify(@"
using MmLock; using K;
public class P {
    public static void ok(mm_struct mm) { L.spin_lock(mm.page_table_lock); inc(mm); L.spin_unlock(mm.page_table_lock); }
    public static void wrong(mm_struct mm) { {|#0:inc(mm)|}; }
    static void inc(mm_struct mm) { {|#1:L.lockdep_assert_held(mm.page_table_lock)|}; }
    public static void ok_static() { L.spin_lock(Q.lock_); stat(); L.spin_unlock(Q.lock_); }
    public static void wrong_static() { {|#2:stat()|}; }
    static void stat() { {|#3:L.lockdep_assert_held(Q.lock_)|}; }
}
public static class Q { public static readonly spinlock_t lock_ = new spinlock_t(); }",
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'inc' requires holding 'mm.page_table_lock' exclusively (via lockdep_assert_held)"),
            Diag("MM1001").WithLocation(2).WithAdditionalLocation(3).WithMessage("Calling 'stat' requires holding 'Q.lock_' exclusively (via lockdep_assert_held)"));

        /// <summary>
        /// A guarded member read or written in a helper is the callers' requirement (MM1007 at the call, the access as
        /// additional location): shared for a read, exclusive for a write, over the instance the caller passes.
        /// </summary>
        [Fact]
        public Task AGuardedAccessInAHelper_IsMM1007AtTheCall() => Verify(@"
using MmLock; using K;
public class Q { public readonly rw_semaphore sem = new rw_semaphore(); [GuardedBy(""sem"")] public int count; }
public class P {
    public static void ok(Q q) { L.down_read(q.sem); get(q); L.up_read(q.sem); L.down_write(q.sem); set(q); L.up_write(q.sem); }
    public static void unlocked(Q q) { {|#0:get(q)|}; }
    public static void shared(Q q) { L.down_read(q.sem); {|#2:set(q)|}; L.up_read(q.sem); }
    public static void others(Q[] qs) { {|#4:get(new Q())|}; {|#5:get(qs[0])|}; }
    static int get(Q q) => {|#1:q.count|};
    static void set(Q q) { {|#3:q.count|} = 1; }
}",
            Diag("MM1007").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'get' reads 'count', which requires holding 'q.sem'"),
            Diag("MM1007").WithLocation(2).WithAdditionalLocation(3).WithMessage("Calling 'set' writes 'count', which requires holding 'q.sem' exclusively"),
            Diag("MM1007").WithLocation(4).WithAdditionalLocation(1).WithMessage("Calling 'get' reads 'count', which requires holding 'new Q().sem'"),
            Diag("MM1007").WithLocation(5).WithAdditionalLocation(1).WithMessage("Calling 'get' reads 'count', which requires holding 'qs[0].sem'"));

        /// <summary>
        /// A helper calling an [Excludes] member pushes the exclusion to its callers (MM1006 at the call, the inner call as additional
        /// location, the chain in the message); one that takes a non-reentrant context itself makes a caller holding it MM1003.
        /// </summary>
        [Fact]
        public Task WhatAHelperExcludesOrTakes_MustNotBeHeldByItsCallers() => Verify(@"
using MmLock; using K;
public class P {
    public static void add() { {|#1:L.get_online_mems()|}; {|#0:add_memory()|}; L.put_online_mems(); }
    public static void fine(spinlock_t l) { add_memory(); locked(l); L.spin_lock(l); L.spin_unlock(l); }
    static void add_memory() { add_memory_resource(); }
    static void add_memory_resource() { {|#2:L.mem_hotplug_begin()|}; L.mem_hotplug_done(); }
    public static void twice(spinlock_t l) { {|#4:L.spin_lock(l)|}; {|#3:locked(l)|}; L.spin_unlock(l); }
    public static void other(spinlock_t a, spinlock_t b) { L.spin_lock(a); locked(b); L.spin_unlock(a); }
    static void locked(spinlock_t l) { {|#5:L.spin_lock(l)|}; L.spin_unlock(l); }
}",
            Diag("MM1006").WithLocation(0).WithAdditionalLocation(1).WithAdditionalLocation(2)
                .WithMessage("Calling 'add_memory' while holding 'G.mem_hotplug_lock' (acquired at line 4), which it excludes (via add_memory_resource -> mem_hotplug_begin)"),
            Diag("MM1003").WithLocation(3).WithAdditionalLocation(4).WithAdditionalLocation(5)
                .WithMessage("Calling 'locked' acquires 'l' (via spin_lock), which is already held (acquired at line 8)"));

        /// <summary>
        /// What the helper itself holds when it calls the excluding member is reported inside (MM1006 there); a reentrant context it
        /// takes (RCU) excludes nothing; a lock of its own local is nothing its callers can name.
        /// </summary>
        [Fact]
        public Task AnExclusionTheHelperBreaksOrCannotName_StaysInside() => Verify(@"
using MmLock; using K;
public static class Q { [Excludes(""l"")] public static void flush(spinlock_t l) { } }
public class P {
    public static void caller(spinlock_t l) { inside(l); }
    public static void under_rcu(spinlock_t l) { L.rcu_read_lock(); L.spin_lock(l); rcu(); local(); L.spin_unlock(l); L.rcu_read_unlock(); }
    static void inside(spinlock_t l) { {|#1:L.spin_lock(l)|}; {|#0:Q.flush(l)|}; L.spin_unlock(l); }
    static void rcu() { L.rcu_read_lock(); L.rcu_read_unlock(); }
    static void local() { var l = new spinlock_t(); L.spin_lock(l); L.spin_unlock(l); }
}",
            Diag("MM1006").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'flush' while holding 'l', which it excludes (acquired at line 7)"));

        /// <summary>An assertion after the helper's own acquire, or of a local's lock, is the helper's business: nothing for its callers.</summary>
        [Fact]
        public Task AnAssertionOfWhatTheHelperTookOrCreated_RequiresNothing() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { own(mm); local(); }
    static void own(mm_struct mm) { L.spin_lock(mm.page_table_lock); L.lockdep_assert_held(mm.page_table_lock); L.spin_unlock(mm.page_table_lock); }
    static void local() { var l = new spinlock_t(); L.lockdep_assert_held(l); }
}");

        [Fact]
        public Task MightSleep_ThreeDeep_IsMM3001AtTheAtomicCaller() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(spinlock_t l) { {|#1:L.spin_lock(l)|}; {|#0:a()|}; L.spin_unlock(l); }
    public static void fine() { a(); }
    static void a() { b(); }
    static void b() { c(); }
    static void c() { {|#2:L.synchronize_rcu()|}; }
}", Diag("MM3001").WithLocation(0).WithAdditionalLocation(1).WithAdditionalLocation(2)
            .WithMessage("Calling 'a' (via b -> c -> synchronize_rcu) might sleep while 'l' is held (acquired at line 4)"));

        /// <summary>
        /// With <c>mmlock_inference_local_functions = true</c> a local function is a helper of its member: its requirements over its own parameters, over 'this'
        /// and over a parameter of the member it captures are checked where the member calls it.
        /// </summary>
        [Fact]
        public Task ALocalFunction_IsAHelperOfItsMember() => Configured(@"
using MmLock; using K;
public class P {
    readonly spinlock_t lock_ = new spinlock_t();
    [Requires(""lock_"")] void need() { }
    public static void ok(mm_struct mm) { L.spin_lock(mm.page_table_lock); set(mm); L.spin_unlock(mm.page_table_lock);
        static void set(mm_struct m) { W.set_pmd(m); } }
    public static void wrong(mm_struct mm) { {|#0:set(mm)|};
        static void set(mm_struct m) { {|#1:W.set_pmd(m)|}; } }
    public void on_this() { {|#2:helper()|}; L.spin_lock(lock_); helper(); L.spin_unlock(lock_);
        void helper() { {|#3:need()|}; } }
    public static void captured(mm_struct mm) { {|#4:inner()|}; L.spin_lock(mm.page_table_lock); inner(); L.spin_unlock(mm.page_table_lock);
        void inner() { {|#5:W.set_pmd(mm)|}; } }
}
static class W { [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { } }", LocalFunctionsOn,
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'set' requires holding 'mm.page_table_lock' exclusively (via set_pmd)"),
            Diag("MM1001").WithLocation(2).WithAdditionalLocation(3).WithMessage("Calling 'helper' requires holding 'lock_' exclusively (via need)"),
            Diag("MM1001").WithLocation(4).WithAdditionalLocation(5).WithMessage("Calling 'inner' requires holding 'mm.page_table_lock' exclusively (via set_pmd)"));

        /// <summary>
        /// A captured parameter's requirement is named by the parameter at every call, and goes on through a local function that calls
        /// the helper; where a lambda's own parameter of that name hides it, holding that other variable's lock does not meet it.
        /// A local variable it captures is not a parameter: that requirement stays inside.
        /// </summary>
        [Fact]
        public Task ACapturedParameter_ThroughNestedFunctions_AndHidden() => Configured(@"
using MmLock; using K;
public class P {
    public static void nested(mm_struct mm) { {|#0:outer()|};
        void outer() { inner(); }
        void inner() { {|#1:W.set_pmd(mm)|}; } }
    public static void hidden(mm_struct mm) { System.Action<mm_struct> f = mm => { L.spin_lock(mm.page_table_lock); {|#3:inner()|}; L.spin_unlock(mm.page_table_lock); }; f(mm);
        void inner() { {|#4:W.set_pmd(mm)|}; } }
    public static void local(mm_struct a) { var m = new mm_struct(); inner();
        void inner() { {|#2:W.set_pmd(m)|}; } }
}
static class W { [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { } }", LocalFunctionsOn,
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'outer' requires holding 'mm.page_table_lock' exclusively (via inner -> set_pmd)"),
            Diag("MM1001").WithLocation(3).WithAdditionalLocation(4).WithMessage("Calling 'inner' requires holding 'mm.page_table_lock' exclusively (via set_pmd)"),
            Diag("MM1001").WithLocation(2).WithMessage("Calling 'set_pmd' requires holding 'm.page_table_lock' exclusively"));

        /// <summary>By default a local function starts with nothing held and reports inside, as the contract (§2) says.</summary>
        [Fact]
        public Task LocalFunctions_ReportInsideByDefault() => Verify(@"
using MmLock; using K;
public class P {
    public static void ok(mm_struct mm) { L.spin_lock(mm.page_table_lock); set(mm); L.spin_unlock(mm.page_table_lock);
        static void set(mm_struct m) { {|MM1001:W.set_pmd(m)|}; } }
}
static class W { [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { } }",
            Diag("MM1001").WithMessage("Calling 'set_pmd' requires holding 'm.page_table_lock' exclusively"));

        /// <summary>
        /// Local functions chain (one calling another, a nested one, recursion) and carry might-sleep; one converted to a delegate,
        /// or inside a lambda, reports inside as before.
        /// </summary>
        [Fact]
        public Task LocalFunctions_Chain_Nest_Recurse_AndSleep() => Configured(@"
using MmLock; using K;
public class P {
    public static void chain(mm_struct mm) { {|#0:outer(mm, 3)|};
        static void outer(mm_struct a, int n) { if (n > 0) outer(a, n - 1); else inner(a);
            static void inner(mm_struct b) { {|#1:W.set_pmd(b)|}; } } }
    public static void atomic(mm_struct mm) { L.spin_lock(mm.page_table_lock); {|#2:a()|}; L.spin_unlock(mm.page_table_lock);
        static void a() { b(); }
        static void b() { {|#3:L.synchronize_rcu()|}; } }
    public static System.Action<mm_struct> stored() { return f;
        static void f(mm_struct m) { {|#4:W.set_pmd(m)|}; } }
    public static void in_lambda(mm_struct mm) { System.Action run = () => { g(mm);
        static void g(mm_struct m) { {|#5:W.set_pmd(m)|}; } }; run(); }
}
static class W { [Requires(""mm.page_table_lock"")] public static void set_pmd(mm_struct mm) { } }", LocalFunctionsOn,
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'outer' requires holding 'mm.page_table_lock' exclusively (via inner -> set_pmd)"),
            Diag("MM3001").WithLocation(2).WithAdditionalSpan("/0/Test0.cs", 7, 47, 7, 78).WithAdditionalLocation(3)
                .WithMessage("Calling 'a' (via b -> synchronize_rcu) might sleep while 'mm.page_table_lock' is held (acquired at line 7)"),
            Diag("MM1001").WithLocation(4).WithMessage("Calling 'set_pmd' requires holding 'm.page_table_lock' exclusively"),
            Diag("MM1001").WithLocation(5).WithMessage("Calling 'set_pmd' requires holding 'm.page_table_lock' exclusively"));

        [Fact]
        public Task AHelperNobodyCalls_OrConvertedToADelegate_ReportsInside() => Verify(@"
using MmLock; using K;
public class P {
    static void unused() { {|MM1001:need()|}; }
    static void converted() { {|MM1001:need()|}; }
    public static System.Action Get() => converted;
    static void recursive_only(int n) { {|MM1001:need()|}; if (n > 0) recursive_only(n - 1); }
    [Requires(""K.G.init_mm.page_table_lock"")] static void need() { }
}", Diag("MM1001").WithMessage("Calling 'need' requires holding 'G.init_mm.page_table_lock' exclusively"),
    Diag("MM1001").WithMessage("Calling 'need' requires holding 'G.init_mm.page_table_lock' exclusively"),
    Diag("MM1001").WithMessage("Calling 'need' requires holding 'G.init_mm.page_table_lock' exclusively"));

        [Fact]
        public Task ARequirementOnALocal_StaysInside() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller() { helper(); }
    static void helper() { var mm = new mm_struct(); {|MM1001:need(mm)|}; }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", Diag("MM1001").WithMessage("Calling 'need' requires holding 'mm.page_table_lock' exclusively"));

        [Fact]
        public Task ARequirementTheHelperReleasedBefore_StaysInside() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(spinlock_t l) { helper(l); }
    static void helper(spinlock_t l) { L.spin_lock(l); {|#1:L.spin_unlock(l)|}; {|#0:need(l)|}; }
    [Requires(""l"")] static void need(spinlock_t l) { }
}", Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'need' requires holding 'l' exclusively; 'l' was released at line 5"));

        [Fact]
        public Task AHelperReleasingWhatItWouldRequire_KeepsBothInside() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(spinlock_t l) { L.spin_lock(l); helper(l); }
    static void helper(spinlock_t l) { {|MM1001:need(l)|}; {|MM1002:L.spin_unlock(l)|}; }
    [Requires(""l"")] static void need(spinlock_t l) { }
}", Diag("MM1001").WithMessage("Calling 'need' requires holding 'l' exclusively"),
    Diag("MM1002").WithMessage("Releasing 'l', which is not held"),
    Diag("MM1004").WithSpan("/0/Test0.cs", 4, 74, 4, 75).WithMessage("'l' is still held at this exit of 'caller' (acquired at line 4)"));

        [Fact]
        public Task Recursion_ReachesTheFixedPoint() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(int n) { {|#0:even(n)|}; }
    static void even(int n) { if (n > 0) odd(n - 1); }
    static void odd(int n) { if (n > 0) even(n - 1); else {|#1:need()|}; }
    [Requires(""K.G.init_mm.page_table_lock"")] static void need() { }
}", Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'even' requires holding 'G.init_mm.page_table_lock' exclusively (via odd -> need)"));

        [Fact]
        public Task HelperInAnotherDocument_SameDiagnosticsPerDocument()
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            test.Sources.Add(("/0/Kernel.cs", Prelude));
            test.Sources.Add(("/0/Test0.cs", @"
using MmLock; using K;
public partial class P { public static void caller() { {|#0:helper()|}; } }"));
            test.Sources.Add(("/0/Test1.cs", @"
using MmLock; using K;
public partial class P {
    static void helper() { {|#1:need()|}; }
    [Requires(""K.G.init_mm.page_table_lock"")] static void need() { }
}"));
            test.ExpectedDiagnostics.Add(Diag("MM1001").WithLocation(0).WithAdditionalLocation(1)
                .WithMessage("Calling 'helper' requires holding 'G.init_mm.page_table_lock' exclusively (via need)"));
            return test.RunAsync();
        }

        [Fact]
        public Task InferenceOff_ReportsInsideAsBefore() => Configured(@"
using MmLock; using K;
public class P {
    public static void caller() { helper(); }
    static void helper() { {|MM1001:need()|}; }
    [Requires(""K.G.init_mm.page_table_lock"")] static void need() { }
}", "mmlock_inference = off", Diag("MM1001").WithMessage("Calling 'need' requires holding 'G.init_mm.page_table_lock' exclusively"));

        [Fact]
        public Task InternalHelpers_OnlyWithAssemblyScope() => Configured(@"
using MmLock; using K;
public class P { public static void caller() { {|#0:H.helper()|}; } }
internal static class H {
    internal static void helper() { {|#1:need()|}; }
    [Requires(""K.G.init_mm.page_table_lock"")] static void need() { }
}", "mmlock_inference = assembly", Diag("MM1001").WithLocation(0).WithAdditionalLocation(1)
            .WithMessage("Calling 'helper' requires holding 'G.init_mm.page_table_lock' exclusively (via need)"));

        [Fact]
        public Task InternalHelpers_ReportInsideByDefault() => Verify(@"
using MmLock; using K;
public class P { public static void caller() { H.helper(); } }
internal static class H {
    internal static void helper() { {|MM1001:need()|}; }
    [Requires(""K.G.init_mm.page_table_lock"")] static void need() { }
}", Diag("MM1001").WithMessage("Calling 'need' requires holding 'G.init_mm.page_table_lock' exclusively"));

        [Fact]
        public Task MM1012_MarksEachHelperWithAnInferredContract_WhenEnabled() => Configured(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); sleeper(); L.spin_unlock(mm.page_table_lock); }
    static void {|#0:helper|}(mm_struct mm) { need(mm); }
    static void {|#1:sleeper|}() { L.synchronize_rcu(); }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", MM1012Enabled,
            Diag("MM1012").WithLocation(0).WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Info)
                .WithMessage("'P.helper(mm_struct)' is analyzed at its callers: they must hold 'mm.page_table_lock' (inferred)"),
            Diag("MM1012").WithLocation(1).WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Info)
                .WithMessage("'P.sleeper()' is analyzed at its callers: they must not be in atomic context (inferred)"),
            Diag("MM3001").WithSpan("/0/Test0.cs", 4, 92, 4, 101).WithAdditionalSpan("/0/Test0.cs", 4, 47, 4, 78)
                .WithAdditionalSpan("/0/Test0.cs", 6, 29, 6, 48).WithMessage("Calling 'sleeper' (via synchronize_rcu) might sleep while 'mm.page_table_lock' is held (acquired at line 4)"));

        [Fact]
        public Task MM1012_MarksALocalFunctionWithASummary() => Configured(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); L.spin_unlock(mm.page_table_lock);
        static void {|#0:helper|}(mm_struct m) { nested(m);
            static void {|#1:nested|}(mm_struct n) { need(n); } } }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", MM1012Enabled + "\n" + LocalFunctionsOn,
            Diag("MM1012").WithLocation(0).WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Info)
                .WithMessage("'helper(mm_struct)' is analyzed at its callers: they must hold 'm.page_table_lock' (inferred)"),
            Diag("MM1012").WithLocation(1).WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Info)
                .WithMessage("'nested(mm_struct)' is analyzed at its callers: they must hold 'n.page_table_lock' (inferred)"));

        [Fact]
        public Task MM1012_IsSilent_ForDeclaredPublicStoredUncalledAndEmptyHelpers() => Configured(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); declared(mm); plain(); exposed(mm); L.spin_unlock(mm.page_table_lock); }
    [Requires(""mm.page_table_lock"")] static void declared(mm_struct mm) { need(mm); }
    static void plain() { }
    public static void exposed(mm_struct mm) { {|#0:need(mm)|}; }
    static void stored(mm_struct mm) { {|#1:need(mm)|}; }
    public static System.Action<mm_struct> get() => stored;
    static void orphan(mm_struct mm) { {|#2:need(mm)|}; }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", MM1012Enabled, new[] { 0, 1, 2 }.Select(marker => Diag("MM1001").WithLocation(marker)
            .WithMessage("Calling 'need' requires holding 'mm.page_table_lock' exclusively")).ToArray());

        [Fact]
        public Task AHelperRequiringAnAtomicContext_SleepsInside_NotAtItsCallers() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); L.spin_unlock(mm.page_table_lock); }
    static void helper(mm_struct mm) { need(mm); {|#0:L.synchronize_rcu()|}; }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", Diag("MM3001").WithLocation(0).WithNoAdditionalLocations()
            .WithMessage("Calling 'synchronize_rcu' might sleep while 'mm.page_table_lock' is held (held on entry)"));

        private const string MM1012Enabled = "dotnet_diagnostic.MM1012.severity = suggestion";
        private const string LocalFunctionsOn = "mmlock_inference_local_functions = true";

        /// <summary>The source next to the prelude, analyzed with one <c>.editorconfig</c> setting.</summary>
        private static Task Configured(string source, string setting, params DiagnosticResult[] expected)
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            test.Sources.Add(("/0/Kernel.cs", Prelude));
            test.Sources.Add(("/0/Test0.cs", source));
            test.AnalyzerConfigFiles.Add(("/0/.editorconfig", "root = true\n[*.cs]\n" + setting + "\n"));
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }
    }
}
