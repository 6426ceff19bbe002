using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1004: a context acquired in the member is still held at an exit. Offered in this order: the statements after the
    /// acquire, to the end of its block, go into <c>try { .. } finally { release(..); }</c> (releases among them that were the
    /// last thing their path did are removed: the finally releases there); or the release goes right before the exit the
    /// diagnostic names (<c>return</c>, <c>throw</c>, <c>yield break</c>, <c>goto</c>, <c>break</c>). The release member is found by its contract.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMissingReleaseCodeFix)), Shared]
    public sealed class AddMissingReleaseCodeFix : CodeFixProvider
    {
        public const string EquivalenceKey = "MM1004.AddReleaseFinally";
        public const string BeforeExitKey = "MM1004.ReleaseBeforeExit";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1004");

        public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1004");
            if (diagnostic == null || diagnostic.AdditionalLocations.Count == 0 || !diagnostic.AdditionalLocations[0].IsInSource) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null || diagnostic.AdditionalLocations[0].SourceTree != fix.Root.SyntaxTree) return;
            var acquire = fix.InvocationAt(diagnostic.AdditionalLocations[0].SourceSpan, context.CancellationToken);
            if (acquire == null) return;
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Context, out var key) || key == null) return;
            if (FlowProbe.Run(fix, acquire.Syntax, context.CancellationToken) is not { } probe || probe.CallAt(acquire.Syntax) is not var (call, _, body)) return;

            // The acquired context the diagnostic names: a plain acquire, or a try-acquire tested on the path to the exit.
            ContextTemplate template;
            int which = call.Acquires.IndexOf(call.Acquires.FirstOrDefault(a => a.Context.Key == key));
            if (which >= 0)
                template = call.Contract.Acquires.Where(t => body.Paths.Instantiate(t, call.Site) != null).ElementAt(which);
            else if ((which = call.TryAcquires.IndexOf(call.TryAcquires.FirstOrDefault(a => a.Context.Key == key))) >= 0)
                template = call.Contract.TryAcquires.Where(t => body.Paths.Instantiate(t.Template, call.Site) != null).ElementAt(which).Template;
            else
                return;
            // A scoped guard kept in a field or passed on is disposed by its holder: a release here would release twice.
            if (acquire.Syntax.Parent is not ExpressionStatementSyntax && fix.Contracts.IsScopedGuard(acquire.TargetMethod.ReturnType)) return;
            var statement = acquire.Syntax.Parent as ExpressionStatementSyntax;
            int position = statement?.Span.End ?? acquire.Syntax.Span.End;
            var expression = fix.ExpressionAt(template, call.Site, position);
            var staticKey = key.StartsWith("static:", System.StringComparison.Ordinal) ? key : null;
            var release = fix.ReleaseFor(expression, staticKey, template.Mode, position, new HashSet<string>(), acquire.TargetMethod);
            if (release == null) return;

            // try/finally over the acquire's range: only for an acquire statement, never as an empty section (lock; unlock;
            // changes nothing but the diagnostic: the leak is elsewhere, e.g. a body that acquires the wrong context).
            if (statement != null && call.TryAcquires.IsEmpty && FixDocument.ListOf(statement) is { } list && list.IndexOf(statement) < list.Count - 1
                && ReleasesAfter(probe, list, statement, key) is { } releases && FixDocument.CommentsOf(releases, out var commented))
            {
                var edited = await FixCheck.EditAsync(fix, probe, m => Add(m, statement, releases, release, commented), diagnostic, context.CancellationToken)
                    .ConfigureAwait(false);
                var title = $"Release on every exit with 'try {{ }} finally {{ {release}; }}' after the acquire";
                if (edited != null) context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(edited), EquivalenceKey), diagnostic);
            }

            if (ExitAt(fix, diagnostic) is { } exit && probe.Member.Span.Contains(exit.Span))
            {
                var edited = await FixCheck.EditAsync(fix, probe, m => BeforeExit(m, exit, release), diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (edited != null)
                    context.RegisterCodeFix(CodeAction.Create($"Release with '{release};' before this '{ExitWord(exit)}'", _ => Task.FromResult(edited), BeforeExitKey), diagnostic);
            }
            else if (EndOf(fix, diagnostic) is { } end && probe.Member.Span.Contains(end.Span) && !EndsWithAcquire(end, statement))
            {
                // The implicit exit at the closing brace: the release becomes the body's last statement.
                var edited = await FixCheck.EditAsync(fix, probe, m => m.ReplaceNode(end, end.AddStatements(FixDocument.Statement(release + ";"))), diagnostic,
                    context.CancellationToken).ConfigureAwait(false);
                if (edited != null)
                    context.RegisterCodeFix(CodeAction.Create($"Release with '{release};' at the end of the body", _ => Task.FromResult(edited), BeforeExitKey), diagnostic);
            }
        }

        /// <summary>The body block whose closing brace the diagnostic is reported at (an implicit exit), or null.</summary>
        private static BlockSyntax? EndOf(FixDocument fix, Diagnostic diagnostic)
        {
            var span = diagnostic.Location.SourceSpan;
            if (!fix.Root.FullSpan.Contains(span)) return null;
            var token = fix.Root.FindToken(span.Start);
            return token.IsKind(SyntaxKind.CloseBraceToken) && token.Span == span && token.Parent is BlockSyntax block && block.CloseBraceToken == token
                && block.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax
                ? block : null;
        }

        /// <summary>Whether the body's last statement is the acquire itself: a release after it would be an empty section.</summary>
        private static bool EndsWithAcquire(BlockSyntax body, StatementSyntax? acquire) =>
            acquire != null && body.Statements.LastOrDefault() == acquire;

        /// <summary>
        /// The releases of <paramref name="key"/> after the acquire in its block, each the last thing its path does there (so a
        /// finally releases at the same point); null when one is not, or when something else changes that context.
        /// </summary>
        private static List<ExpressionStatementSyntax>? ReleasesAfter(FlowProbe probe, SyntaxList<StatementSyntax> list, StatementSyntax acquire, string key)
        {
            var releases = new List<ExpressionStatementSyntax>();
            foreach (var later in list.Skip(list.IndexOf(acquire) + 1).SelectMany(s => s.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()))
            {
                if (probe.CallAt(later) is not var (laterCall, _, _)) continue;
                bool releasesKey = laterCall.Releases.Any(r => r.Context.Key == key);
                if (!releasesKey && (laterCall.Downgrades.Concat(laterCall.Acquires).Any(r => r.Context.Key == key) || laterCall.TryAcquires.Any(t => t.Context.Key == key)))
                    return null;
                if (!releasesKey) continue;
                // Only a statement of a block or switch section can be removed (an embedded one would leave 'if (b)' without a statement).
                if (later.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax or SwitchSectionSyntax } release || !FixDocument.IsLast(release, acquire.Parent!))
                    return null;
                releases.Add(release);
            }
            return releases;
        }

        /// <summary>The exit statement the diagnostic is reported at, or null (the end of the body, a throw expression).</summary>
        private static StatementSyntax? ExitAt(FixDocument fix, Diagnostic diagnostic)
        {
            var span = diagnostic.Location.SourceSpan;
            if (!fix.Root.FullSpan.Contains(span)) return null;
            var exit = fix.Root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(s => s.Span == span);
            return exit is ReturnStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax
                or YieldStatementSyntax { RawKind: (int)SyntaxKind.YieldBreakStatement } ? exit : null;
        }

        private static string ExitWord(StatementSyntax exit) => exit switch
        {
            ReturnStatementSyntax => "return",
            ThrowStatementSyntax => "throw",
            GotoStatementSyntax => "goto",
            BreakStatementSyntax => "break",
            ContinueStatementSyntax => "continue",
            _ => "yield break",
        };

        /// <summary>The member with the release inserted before <paramref name="exit"/> (an embedded exit gets a block).</summary>
        private static SyntaxNode? BeforeExit(SyntaxNode member, StatementSyntax exit, string release)
        {
            // A returned value computed after the release would be computed unlocked: only plain values.
            if (exit is ReturnStatementSyntax { Expression: { } value } && value.DescendantNodesAndSelf().Any(n => n is InvocationExpressionSyntax or ObjectCreationExpressionSyntax
                    or AwaitExpressionSyntax or AssignmentExpressionSyntax or ElementAccessExpressionSyntax)) return null;
            var line = FixDocument.Statement(release + ";");
            // An exit after a label: the label moves to the release, so every path that jumps there releases.
            if (exit.Parent is LabeledStatementSyntax labeled && FixDocument.ListOf(labeled) is { } outer && labeled.Parent is { } labeledParent)
            {
                int at = outer.IndexOf(labeled);
                var replaced = outer.Take(at)
                    .Append(labeled.WithStatement(line.WithLeadingTrivia(exit.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)))
                    .Append(exit.WithLeadingTrivia(exit.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia))).WithAdditionalAnnotations(Formatter.Annotation))
                    .Concat(outer.Skip(at + 1));
                return member.ReplaceNode(labeledParent, FixDocument.WithStatements(labeledParent, replaced));
            }
            if (FixDocument.ListOf(exit) is { } list && exit.Parent is { } parent)
            {
                int index = list.IndexOf(exit);
                var moved = list.Take(index).Append(line.WithLeadingTrivia(exit.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))
                    .Append(exit.WithLeadingTrivia(exit.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia))))
                    .Concat(list.Skip(index + 1));
                return member.ReplaceNode(parent, FixDocument.WithStatements(parent, moved));
            }
            // The exit keeps its trailing comment inside the block; the block only ends the line.
            var block = FixDocument.EndingLineOf(SyntaxFactory.Block(FixDocument.Line(release + ";"), exit.WithoutLeadingTrivia().WithAdditionalAnnotations(Formatter.Annotation)), exit)
                .WithLeadingTrivia(exit.GetLeadingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
            return member.ReplaceNode(exit, block);
        }

        /// <summary>
        /// The member with the statements after the acquire, to the end of its block, without <paramref name="releases"/>, in
        /// <c>try { .. } finally { release; }</c>; just the release when nothing follows the acquire. The release takes the
        /// comments of the removed one that has any.
        /// </summary>
        private static SyntaxNode? Add(SyntaxNode member, StatementSyntax acquire, List<ExpressionStatementSyntax> releases, string release, SyntaxNode? commented)
        {
            if (acquire.Parent is not { } parent || FixDocument.ListOf(acquire) is not { } original) return null;
            // The releases all come after the acquire: its index stays.
            int index = original.IndexOf(acquire);
            var stripped = parent.RemoveNodes(releases, SyntaxRemoveOptions.KeepNoTrivia | SyntaxRemoveOptions.KeepUnbalancedDirectives) ?? parent;
            if (FixDocument.ListOf(stripped.ChildNodes().OfType<StatementSyntax>().First()) is not { } list) return null;
            var rest = list.Skip(index + 1).ToList();
            StatementSyntax[] tail;
            if (rest.Count == 0)
            {
                tail = new[] { FixDocument.Release(release, commented) };
            }
            else
            {
                var leading = rest[0].GetLeadingTrivia();
                rest[0] = rest[0].WithoutLeadingTrivia();
                tail = new StatementSyntax[] { FixDocument.TryFinally(rest, release, commented).WithLeadingTrivia(leading) };
            }
            return member.ReplaceNode(parent, FixDocument.WithStatements(stripped, list.Take(index + 1).Concat(tail)));
        }
    }
}
