using System.Threading.Tasks;
using MmLock.Analyzers.Tests.Verification;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>MM9001–MM9004, mmlock.contracts.txt, and silence on unannotated code (contract.md §3, §4).</summary>
    public class AnnotationRulesTests
    {
        private const string Spaces = @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
";

        // ---- MM9001 ----------------------------------------------------------------------------------

        [Fact]
        public Task MM9001_Unresolvable() => Verify(@"
using MmLock; using K;
class C { [{|MM9001:Requires(""nosuch"")|}] static void f(spinlock_t l) { } }",
            Diag("MM9001").WithMessage("Invalid context expression 'nosuch': 'nosuch' is not a parameter, a member of 'C' or a type"));

        [Fact]
        public Task MM9001_MemberOfNonContextType() => Verify(@"
using MmLock; using K;
class C { [{|MM9001:Requires(""mm"")|}] static void f(mm_struct mm) { } }",
            Diag("MM9001").WithMessage("Invalid context expression 'mm': 'mm' has type 'K.mm_struct', which is not a [Context] type"));

        [Fact]
        public Task MM9001_ExistentialInAcquires() => Verify(@"
using MmLock; using K;
class C { [{|MM9001:Acquires(""any K.spinlock_t"")|}, NoLockAnalysis(""test"")] static void f() { } }",
            Diag("MM9001").WithMessage("Invalid context expression 'K.spinlock_t': 'any T' is allowed only in requirements"));

        [Fact]
        public Task MM9001_ExistentialInRequires_IsFine() => Verify(@"
using MmLock; using K;
class C { [Requires(""any K.spinlock_t"")] static void f() { } }");

        [Fact]
        public Task MM9001_RoleNamesUndeclaredSpace() => Verify(Spaces + @"
class C { [{|MM9001:PageTableWalker(""nospace"")|}] static void f() { } }",
            Diag("MM9001").WithMessage("Invalid context expression 'nospace': no [PageTableSpace(\"nospace\")] is declared"));

        [Fact]
        public Task MM9001_RoleNamesUndeclaredFreeing() => Verify(Spaces + @"
class C { [{|MM9001:TableFreer(""kernel"", ""nofreeing"")|}] static void f() { } }",
            Diag("MM9001").WithMessage("Invalid context expression 'nofreeing': 'kernel' declares no freeing named 'nofreeing'"));

        [Fact]
        public Task MM9001_FreeingOfUndeclaredSpace() => Verify(@"
using MmLock; using K;
[assembly: {|MM9001:TableFreeing(""nospace"", ""hot-remove"", ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })|}]
class C { }",
            Diag("MM9001").WithMessage("Invalid context expression 'nospace': no [PageTableSpace] of that name is declared"));

        // ---- MM9002 ----------------------------------------------------------------------------------

        [Fact]
        public Task MM9002_MalformedWhen() => Verify(@"
using MmLock; using K;
class C { [{|MM9002:Requires(""l"", When = ""CONFIG_A &&"")|}] static void f(spinlock_t l) { } }",
            Diag("MM9002").WithMessage("Malformed condition 'CONFIG_A &&': expected a symbol at the end"));

        [Fact]
        public Task MM9002_MalformedAlternativeCondition() => Verify(@"
using MmLock; using K;
class C { [{|MM9002:RequiresAny(""l when CONFIG_A ||| CONFIG_B"", ""K.G.RCU"")|}] static void f(spinlock_t l) { } }",
            Diag("MM9002").WithMessage("Malformed condition 'CONFIG_A ||| CONFIG_B': expected a symbol at '| CONFIG_B'"));

        [Fact]
        public Task MM9002_MalformedAlternativeCondition_InExcludedBy() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: {|MM9002:TableFreeing(""kernel"", ""hot-remove"", ExcludedBy = new[] { ""K.G.mem_hotplug_lock when (CONFIG_A"" })|}]
class C { }",
            Diag("MM9002").WithMessage("Malformed condition '(CONFIG_A': missing ')'"));

        // ---- MM9003 / MM9004 ---------------------------------------------------------------------------

        [Fact]
        public Task MM9003_AcquiresAndReleasesSameContext() => Verify(@"
using MmLock; using K;
class C { [Acquires(""l""), {|MM9003:Releases(""l"")|}, NoLockAnalysis(""test"")] static void f(spinlock_t l) { } }",
            Diag("MM9003").WithMessage("Contradictory annotations on 'f': it both acquires and releases 'l'"));

        [Fact]
        public Task MM9003_ContextStructByValue() => Verify(@"
using MmLock; using K;
[Context] struct raw_lock { }
class C
{
    [{|MM9003:Acquires(""l"")|}, NoLockAnalysis(""test"")] static void f(raw_lock l) { }
    [Acquires(""l""), NoLockAnalysis(""test"")] static void g(ref raw_lock l) { }
}",
            Diag("MM9003").WithMessage("Contradictory annotations on 'f': 'l' is a [Context] struct passed by value, so the member gets a copy"));

        [Fact]
        public Task MM9004_EmptyJustification() => Verify(@"
using MmLock; using K;
class C
{
    [{|MM9004:NoLockAnalysis("""")|}] static void f() { }
    [{|MM9004:NoLockAnalysis(""  "")|}] static void g() { }
    [NoLockAnalysis(""primitive"")] static void h() { }
}",
            Diag("MM9004").WithMessage("[NoLockAnalysis] on 'f' needs a justification").WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning),
            Diag("MM9004").WithMessage("[NoLockAnalysis] on 'g' needs a justification"));

        // ---- mmlock.contracts.txt ----------------------------------------------------------------------

        private const string Legacy = @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
namespace Legacy
{
    public static class Walkers { public static void dump_tables(ulong start) { } }
    class C
    {
        static void M()
        {
            {|#0:Walkers.dump_tables(0)|};
            L.get_online_mems();
            Walkers.dump_tables(0);
            L.put_online_mems();
        }
    }
}";

        private static AnalyzerTest<MmLockAnalyzer> ContractsTest(string source, string contracts)
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            test.Sources.Add(("/0/Kernel.cs", Prelude));
            test.Sources.Add(("/0/Test0.cs", source));
            test.AdditionalFiles.Add(("mmlock.contracts.txt", contracts));
            return test;
        }

        [Fact]
        public Task ContractsFile_WalkerRoleOnUnannotatedMethod()
        {
            var test = ContractsTest(Legacy, "# legacy code\nM:Legacy.Walkers.dump_tables(System.UInt64) [PageTableWalker(\"kernel\")]\n");
            test.ExpectedDiagnostics.Add(Diag("MM2001").WithLocation(0)
                .WithMessage("Calling 'dump_tables' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));
            return test.RunAsync();
        }

        [Fact]
        public Task ContractsFile_AllOverloads()
        {
            var test = ContractsTest(Legacy, "M:Legacy.Walkers.dump_tables(*) [PageTableWalker(\"kernel\")]\n");
            test.ExpectedDiagnostics.Add(Diag("MM2001").WithLocation(0)
                .WithMessage("Calling 'dump_tables' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));
            return test.RunAsync();
        }

        [Fact]
        public Task ContractsFile_MalformedLine_MM9001InAdditionalFile()
        {
            var test = ContractsTest(Legacy.Replace("{|#0:", "").Replace("(0)|}", "(0)"),
                "M:Legacy.Walkers.dump_tables(System.UInt64) PageTableWalker(\"kernel\")\n");
            test.ExpectedDiagnostics.Add(Diag("MM9001").WithSpan("/0/mmlock.contracts.txt", 1, 1, 1, 70)
                .WithMessage("Invalid context expression 'M:Legacy.Walkers.dump_tables(System.UInt64) PageTableWalker(\"kernel\")': expected a documentation-comment ID followed by [attributes]"));
            return test.RunAsync();
        }

        [Fact]
        public Task ContractsFile_AssemblyLinesDeclareSpaceAndFreeing()
        {
            var test = ContractsTest(@"
using MmLock; using K;
namespace Legacy
{
    public static class Walkers { public static void dump_tables(ulong start) { } }
    class C { static void M() { {|#0:Walkers.dump_tables(0)|}; } }
}", "assembly: [PageTableSpace(\"kernel\")]\n" +
    "assembly: [TableFreeing(\"kernel\", \"hot-remove\", ExcludedBy = new[] { \"K.G.mem_hotplug_lock\" })]\n" +
    "M:Legacy.Walkers.dump_tables(System.UInt64) [PageTableWalker(\"kernel\")]\n");
            test.ExpectedDiagnostics.Add(Diag("MM2001").WithLocation(0)
                .WithMessage("Calling 'dump_tables' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));
            return test.RunAsync();
        }

        [Fact]
        public Task ContractsFile_UnknownMember_MM9001()
        {
            var test = ContractsTest(Legacy.Replace("{|#0:", "").Replace("(0)|}", "(0)"),
                "M:Legacy.Walkers.no_such(System.UInt64) [PageTableWalker(\"kernel\")]\n");
            test.ExpectedDiagnostics.Add(Diag("MM9001").WithSpan("/0/mmlock.contracts.txt", 1, 1, 1, 68)
                .WithMessage("Invalid context expression 'M:Legacy.Walkers.no_such(System.UInt64)': no such member in the compilation or its references"));
            return test.RunAsync();
        }

        [Fact]
        public Task ContractsFile_MalformedWhen_MM9002()
        {
            var test = ContractsTest(Legacy.Replace("{|#0:", "").Replace("(0)|}", "(0)"),
                "M:Legacy.Walkers.dump_tables(System.UInt64) [PageTableWalker(\"kernel\", When = \"CONFIG_A &&\")]\n");
            test.ExpectedDiagnostics.Add(Diag("MM9002").WithSpan("/0/mmlock.contracts.txt", 1, 1, 1, 94)
                .WithMessage("Malformed condition 'CONFIG_A &&': expected a symbol at the end"));
            // A malformed When is kept (the attribute is treated as active): the unguarded call still reports.
            test.ExpectedDiagnostics.Add(Diag("MM2001").WithSpan("/0/Test0.cs", 12, 13, 12, 35));
            return test.RunAsync();
        }

        [Fact]
        public Task MM9001_ExistentialOfNonContextType() => Verify(@"
using MmLock; using K;
class C { [{|MM9001:Requires(""any K.mm_struct"")|}] static void f() { } }",
            Diag("MM9001").WithMessage("Invalid context expression 'K.mm_struct': 'K.mm_struct' is not a [Context] type"));

        [Fact]
        public Task MM9001_UnresolvableExistentialInExcludedBy() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: {|MM9001:TableFreeing(""kernel"", ""hot-remove"", ExcludedBy = new[] { ""any K.no_such_t"" })|}]
class C { }",
            Diag("MM9001").WithMessage("Invalid context expression 'K.no_such_t': 'K.no_such_t' does not resolve to a type"));

        [Fact]
        public Task ContractsFile_ConflictWithSource_MM9003()
        {
            var test = ContractsTest(@"
using MmLock; using K;
namespace Legacy { public static class P { [Acquires(""l""), NoLockAnalysis(""primitive"")] public static void lock_it(spinlock_t l) { } } }",
                "M:Legacy.P.lock_it(K.spinlock_t) [Releases(\"l\")]\n");
            test.ExpectedDiagnostics.Add(Diag("MM9003").WithSpan("/0/mmlock.contracts.txt", 1, 1, 1, 49)
                .WithMessage("Contradictory annotations on 'lock_it': it both acquires and releases 'l'"));
            return test.RunAsync();
        }

        // ---- silence ---------------------------------------------------------------------------------

        [Fact]
        public Task Silence_NoAnnotationsReferenced_NoContractsFile() => new AnalyzerTest<MmLockAnalyzer>
        {
            Annotations = AnnotationsReference.None,
            Sources = { @"
class C
{
    readonly object gate = new object();
    int n;
    void M() { lock (gate) { n++; } System.Threading.Monitor.Enter(gate); }
}" },
        }.RunAsync();

        [Fact]
        public Task Silence_AnnotationsReferencedButUnused() => new AnalyzerTest<MmLockAnalyzer>
        {
            Sources = { @"
class C
{
    readonly object gate = new object();
    int n;
    void M() { lock (gate) { n++; } System.Threading.Monitor.Enter(gate); }
}" },
        }.RunAsync();
    }
}
