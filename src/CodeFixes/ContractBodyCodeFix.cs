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
                BaseMethodDeclarationSyntax method => (method.Body, method.ExpressionBody?.Expression),
                LocalFunctionStatementSyntax local => (local.Body, local.ExpressionBody?.Expression),
                AccessorDeclarationSyntax accessor => (accessor.Body, accessor.ExpressionBody?.Expression),
                // A lambda's MM1008 is at its '=>'.
                AnonymousFunctionExpressionSyntax lambda => (lambda.Block, lambda.ExpressionBody),
                _ => ((BlockSyntax?)null, (ExpressionSyntax?)null),
            };
            if (declaration == null || (block == null && arrow == null)) return;
            var symbol = declaration is AnonymousFunctionExpressionSyntax
                ? fix.Model.GetSymbolInfo(declaration, context.CancellationToken).Symbol
                : fix.Model.GetDeclaredSymbol(declaration, context.CancellationToken);
            if (symbol is not IMethodSymbol owner) return;
            if (FlowProbe.Run(fix, (SyntaxNode?)block ?? arrow!, context.CancellationToken) is not { } probe) return;
            var contract = fix.ContractOf(owner);
            // An expression body is edited as the block body it becomes (the edit replaces the whole declaration).
            var body = block != null ? new Body(declaration, block, null) : ExpressionBodies.ToBlock(arrow!, fix.Model, context.CancellationToken) is { } converted
                ? new Body(declaration, converted.Converted.DescendantNodes().OfType<BlockSyntax>().First(), converted.Converted) : null;
            if (body == null) return;

            if (kind == "release" && contract.Releases.FirstOrDefault(t => BodyAnalysis.EntryInstance(t, owner).Key == key) is { } released)
                await RegisterReleaseAsync(context, diagnostic, fix, probe, owner, released, (SyntaxNode?)block ?? arrow!, body, key).ConfigureAwait(false);
            else if (kind == "acquire" && contract.Acquires.FirstOrDefault(t => BodyAnalysis.EntryInstance(t, owner).Key == key) is { } acquired)
                await RegisterAcquireAsync(context, diagnostic, fix, probe, owner, acquired, (SyntaxNode?)block ?? arrow!, body, key).ConfigureAwait(false);
        }

        /// <summary>The body to edit: the declaration's block, or the block its expression body becomes (in <see cref="Converted"/>).</summary>
        private sealed class Body
        {
            public Body(SyntaxNode declaration, BlockSyntax block, SyntaxNode? converted)
            {
                Declaration = declaration;
                Block = block;
                Converted = converted;
            }

            public SyntaxNode Declaration { get; }
            public BlockSyntax Block { get; }
            public SyntaxNode? Converted { get; }

            /// <summary><paramref name="member"/> (the probe's member, which contains the declaration) with the body replaced by <paramref name="edited"/>.</summary>
            public SyntaxNode Apply(SyntaxNode member, BlockSyntax edited)
            {
                if (Converted == null) return member.ReplaceNode(Block, edited);
                var declaration = Converted.ReplaceNode(Block, edited);
                return member == Declaration ? declaration : member.ReplaceNode(Declaration, declaration);
            }
        }

        // ---- releases ---------------------------------------------------------------------------------

        private static async Task RegisterReleaseAsync(CodeFixContext context, Diagnostic diagnostic, FixDocument fix, FlowProbe probe, IMethodSymbol owner,
            ContextTemplate template, SyntaxNode original, Body body, string key)
        {
            var releases = new List<ExpressionStatementSyntax>();
            bool releasesOther = false;
            foreach (var invocation in OwnNodes(original).OfType<InvocationExpressionSyntax>())
            {
                if (probe.CallAt(invocation) is not var (call, _, _)) continue;
                bool releasesKey = call.Releases.Any(r => r.Context.Key == key);
                if (!releasesKey && Touches(call, key)) return;
                releasesOther |= !releasesKey && !call.Releases.IsEmpty;
                if (!releasesKey) continue;
                if (invocation.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax or SwitchSectionSyntax } statement || !FixDocument.IsLast(statement, original)) return;
                releases.Add(statement);
            }

            // A body that releases only another context: which one was meant is the author's call (the fix would release both).
            if (releases.Count == 0 && releasesOther) return;
            int inside = original is BlockSyntax block ? block.OpenBraceToken.Span.End : original.SpanStart;
            var release = releases.Count > 0 ? releases[0].Expression.WithoutTrivia().ToString() : ReleaseFor(fix, owner, template, inside);
            if (release == null || !FixDocument.CommentsOf(releases, out var commented)) return;
            // Releases found in an expression body are not statements: none to remove, so the block to edit is the converted one.
            var edited = await FixCheck.EditAsync(fix, probe, m => body.Apply(m, WithFinally(body.Block, releases, release, commented)), diagnostic,
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

        /// <summary>
        /// The body without the given releases, inside <c>try { .. } finally { release; }</c> (just the release when nothing is
        /// left); the release takes the comments of <paramref name="commented"/>, the removed release that has any.
        /// </summary>
        private static BlockSyntax WithFinally(BlockSyntax block, List<ExpressionStatementSyntax> releases, string release, SyntaxNode? commented)
        {
            var stripped = block.RemoveNodes(releases, SyntaxRemoveOptions.KeepNoTrivia | SyntaxRemoveOptions.KeepUnbalancedDirectives) ?? block;
            var statements = stripped.Statements.ToList();
            var inner = statements.Count == 0
                ? new List<StatementSyntax> { FixDocument.Release(release, commented) }
                : new List<StatementSyntax> { FixDocument.TryFinally(statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList(), release, commented) };
            return SyntaxFactory.Block(inner).WithTriviaFrom(block).WithAdditionalAnnotations(Formatter.Annotation);
        }

        // ---- acquires ---------------------------------------------------------------------------------

        private static async Task RegisterAcquireAsync(CodeFixContext context, Diagnostic diagnostic, FixDocument fix, FlowProbe probe, IMethodSymbol owner,
            ContextTemplate template, SyntaxNode original, Body body, string key)
        {
            ExpressionStatementSyntax? acquire = null;
            bool acquiresOther = false;
            foreach (var invocation in OwnNodes(original).OfType<InvocationExpressionSyntax>())
            {
                if (probe.CallAt(invocation) is not var (call, _, _)) continue;
                bool acquiresKey = call.Acquires.Any(a => a.Context.Key == key);
                if (!acquiresKey && Touches(call, key)) return;
                acquiresOther |= !acquiresKey && (!call.Acquires.IsEmpty || !call.TryAcquires.IsEmpty);
                if (!acquiresKey) continue;
                if (acquire != null || invocation.Parent is not ExpressionStatementSyntax { Parent: BlockSyntax } statement) return;
                acquire = statement;
            }
            if (acquire == null)
            {
                // A body that acquires another context: which one was meant is the author's call (the fix would hold both).
                if (!acquiresOther) await RegisterInsertAsync(context, diagnostic, fix, probe, owner, template, original, body).ConfigureAwait(false);
                return;
            }
            if (original is not BlockSyntax block || acquire.Parent == block && block.Statements.IndexOf(acquire) == 0) return;
            if (!Hoistable(acquire, block, fix, context.CancellationToken)) return;

            var edited = await FixCheck.EditAsync(fix, probe, m => m.ReplaceNode(block, Hoisted(block, acquire)), diagnostic, context.CancellationToken)
                .ConfigureAwait(false);
            if (edited == null) return;
            var title = $"Acquire on every path: move '{acquire.Expression}' to the start of '{CallSite.DisplayName(owner)}'";
            context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(edited), AcquireKey), diagnostic);
        }

        /// <summary>
        /// Whether the acquire can run first instead: it sits in blocks, if/else and switch sections only (a loop would change how
        /// often it runs, a try when), no enclosing condition reads what it is given (<c>if (l != null)</c> protects it), and no
        /// statement before it writes that.
        /// </summary>
        private static bool Hoistable(ExpressionStatementSyntax acquire, BlockSyntax block, FixDocument fix, CancellationToken cancellation)
        {
            var given = acquire.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Select(n => fix.Model.GetSymbolInfo(n, cancellation).Symbol).Where(s => s is ILocalSymbol or IParameterSymbol).ToList();
            bool Reads(SyntaxNode? node) => node != null && node.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
                .Any(n => given.Contains(fix.Model.GetSymbolInfo(n, cancellation).Symbol, SymbolEqualityComparer.Default));
            foreach (var ancestor in acquire.Ancestors().TakeWhile(a => a != block))
            {
                switch (ancestor)
                {
                    case BlockSyntax:
                    case ElseClauseSyntax:
                    case SwitchSectionSyntax:
                        continue;
                    case IfStatementSyntax ifStatement when !Reads(ifStatement.Condition):
                        continue;
                    case SwitchStatementSyntax switchStatement when !Reads(switchStatement.Expression) && !switchStatement.Sections.SelectMany(x => x.Labels).Any(Reads):
                        continue;
                    default:
                        return false;
                }
            }
            foreach (var node in block.DescendantNodes().Where(n => n.SpanStart < acquire.SpanStart))
            {
                var symbol = node switch
                {
                    VariableDeclaratorSyntax or SingleVariableDesignationSyntax => fix.Model.GetDeclaredSymbol(node, cancellation),
                    IdentifierNameSyntax { Parent: AssignmentExpressionSyntax assignment } name when assignment.Left == name => fix.Model.GetSymbolInfo(name, cancellation).Symbol,
                    IdentifierNameSyntax { Parent: ArgumentSyntax { RefKindKeyword.RawKind: not 0 } } name => fix.Model.GetSymbolInfo(name, cancellation).Symbol,
                    _ => null,
                };
                if (symbol != null && given.Contains(symbol, SymbolEqualityComparer.Default)) return false;
            }
            return true;
        }

        /// <summary>
        /// The body with the acquire first, with its comments. A block the move leaves empty stays, except as the only branch of
        /// an <c>if</c> whose condition calls and assigns nothing and that has no comment of its own: then the <c>if</c> goes too.
        /// </summary>
        private static BlockSyntax Hoisted(BlockSyntax block, ExpressionStatementSyntax acquire)
        {
            SyntaxNode removed = acquire;
            if (acquire.Parent is BlockSyntax { Statements.Count: 1 } only && only != block && only.Parent is IfStatementSyntax { Else: null } ifStatement
                && ifStatement.Parent is BlockSyntax or SwitchSectionSyntax
                && !ifStatement.Condition.DescendantNodesAndSelf().Any(n => n is InvocationExpressionSyntax or AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax
                    or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } or AwaitExpressionSyntax)
                && !ifStatement.DescendantTrivia().Any(t => !acquire.FullSpan.Contains(t.Span) && !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia)))
                removed = ifStatement;
            var without = block.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia | SyntaxRemoveOptions.KeepUnbalancedDirectives) ?? block;
            var moved = (acquire.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) ? acquire
                : acquire.WithTrailingTrivia(acquire.GetTrailingTrivia().Add(SyntaxFactory.ElasticCarriageReturnLineFeed))).WithAdditionalAnnotations(Formatter.Annotation);
            return without.WithStatements(without.Statements.Insert(0, moved)).WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>
        /// A body that acquires nothing (empty, or work without the acquire): the acquire goes first. Not for a body that only
        /// throws: acquiring before the throw leaves the context held on an exception path no caller expects.
        /// </summary>
        private static async Task RegisterInsertAsync(CodeFixContext context, Diagnostic diagnostic, FixDocument fix, FlowProbe probe, IMethodSymbol owner,
            ContextTemplate template, SyntaxNode original, Body body)
        {
            if (body.Block.Statements.Count > 0 && body.Block.Statements.All(s => s is ThrowStatementSyntax)) return;
            var instance = BodyAnalysis.EntryInstance(template, owner);
            var staticKey = template.Root == RootKind.Static ? instance.Key : null;
            var expression = template.Root is RootKind.Parameter or RootKind.This ? instance.Display : null;
            int position = original is BlockSyntax block ? block.OpenBraceToken.Span.End : original.SpanStart;
            if (Guards.GuardFor(fix, expression, staticKey, template.Mode, instance.Type, position, new HashSet<string>(), exclude: owner) is not var (acquire, _)) return;
            var edited = await FixCheck.EditAsync(fix, probe,
                m => body.Apply(m, body.Block.WithStatements(body.Block.Statements.Insert(0, FixDocument.Line(acquire + ";"))).WithAdditionalAnnotations(Formatter.Annotation)),
                diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edited == null) return;
            var title = $"Acquire on every path: add '{acquire};' at the start of '{CallSite.DisplayName(owner)}'";
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
