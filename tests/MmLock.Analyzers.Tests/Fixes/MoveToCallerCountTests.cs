using System.Linq;
using System.Threading.Tasks;
using MmLock.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// The move to the caller is offered though it makes diagnostics at the callers (the problem moves there); its title counts
    /// them: the references in the solution that do not hold what the member now requires. The member is public: a private
    /// helper's callers already get its requirements by inference (docs/inference.md).
    /// </summary>
    public class MoveToCallerCountTests
    {
        private const string Move = "MM1001.MoveToCaller";

        private static async Task<string> MoveTitle(string source, (string, string)[]? more = null) =>
            (await FixVerifier.ActionsAsync<RequirementCodeFix>(source, "MM1001", more: more)).Single(a => a.Key == Move).Title;

        /// <summary>
        /// Callers before and after the member in its document (the edit shifts the later ones), one holding the lock; the
        /// others name a new object, so the move does not apply again at them.
        /// </summary>
        private const string ThreeCallers = @"
using MmLock; using K;
class C
{
    static void before()
    {
        var mm = new mm_struct();
        f(mm);
    }

    [Requires(""l"")] static void need(spinlock_t l) { }

    public static void f(mm_struct mm)
    {
        {|MM1001:need(mm.page_table_lock)|};
    }

    static void after()
    {
        var mm = new mm_struct();
        f(mm);
    }

    static void holding(mm_struct mm)
    {
        L.spin_lock(mm.page_table_lock);
        f(mm);
        L.spin_unlock(mm.page_table_lock);
    }
}";

        [Fact]
        public async Task TitleCountsTheCallersThatDoNotHoldIt() =>
            Assert.Equal("Add [Requires(\"mm.page_table_lock\")] to 'f' (2 callers will need 'mm.page_table_lock')", await MoveTitle(ThreeCallers));

        [Fact]
        public Task TheCallersGetTheDiagnostics() => FixVerifier.Verify<RequirementCodeFix>(ThreeCallers, @"
using MmLock; using K;
class C
{
    static void before()
    {
        var mm = new mm_struct();
        {|MM1001:f(mm)|};
    }

    [Requires(""l"")] static void need(spinlock_t l) { }

    [Requires(""mm.page_table_lock"")]
    public static void f(mm_struct mm)
    {
        need(mm.page_table_lock);
    }

    static void after()
    {
        var mm = new mm_struct();
        {|MM1001:f(mm)|};
    }

    static void holding(mm_struct mm)
    {
        L.spin_lock(mm.page_table_lock);
        f(mm);
        L.spin_unlock(mm.page_table_lock);
    }
}", Move, iterations: 1);

        [Fact]
        public async Task OneCaller() => Assert.Equal("Add [Requires(\"l\")] to 'f' (1 caller will need 'l')", await MoveTitle(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    public static void f(spinlock_t l)
    {
        {|MM1001:need(l)|};
    }

    static void g(spinlock_t l) => f(l);
}"));

        [Fact]
        public async Task EveryCallerHoldsIt() => Assert.Equal("Add [Requires(\"l\")] to 'f' (every caller holds 'l')", await MoveTitle(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    public static void f(spinlock_t l)
    {
        {|MM1001:need(l)|};
    }

    static void g(spinlock_t l)
    {
        L.spin_lock(l);
        f(l);
        f(l);
        L.spin_unlock(l);
    }
}"));

        [Fact]
        public async Task NoCallers() => Assert.Equal("Add [Requires(\"l\")] to 'f' (no callers in the solution)", await MoveTitle(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    public static void f(spinlock_t l)
    {
        {|MM1001:need(l)|};
    }
}"));

        /// <summary>A local function's callers are in the member the fix checks: they must already hold it.</summary>
        [Fact]
        public async Task LocalFunctionCalledUnderTheLock() => Assert.Equal("Add [Requires(\"x\")] to 'inner' (every caller holds 'x')", await MoveTitle(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    public static void f(spinlock_t l)
    {
        L.spin_lock(l);
        inner(l);
        L.spin_unlock(l);

        void inner(spinlock_t x)
        {
            {|MM1001:need(x)|};
        }
    }
}"));

        private const string PartialF = @"
using MmLock; using K;
partial class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    public static void f(spinlock_t l)
    {
        {|MM1001:need(l)|};
    }
}";

        private const string OtherDocument = @"
partial class C
{
    static void g() => f(new K.spinlock_t());
    static void h() => f(new K.spinlock_t());
}";

        [Fact]
        public async Task CountsCallersInAnotherDocument() => Assert.Equal("Add [Requires(\"l\")] to 'f' (2 callers will need 'l')",
            await MoveTitle(PartialF, new[] { ("/0/Test1.cs", OtherDocument) }));

        /// <summary>Callers in another document of the solution get the diagnostics (on new objects: the move does not apply again there).</summary>
        [Fact]
        public Task CallersInAnotherDocumentGetTheDiagnostics()
        {
            var test = FixVerifier.Create<RequirementCodeFix>(Kernel.Prelude, PartialF, @"
using MmLock; using K;
partial class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    [Requires(""l"")]
    public static void f(spinlock_t l)
    {
        need(l);
    }
}", Move, iterations: 1);
            test.Sources.Add(("/0/Test1.cs", OtherDocument));
            test.FixedSources.Add(("/0/Test1.cs", @"
partial class C
{
    static void g() => {|MM1001:f(new K.spinlock_t())|};
    static void h() => {|MM1001:f(new K.spinlock_t())|};
}"));
            return test.RunAsync();
        }
    }
}
