using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1004: a context acquired in the member is still held at an exit: the statements after the acquire, to the end
    /// of its block, go into <c>try { .. } finally { release(..); }</c>, with the release member found by its contract.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMissingReleaseCodeFix)), Shared]
    public sealed class AddMissingReleaseCodeFix : CodeFixProvider
    {
        public const string EquivalenceKey = "MM1004.AddReleaseFinally";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1004");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => FixDocument.Guarded(() => RegisterAsync(context));

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1004");
            if (diagnostic == null || diagnostic.AdditionalLocations.Count == 0 || !diagnostic.AdditionalLocations[0].IsInSource) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null || diagnostic.AdditionalLocations[0].SourceTree != fix.Root.SyntaxTree) return;
            var acquire = fix.InvocationAt(diagnostic.AdditionalLocations[0].SourceSpan, context.CancellationToken);
            if (acquire == null || acquire.Syntax.Parent is not ExpressionStatementSyntax statement || FixDocument.ListOf(statement) is not { } list) return;
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Context, out var key) || key == null) return;
            if (FlowProbe.Run(fix, acquire.Syntax, context.CancellationToken) is not { } probe || probe.CallAt(acquire.Syntax) is not var (call, _, body)) return;

            // The acquired context the diagnostic names.
            int which = call.Acquires.IndexOf(call.Acquires.FirstOrDefault(a => a.Context.Key == key));
            if (which < 0) return;
            var template = call.Contract.Acquires.Where(t => body.Paths.Instantiate(t, call.Site) != null).ElementAt(which);

            // Already released somewhere after the acquire: a finally would release it twice.
            int index = list.IndexOf(statement);
            var rest = list.Skip(index + 1).ToList();
            foreach (var later in rest.SelectMany(s => s.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()))
            {
                if (probe.CallAt(later) is not var (laterCall, _, _)) continue;
                if (laterCall.Releases.Concat(laterCall.Downgrades).Any(r => r.Context.Key == key)) return;
            }

            var expression = fix.ExpressionAt(template, call.Site, statement.SpanStart);
            var staticKey = key.StartsWith("static:", System.StringComparison.Ordinal) ? key : null;
            var release = fix.ReleaseFor(expression, staticKey, template.Mode, statement.Span.End, new HashSet<string>(), acquire.TargetMethod);
            if (release == null) return;

            var edited = await FixCheck.EditAsync(fix, probe, m => Add(m, statement, release), diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edited == null) return;
            context.RegisterCodeFix(CodeAction.Create($"Release with 'finally {{ {release}; }}'", _ => Task.FromResult(edited), EquivalenceKey), diagnostic);
        }

        /// <summary>The member with the statements after the acquire, to the end of its block, in <c>try { .. } finally { release; }</c>.</summary>
        private static SyntaxNode? Add(SyntaxNode member, StatementSyntax acquire, string release)
        {
            if (FixDocument.ListOf(acquire) is not { } list || acquire.Parent is not { } parent) return null;
            int index = list.IndexOf(acquire);
            var rest = list.Skip(index + 1).ToList();
            StatementSyntax[] tail;
            if (rest.Count == 0)
            {
                tail = new[] { FixDocument.Statement(release + ";") };
            }
            else
            {
                var leading = rest[0].GetLeadingTrivia();
                rest[0] = rest[0].WithoutLeadingTrivia();
                tail = new StatementSyntax[] { FixDocument.TryFinally(rest, release).WithLeadingTrivia(leading) };
            }
            return member.ReplaceNode(parent, FixDocument.WithStatements(parent, list.Take(index + 1).Concat(tail)));
        }
    }
}
