using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>MM1002: removes a release of a context that is certainly not held.</summary>
    [ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(RemoveUnmatchedReleaseCodeFix)), Shared]
    public sealed class RemoveUnmatchedReleaseCodeFix : CodeFixProvider
    {
        public const string EquivalenceKey = "MM1002.RemoveRelease";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1002");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => FixDocument.Guarded(() => RegisterAsync(context));

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1002");
            if (diagnostic == null || !diagnostic.Location.IsInSource) return;
            // A release in the wrong mode still releases something held: removing it would leave that held.
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Kind, out var kind) || kind != DiagnosticProperties.NotHeld) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            var invocation = fix?.InvocationAt(diagnostic.Location.SourceSpan, context.CancellationToken);
            if (fix == null || invocation == null) return;
            var contract = fix.ContractOf(invocation.TargetMethod);
            if (contract.Releases.Length != 1 || !contract.Acquires.IsEmpty || !contract.TryAcquires.IsEmpty || !contract.Downgrades.IsEmpty) return;
            if (invocation.Syntax.Parent is not ExpressionStatementSyntax statement || statement.Parent is not (BlockSyntax or SwitchSectionSyntax)) return;

            var name = invocation.Syntax.ToString();
            context.RegisterCodeFix(
                CodeAction.Create($"Remove '{name}'", ct => RemoveAsync(context.Document, statement, ct), EquivalenceKey),
                diagnostic);
        }

        private static async Task<Document> RemoveAsync(Document document, ExpressionStatementSyntax statement, System.Threading.CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            if (root == null) return document;
            var current = root.FindNode(statement.Span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<ExpressionStatementSyntax>().FirstOrDefault(s => s.Span == statement.Span);
            if (current == null) return document;
            bool comments = current.GetLeadingTrivia().Any(t => !t.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.WhitespaceTrivia) && !t.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.EndOfLineTrivia));
            if (comments)
            {
                var leading = current.GetLeadingTrivia();
                var kept = leading.Take(leading.Count - leading.Reverse().TakeWhile(t => t.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.WhitespaceTrivia)).Count());
                var mark = new SyntaxAnnotation();
                root = root.ReplaceNode(current, current.WithLeadingTrivia(kept).WithAdditionalAnnotations(mark));
                current = root.GetAnnotatedNodes(mark).OfType<ExpressionStatementSyntax>().First();
            }
            var options = (comments ? SyntaxRemoveOptions.KeepLeadingTrivia : SyntaxRemoveOptions.KeepNoTrivia) | SyntaxRemoveOptions.KeepUnbalancedDirectives;
            var updated = root.RemoveNode(current, options);
            return updated == null ? document : document.WithSyntaxRoot(updated);
        }
    }
}
