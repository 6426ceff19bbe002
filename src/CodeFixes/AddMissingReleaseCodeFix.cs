using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;

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
            var paths = fix.PathsFor(acquire.Syntax, context.CancellationToken);
            if (paths == null) return;

            // The acquired context the message names.
            var site = FixDocument.SiteOf(acquire);
            var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            var template = fix.ContractOf(acquire.TargetMethod).Acquires
                .FirstOrDefault(t => paths.Instantiate(t, site) is { } i && message.StartsWith("'" + i.Display + "'", System.StringComparison.Ordinal));
            if (template == null) return;
            var key = paths.Instantiate(template, site)!.Key;

            // Already released somewhere after the acquire: a finally would release it twice.
            int index = list.IndexOf(statement);
            var rest = list.Skip(index + 1).ToList();
            foreach (var call in rest.SelectMany(s => s.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()))
            {
                if (fix.Model.GetOperation(call, context.CancellationToken) is not IInvocationOperation operation) continue;
                var callSite = FixDocument.SiteOf(operation);
                var contract = fix.ContractOf(operation.TargetMethod);
                if (contract.Releases.Concat(contract.Downgrades).Any(t => paths.Instantiate(t, callSite)?.Key == key)) return;
            }

            var expression = fix.ExpressionAt(template, site, statement.SpanStart);
            var staticKey = key.StartsWith("static:", System.StringComparison.Ordinal) ? key : null;
            var release = fix.ReleaseFor(expression, staticKey, template.Mode, statement.Span.End, new System.Collections.Generic.HashSet<string>(), acquire.TargetMethod);
            if (release == null) return;

            context.RegisterCodeFix(
                CodeAction.Create($"Release with 'finally {{ {release}; }}'", ct => AddAsync(context.Document, statement, release, ct), EquivalenceKey),
                diagnostic);
        }

        private static async Task<Document> AddAsync(Document document, StatementSyntax acquire, string release, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            if (root == null || !root.Contains(acquire) || FixDocument.ListOf(acquire) is not { } list || acquire.Parent is not { } parent) return document;
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
            var updated = FixDocument.WithStatements(parent, list.Take(index + 1).Concat(tail));
            return document.WithSyntaxRoot(root.ReplaceNode(parent, updated));
        }
    }
}
