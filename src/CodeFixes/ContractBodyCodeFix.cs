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
using MmLock.Analyzers.Flow;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1008: an [Acquires]/[Releases] member whose body does not keep its contract on every path.
    /// <list type="bullet">
    /// <item>Releases: the body goes into <c>try { .. } finally { release; }</c>. Releases already in the body are removed, which
    /// is honest only where they were the last thing their path did (followed by nothing, or by a return or throw): then the
    /// finally releases at the same point of every path.</item>
    /// <item>Acquires: when the body acquires exactly once, at its top level, the acquire moves to the start of the body, so
    /// that the paths that left before it acquire too. Statements it moves over must not compute what it is given. A body that
    /// may fail to acquire by design (a try-acquire wrapper) gets no fix: its contract should be <c>[TryAcquires*]</c>.</item>
    /// </list>
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ContractBodyCodeFix)), Shared]
    public sealed class ContractBodyCodeFix : CodeFixProvider
    {
        public const string ReleaseKey = "MM1008.ReleaseFinally";
        public const string AcquireKey = "MM1008.AcquireFirst";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1008");

        public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1008");
            if (diagnostic == null || !diagnostic.Location.IsInSource) return;
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Context, out var key) || key == null) return;
            diagnostic.Properties.TryGetValue(DiagnosticProperties.Kind, out var kind);
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null || !fix.Root.FullSpan.Contains(diagnostic.Location.SourceSpan)) return;
            var token = fix.Root.FindToken(diagnostic.Location.SourceSpan.Start);
            var declaration = token.Parent;
            var (block, arrow) = declaration switch
            {
                BaseMethodDeclarationSyntax method => (method.Body, method.ExpressionBody),
                LocalFunctionStatementSyntax local => (local.Body, local.ExpressionBody),
                AccessorDeclarationSyntax accessor => (accessor.Body, accessor.ExpressionBody),
                _ => (null, null),
            };
            if (declaration == null || (block == null && arrow == null)) return;
            if (fix.Model.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol owner) return;
            if (FlowProbe.Run(fix, (SyntaxNode?)block ?? arrow!, context.CancellationToken) is not { } probe) return;
            var contract = fix.ContractOf(owner);

            if (kind == "release" && contract.Releases.FirstOrDefault(t => BodyAnalysis.EntryInstance(t, owner).Key == key) is { } released)
                await RegisterReleaseAsync(context, diagnostic, fix, probe, owner, released, block, arrow, key).ConfigureAwait(false);
            else if (kind == "acquire" && block != null && contract.Acquires.Any(t => BodyAnalysis.EntryInstance(t, owner).Key == key))
                await RegisterAcquireAsync(context, diagnostic, fix, probe, owner, block, key).ConfigureAwait(false);
        }

        // ---- releases ---------------------------------------------------------------------------------

        private static async Task RegisterReleaseAsync(CodeFixContext context, Diagnostic diagnostic, FixDocument fix, FlowProbe probe, IMethodSymbol owner,
            ContextTemplate template, BlockSyntax? block, ArrowExpressionClauseSyntax? arrow, string key)
        {
            var body = (SyntaxNode?)block ?? arrow!;
            var releases = new List<ExpressionStatementSyntax>();
            foreach (var invocation in OwnNodes(body).OfType<InvocationExpressionSyntax>())
            {
                if (probe.CallAt(invocation) is not var (call, _, _)) continue;
                bool releasesKey = call.Releases.Any(r => r.Context.Key == key);
                if (!releasesKey && Touches(call, key)) return;
                if (!releasesKey) continue;
                if (invocation.Parent is not ExpressionStatementSyntax statement || !FixDocument.IsLast(statement, body)) return;
                releases.Add(statement);
            }

            int inside = block != null ? block.OpenBraceToken.Span.End : arrow!.Expression.SpanStart;
            var release = releases.Count > 0 ? releases[0].Expression.WithoutTrivia().ToString() : ReleaseFor(fix, owner, template, inside);
            if (release == null) return;
            var edited = await FixCheck.EditAsync(fix, probe, m => m.ReplaceNode(body, WithFinally(body, releases, release, owner)), diagnostic,
                context.CancellationToken).ConfigureAwait(false);
            if (edited == null) return;
            context.RegisterCodeFix(CodeAction.Create($"Release on every path with 'finally {{ {release}; }}'", _ => Task.FromResult(edited), ReleaseKey), diagnostic);
        }

        /// <summary>A release call for the member's own context, written as the body names it.</summary>
        private static string? ReleaseFor(FixDocument fix, IMethodSymbol owner, ContextTemplate template, int position)
        {
            var instance = BodyAnalysis.EntryInstance(template, owner);
            var staticKey = template.Root == RootKind.Static ? instance.Key : null;
            var expression = template.Root is RootKind.Parameter or RootKind.This ? instance.Display : null;
            return fix.ReleaseFor(expression, staticKey, template.Mode, position, new HashSet<string>(), owner, exclude: owner);
        }

        /// <summary>The body without the given releases, inside <c>try { .. } finally { release; }</c> (just the release when nothing is left).</summary>
        private static SyntaxNode WithFinally(SyntaxNode body, List<ExpressionStatementSyntax> releases, string release, IMethodSymbol owner)
        {
            List<StatementSyntax> statements;
            if (body is BlockSyntax block)
            {
                var stripped = block.RemoveNodes(releases, SyntaxRemoveOptions.KeepNoTrivia | SyntaxRemoveOptions.KeepUnbalancedDirectives) ?? block;
                statements = stripped.Statements.ToList();
            }
            else
            {
                var expression = ((ArrowExpressionClauseSyntax)body).Expression.WithoutTrivia();
                statements = new List<StatementSyntax>
                {
                    owner.ReturnsVoid ? SyntaxFactory.ExpressionStatement(expression) : SyntaxFactory.ReturnStatement(expression),
                };
            }
            var inner = statements.Count == 0
                ? new List<StatementSyntax> { FixDocument.Statement(release + ";") }
                : new List<StatementSyntax> { FixDocument.TryFinally(statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList(), release) };
            var result = SyntaxFactory.Block(inner).WithAdditionalAnnotations(Formatter.Annotation);
            return body is BlockSyntax original ? result.WithTriviaFrom(original) : result;
        }

        // ---- acquires ---------------------------------------------------------------------------------

        private static async Task RegisterAcquireAsync(CodeFixContext context, Diagnostic diagnostic, FixDocument fix, FlowProbe probe, IMethodSymbol owner,
            BlockSyntax block, string key)
        {
            ExpressionStatementSyntax? acquire = null;
            foreach (var invocation in OwnNodes(block).OfType<InvocationExpressionSyntax>())
            {
                if (probe.CallAt(invocation) is not var (call, _, _)) continue;
                bool acquiresKey = call.Acquires.Any(a => a.Context.Key == key);
                if (!acquiresKey && Touches(call, key)) return;
                if (!acquiresKey) continue;
                if (acquire != null || invocation.Parent is not ExpressionStatementSyntax statement || statement.Parent != block) return;
                acquire = statement;
            }
            if (acquire == null) return;
            int index = block.Statements.IndexOf(acquire);
            if (index == 0) return;
            var given = acquire.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Select(n => fix.Model.GetSymbolInfo(n, context.CancellationToken).Symbol).Where(s => s is ILocalSymbol or IParameterSymbol).ToList();
            foreach (var node in block.Statements.Take(index).SelectMany(s => s.DescendantNodesAndSelf()))
            {
                var symbol = node switch
                {
                    VariableDeclaratorSyntax or SingleVariableDesignationSyntax => fix.Model.GetDeclaredSymbol(node, context.CancellationToken),
                    IdentifierNameSyntax { Parent: AssignmentExpressionSyntax assignment } name when assignment.Left == name => fix.Model.GetSymbolInfo(name, context.CancellationToken).Symbol,
                    IdentifierNameSyntax { Parent: ArgumentSyntax { RefKindKeyword.RawKind: not 0 } } name => fix.Model.GetSymbolInfo(name, context.CancellationToken).Symbol,
                    _ => null,
                };
                if (symbol != null && given.Contains(symbol, SymbolEqualityComparer.Default)) return;
            }

            var moved = block.Statements.RemoveAt(index).Insert(0, acquire.WithAdditionalAnnotations(Formatter.Annotation));
            var edited = await FixCheck.EditAsync(fix, probe, m => m.ReplaceNode(block, block.WithStatements(moved)), diagnostic, context.CancellationToken)
                .ConfigureAwait(false);
            if (edited == null) return;
            var title = $"Acquire on every path: move '{acquire.Expression}' to the start of '{CallSite.DisplayName(owner)}'";
            context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(edited), AcquireKey), diagnostic);
        }

        // ---- helpers ------------------------------------------------------------------------------------

        /// <summary>Whether the call changes or asserts the context other than by a plain acquire or release.</summary>
        private static bool Touches(CallEvent call, string key) =>
            call.Acquires.Concat(call.Releases).Concat(call.Downgrades).Concat(call.AssertsHeld).Concat(call.AssertsNotHeld).Any(c => c.Context.Key == key) ||
            call.TryAcquires.Any(t => t.Context.Key == key);

        /// <summary>Nodes of the body itself (not of lambdas or local functions in it).</summary>
        private static IEnumerable<SyntaxNode> OwnNodes(SyntaxNode body) =>
            body.DescendantNodesAndSelf(n => n == body || !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax));
    }
}
