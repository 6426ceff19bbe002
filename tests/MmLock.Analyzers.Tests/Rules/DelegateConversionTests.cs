using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using MmLock.Analyzers.Tests.Verification;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>MM1011 (contract §3.1): a contract lost where a method group or an annotated lambda becomes a delegate.</summary>
    public class DelegateConversionTests
    {
        private const string Delegates = @"
using System; using MmLock; using K;
[Requires(""l"")] delegate void locked_fn(spinlock_t l);
delegate void plain_fn(spinlock_t l);
static class W {
    [Requires(""l"")] public static void under_lock(spinlock_t l) { }
    [RequiresShared(""l"")] public static void under_shared(spinlock_t l) { }
    public static void anywhere(spinlock_t l) { }
    public static void each(spinlock_t l, plain_fn fn) { }
}
";

        [Fact]
        public Task MethodGroup_ToADelegateWithoutTheRequirement_IsMM1011() => Verify(Delegates + @"
class C {
    static void M(spinlock_t x) {
        plain_fn f = {|#0:W.under_lock|};
        W.each(x, {|#1:W.under_lock|});
        Action<spinlock_t> a = {|#2:W.under_lock|};
        locked_fn g = {|#3:W.under_shared|};
    }
}", Diag("MM1011").WithLocation(0).WithMessage("'under_lock' is converted to 'plain_fn', whose Invoke does not state the same requirements and roles: calls through it are not checked"),
    Diag("MM1011").WithLocation(1).WithMessage("'under_lock' is converted to 'plain_fn', whose Invoke does not state the same requirements and roles: calls through it are not checked"),
    Diag("MM1011").WithLocation(2).WithMessage("'under_lock' is converted to 'Action', whose Invoke does not state the same requirements and roles: calls through it are not checked"),
    Diag("MM1011").WithLocation(3).WithMessage("'under_shared' is converted to 'locked_fn', whose Invoke does not state the same requirements and roles: calls through it are not checked"));

        [Fact]
        public Task SameContract_OrNothingRequired_IsNotMM1011() => Verify(Delegates + @"
class C {
    static void M(spinlock_t x) {
        locked_fn f = W.under_lock;
        plain_fn g = W.anywhere;
        locked_fn h = W.anywhere;
        plain_fn lambda = l => W.anywhere(l);
        locked_fn checkedLambda = l => W.under_lock(l);
    }
}");

        [Fact]
        public Task AnnotatedLambda_ToADelegateWithoutTheRequirement_IsMM1011() => Verify(Delegates + @"
class C {
    static void M() {
        plain_fn f = {|#0:[Requires(""l"")] (spinlock_t l) => W.under_lock(l)|};
        locked_fn g = [Requires(""l"")] (spinlock_t l) => W.under_lock(l);
    }
}", Diag("MM1011").WithLocation(0).WithMessage("'lambda' is converted to 'plain_fn', whose Invoke does not state the same requirements and roles: calls through it are not checked"));

        [Fact]
        public Task RoleDiffers_IsMM1011() => Verify(Delegates + @"
class C {
    [Requires(""l""), Excludes(""K.G.mem_hotplug_lock"")] static void excluding(spinlock_t l) { }
    static void M() {
        locked_fn f = {|#0:excluding|};
    }
}", Diag("MM1011").WithLocation(0).WithMessage("'excluding' is converted to 'locked_fn', whose Invoke does not state the same requirements and roles: calls through it are not checked"));

        /// <summary>What the code fix (adding the attributes to the delegate type) reads from the diagnostic.</summary>
        [Fact]
        public async Task Properties_NameTheDelegateTheMemberAndWhetherTheDelegateIsInSource()
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            test.Sources.Add(("/0/Kernel.cs", Prelude));
            var code = Delegates + @"
class C {
    static void M() {
        plain_fn f = W.under_lock;
        Action<spinlock_t> a = W.under_lock;
        plain_fn g = [Requires(""l"")] (spinlock_t l) => { };
    }
}";
            var solution = test.CreateSolution(new[] { ("/0/Kernel.cs", Prelude), ("/0/Test0.cs", code) });
            var diagnostics = (await test.AnalyzeAsync(solution, ideChecks: false, "source")).OrderBy(d => d.Location.SourceSpan.Start).ToList();
            Assert.Equal(3, diagnostics.Count);
            Assert.Equal("T:plain_fn", diagnostics[0].Properties["Delegate"]);
            Assert.Equal("true", diagnostics[0].Properties["DelegateInSource"]);
            Assert.Equal("M:W.under_lock(K.spinlock_t)", diagnostics[0].Properties["Member"]);
            Assert.Equal("T:System.Action`1", diagnostics[1].Properties["Delegate"]);
            Assert.Equal("false", diagnostics[1].Properties["DelegateInSource"]);
            var lambda = code.IndexOf("[Requires(\"l\")] (spinlock_t l) => { }", System.StringComparison.Ordinal);
            Assert.Equal(lambda + ":" + "[Requires(\"l\")] (spinlock_t l) => { }".Length, diagnostics[2].Properties["Member"]);
        }
    }
}
