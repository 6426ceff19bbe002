using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using MmLock.Analyzers;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MemberFixAll ends by construction: it keeps an edit only if it leaves the member fewer diagnostics of the fixed IDs.</summary>
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

        /// <summary>Before, the loop applied such an action 32 times (its cap); now the first edit is undone and the member is left.</summary>
        [Fact]
        public async Task AnEditThatLeavesTheMembersDiagnostics_IsUndone()
        {
            const string code = @"
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
            var test = new AnalyzerTest<MmLockAnalyzer>();
            var solution = test.CreateSolution(new[] { ("/0/Kernel.cs", Kernel.Prelude), ("/0/Test0.cs", code) });
            var found = await test.AnalyzeAsync(solution, ideChecks: false, "source");
            var diagnostic = Assert.Single(found, d => d.Id == "MM1001");
            var document = solution.GetDocument(diagnostic.Location.SourceTree)!;
            var fix = new CommentOnly();
            var context = new FixAllContext(document, fix, FixAllScope.Document, "comment", fix.FixableDiagnosticIds, new Diagnostics(found), CancellationToken.None);

            var action = await MemberFixAll.Instance.GetFixAsync(context);
            var operations = await action!.GetOperationsAsync(CancellationToken.None);
            var result = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;

            Assert.Equal(code, (await result.GetTextAsync()).ToString());
        }
    }
}
