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
    /// <summary>
    /// MM1002: removes a release of a context that is not held on any path (not when a try-lock may hold it); a release in
    /// the wrong mode becomes the release of the mode that is held.
    /// </summary>
    [ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(RemoveUnmatchedReleaseCodeFix)), Shared]
    public sealed class RemoveUnmatchedReleaseCodeFix : CodeFixProvider
    {
        public const string EquivalenceKey = "MM1002.RemoveRelease";
        public const string HeldModeKey = "MM1002.ReleaseHeldMode";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1002");

        public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1002");
            if (diagnostic == null || !diagnostic.Location.IsInSource) return;
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Kind, out var kind) || !diagnostic.Properties.TryGetValue(DiagnosticProperties.Context, out var key)
                || key == null) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            var invocation = fix?.InvocationAt(diagnostic.Location.SourceSpan, context.CancellationToken);
            if (fix == null || invocation == null) return;
            var contract = fix.ContractOf(invocation.TargetMethod);
            if (contract.Releases.Length != 1 || !contract.Acquires.IsEmpty || !contract.TryAcquires.IsEmpty || !contract.Downgrades.IsEmpty) return;
            if (FlowProbe.Run(fix, invocation.Syntax, context.CancellationToken) is not { } probe || probe.CallAt(invocation.Syntax) is not var (_, state, _)) return;

            if (kind == DiagnosticProperties.WrongMode)
            {
                await RegisterHeldModeAsync(context, fix, probe, diagnostic, invocation, contract.Releases[0], state.Find(key)).ConfigureAwait(false);
                return;
            }
            // Held on some path (a try-lock whose result is not tested): removing the release would leak it there.
            if (kind != DiagnosticProperties.NotHeld || FixDocument.MayHold(state, key)) return;
            var name = invocation.Syntax.ToString();
            if (ExpressionBodies.BodyOf(invocation.Syntax) == invocation.Syntax)
            {
                await RegisterEmptyBodyAsync(context, fix, probe, diagnostic, invocation.Syntax, name).ConfigureAwait(false);
                return;
            }
            if (invocation.Syntax.Parent is not ExpressionStatementSyntax statement || statement.Parent is not (BlockSyntax or SwitchSectionSyntax)) return;

            context.RegisterCodeFix(
                CodeAction.Create($"Remove '{name}'", ct => RemoveAsync(context.Document, statement, ct), EquivalenceKey),
                diagnostic);
        }

        /// <summary>A release that is a whole expression body (a void lambda, method or local function): the body becomes an empty block.</summary>
        private static async Task RegisterEmptyBodyAsync(CodeFixContext context, FixDocument fix, FlowProbe probe, Diagnostic diagnostic, SyntaxNode release, string name)
        {
            if (StatementTarget.Of(fix, release, probe, context.CancellationToken) is not { Block: not null } target || target.Statement.Parent is not BlockSyntax block) return;
            var edited = await FixCheck.EditAsync(fix, probe, m => target.Edit(m, block.WithStatements(default)), diagnostic, context.CancellationToken, target.Scope)
                .ConfigureAwait(false);
            if (edited == null) return;
            context.RegisterCodeFix(CodeAction.Create($"Remove '{name}'", _ => Task.FromResult(edited), EquivalenceKey), diagnostic);
        }

        /// <summary>The release call replaced by the one that releases the mode <paramref name="held"/> is in.</summary>
        private static async Task RegisterHeldModeAsync(CodeFixContext context, FixDocument fix, FlowProbe probe, Diagnostic diagnostic,
            Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation, MmLock.Analyzers.Contexts.ContextTemplate template, MmLock.Analyzers.Flow.Held? held)
        {
            if (held == null || held.Maybe) return;
            var site = FixDocument.SiteOf(invocation);
            var position = invocation.Syntax.SpanStart;
            var expression = fix.ExpressionAt(template, site, position);
            var staticKey = held.Key.StartsWith("static:", System.StringComparison.Ordinal) ? held.Key : null;
            if (expression == null && staticKey == null) return;
            var release = fix.ReleaseFor(expression, staticKey, held.Mode, position, new System.Collections.Generic.HashSet<string>(), invocation.TargetMethod,
                exclude: invocation.TargetMethod);
            if (release == null) return;
            var replacement = Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(release).WithTriviaFrom(invocation.Syntax);
            var edited = await FixCheck.EditAsync(fix, probe, m => m.ReplaceNode(invocation.Syntax, replacement), diagnostic, context.CancellationToken)
                .ConfigureAwait(false);
            if (edited == null) return;
            var mode = held.Mode == MmLock.Analyzers.Contexts.Mode.Shared ? "shared" : "exclusively";
            context.RegisterCodeFix(CodeAction.Create($"Replace with '{release}' (it is held {mode})", _ => Task.FromResult(edited), HeldModeKey), diagnostic);
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
