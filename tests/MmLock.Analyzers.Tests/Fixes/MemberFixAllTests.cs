using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// MemberFixAll ends by construction: it keeps an edit only if it leaves the member fewer diagnostics of the fixed IDs, or, when
    /// the member is not found after the edit, the document.
    /// </summary>
    public class MemberFixAllTests
    {
        /// <summary>An action that changes the code and fixes nothing (a comment at the end of the document).</summary>
        private sealed class CommentOnly : CodeFixProvider
        {
            public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1001");
            public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

            public override async Task RegisterCodeFixesAsync(CodeFixContext context)
            {
                // A syntax edit, as the real fixes make: the member keeps the annotation Fix All finds it by.
                var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
                var edited = context.Document.WithSyntaxRoot(root.WithTrailingTrivia(root.GetTrailingTrivia()
                    .Add(SyntaxFactory.Comment("// again")).Add(SyntaxFactory.EndOfLine("\n"))));
                context.RegisterCodeFix(CodeAction.Create("comment", _ => Task.FromResult(edited), "comment"), context.Diagnostics);
            }
        }

        private sealed class Diagnostics(ImmutableArray<Diagnostic> all) : FixAllContext.DiagnosticProvider
        {
            public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            {
                var tree = await document.GetSyntaxTreeAsync(cancellationToken);
                return all.Where(d => d.Location.SourceTree == tree);
            }

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult(all.Where(d => !d.Location.IsInSource));

            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(all);
        }

        /// <summary>
        /// An action that changes the code and fixes nothing, and drops the member Fix All marked: the member is parsed again from
        /// its text with a comment added (as an edit made on text rather than on the tree would).
        /// </summary>
        private sealed class ReparsedWithComment : CodeFixProvider
        {
            public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1001");
            public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

            public override async Task RegisterCodeFixesAsync(CodeFixContext context)
            {
                var root = (await context.Document.GetSyntaxRootAsync(context.CancellationToken))!;
                var member = root.FindNode(context.Span).AncestorsAndSelf().OfType<MethodDeclarationSyntax>().First();
                var reparsed = SyntaxFactory.ParseMemberDeclaration(member.ToFullString().TrimEnd() + " // again\n")!;
                var edited = context.Document.WithSyntaxRoot(root.ReplaceNode(member, reparsed));
                context.RegisterCodeFix(CodeAction.Create("reparse", _ => Task.FromResult(edited), "reparse"), context.Diagnostics);
            }
        }

        /// <summary>
        /// The text of the document of <paramref name="code"/> after one Fix All (document scope) of <paramref name="fix"/>'s
        /// <paramref name="key"/>, by <paramref name="provider"/> (default <see cref="MemberFixAll"/>).
        /// </summary>
        private static async Task<string> FixAllAsync(CodeFixProvider fix, string key, string code, FixAllProvider? provider = null)
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            var solution = test.CreateSolution(new[] { ("/0/Kernel.cs", Kernel.Prelude), ("/0/Test0.cs", code) });
            var found = await test.AnalyzeAsync(solution, ideChecks: false, "source");
            var document = solution.Projects.Single().Documents.Single(d => d.FilePath == "/0/Test0.cs");
            var context = new FixAllContext(document, fix, FixAllScope.Document, key, fix.FixableDiagnosticIds, new Diagnostics(found), CancellationToken.None);

            var action = await (provider ?? MemberFixAll.Instance).GetFixAsync(context);
            var operations = await action!.GetOperationsAsync(CancellationToken.None);
            return (await operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
        }

        private const string OneCall = @"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static void f(mm_struct mm)
    {
        var n = find(mm);
    }
}
";

        /// <summary>Before, the loop applied such an action 32 times (its cap); now the first edit is undone and the member is left.</summary>
        [Fact]
        public async Task AnEditThatLeavesTheMembersDiagnostics_IsUndone() =>
            Assert.Equal(OneCall, await FixAllAsync(new CommentOnly(), "comment", OneCall));

        /// <summary>
        /// The edit loses the member's mark, so the member's count after it cannot be taken: it is kept only if the document's count
        /// of the fixed IDs drops, and here it stays 1. Before, such an edit was kept unverified.
        /// </summary>
        [Fact]
        public async Task AnEditThatLosesTheMembersMark_IsUndoneWhenTheDocumentsCountStays() =>
            Assert.Equal(OneCall, await FixAllAsync(new ReparsedWithComment(), "reparse", OneCall));

        /// <summary>
        /// A real fix that loses the mark: the wrap makes the expression-bodied property a get accessor, and the arrow clause
        /// Fix All marked is gone. The document's count drops (1 to 0), so the wrap is kept.
        /// </summary>
        [Fact]
        public async Task AWrapThatMakesAPropertyAnAccessor_IsKeptBecauseTheDocumentsCountDrops() => Assert.Equal(@"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;
    readonly mm_struct mm = new mm_struct();

    int count
    {
        get
        {
            L.mmap_read_lock(mm);
            try
            {
                return find(mm);
            }
            finally
            {
                L.mmap_read_unlock(mm);
            }
        }
    }
}
", await FixAllAsync(new RequirementCodeFix(), "MM1001" + RequirementCodeFix.WrapSuffix, @"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;
    readonly mm_struct mm = new mm_struct();

    int count => find(mm);
}
"));

        private const string ThreeRequirements = @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }
    [RequiresShared(""s"")] static void read(rw_semaphore s) { }
    [Requires(""m"")] static void lock_held(mutex m) { }

    static void f(spinlock_t l, mm_struct mm, mutex m)
    {
        set(l);
        read(mm.mmap_lock);
        lock_held(m);
    }
}
";

        private const string MoveToCaller = "MM1001" + RequirementCodeFix.MoveSuffix;

        /// <summary>Three MM1001 in one method, each moved to the caller: every move adds its attribute to f, and one Fix All adds all three.</summary>
        [Fact]
        public async Task MovesToOneMember_AllLand() => Assert.Equal(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }
    [RequiresShared(""s"")] static void read(rw_semaphore s) { }
    [Requires(""m"")] static void lock_held(mutex m) { }

    [Requires(""l"")]
    [RequiresShared(""mm.mmap_lock"")]
    [Requires(""m"")]
    static void f(spinlock_t l, mm_struct mm, mutex m)
    {
        set(l);
        read(mm.mmap_lock);
        lock_held(m);
    }
}
", await FixAllAsync(new RequirementCodeFix(), MoveToCaller, ThreeRequirements));

        /// <summary>
        /// Why MemberFixAll exists: Roslyn's batch fixer computes the three moves on the unchanged document and merges their text
        /// changes; the three insertions before f overlap, so it keeps one and drops the others, leaving two MM1001.
        /// </summary>
        [Fact]
        public async Task MovesToOneMember_TheBatchFixerKeepsOne() => Assert.Equal(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }
    [RequiresShared(""s"")] static void read(rw_semaphore s) { }
    [Requires(""m"")] static void lock_held(mutex m) { }

    [Requires(""l"")]
    static void f(spinlock_t l, mm_struct mm, mutex m)
    {
        set(l);
        read(mm.mmap_lock);
        lock_held(m);
    }
}
", await FixAllAsync(new RequirementCodeFix(), MoveToCaller, ThreeRequirements, WellKnownFixAllProviders.BatchFixer));
    }
}
