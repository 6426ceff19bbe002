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
using Microsoft.CodeAnalysis.Text;
using MmLock.Analyzers.Flow;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM2005: a [ReturnsGuarded] reference used after its guard was released. Widen the guarded section (move the release
    /// after the last use of the reference in that block), or look the entry up again: in the section the code re-acquires,
    /// or inside a re-acquired guard of its own around the late uses.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GuardedReferenceCodeFix)), Shared]
    public sealed class GuardedReferenceCodeFix : CodeFixProvider
    {
        public const string WidenKey = "MM2005.WidenSection";
        public const string LookUpAgainKey = "MM2005.LookUpAgain";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM2005");

        public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        private sealed class Late
        {
            public Late(FixDocument fix, FlowProbe probe, IdentifierNameSyntax use, ILocalSymbol local, ExpressionStatementSyntax release,
                string key, FlowState state, BodyAnalysis body)
            {
                Fix = fix;
                Probe = probe;
                Use = use;
                Local = local;
                Release = release;
                Key = key;
                State = state;
                Body = body;
            }

            public FixDocument Fix { get; }
            public FlowProbe Probe { get; }
            public IdentifierNameSyntax Use { get; }
            public ILocalSymbol Local { get; }
            /// <summary>The release statement that expired the reference.</summary>
            public ExpressionStatementSyntax Release { get; }
            /// <summary>The key of the context it released.</summary>
            public string Key { get; }
            /// <summary>The state at the use.</summary>
            public FlowState State { get; }
            public BodyAnalysis Body { get; }
        }

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM2005");
            if (diagnostic == null || !diagnostic.Location.IsInSource || diagnostic.AdditionalLocations.Count == 0) return;
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Context, out var key) || key == null) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null || diagnostic.AdditionalLocations[0].SourceTree != fix.Root.SyntaxTree) return;
            if (!fix.Root.FullSpan.Contains(diagnostic.Location.SourceSpan)) return;
            if (fix.Root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not IdentifierNameSyntax use) return;
            if (fix.Model.GetSymbolInfo(use, context.CancellationToken).Symbol is not ILocalSymbol local) return;
            if (FlowProbe.Run(fix, use, context.CancellationToken) is not { } probe || probe.UseAt(use) is not var (_, state, body)) return;
            var releaseCall = fix.InvocationAt(diagnostic.AdditionalLocations[0].SourceSpan, context.CancellationToken);
            if (releaseCall?.Syntax.Parent is not ExpressionStatementSyntax release) return;
            var late = new Late(fix, probe, use, local, release, key, state, body);

            await RegisterWidenAsync(context, diagnostic, late).ConfigureAwait(false);
            if (LookupOf(fix, diagnostic, local, context.CancellationToken) is { } lookup)
                await RegisterLookUpAgainAsync(context, diagnostic, late, lookup).ConfigureAwait(false);
        }

        // ---- widen: move the release after the last use it can reach ------------------------------------

        private static async Task RegisterWidenAsync(CodeFixContext context, Diagnostic diagnostic, Late late)
        {
            if (FixDocument.ListOf(late.Release) is not { } list) return;
            int from = list.IndexOf(late.Release);
            int use = IndexOfAncestor(list, late.Use);
            if (use <= from) return;
            var released = Arguments(late.Fix, late.Release, context.CancellationToken);
            int target = -1;
            for (int k = from + 1; k < list.Count; k++)
            {
                if (!Coverable(late, list[k], released, context.CancellationToken)) break;
                if (k >= use && Uses(late.Fix, list[k], late.Local, context.CancellationToken)) target = k;
            }
            if (target < 0) return;

            var moved = list.RemoveAt(from).Insert(target, late.Release);
            var parent = late.Release.Parent!;
            var edited = await FixCheck.EditAsync(late.Fix, late.Probe, m => m.ReplaceNode(parent, FixDocument.WithStatements(parent, moved)),
                diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edited == null) return;
            var title = $"Move '{late.Release.Expression}' after the last use of '{late.Local.Name}'";
            context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(edited), WidenKey), diagnostic);
        }

        /// <summary>
        /// A statement the release may move over: no jump out of it, no await, no assignment to what the release names, and no
        /// call that acquires, releases or asserts the released context (a re-acquire in between would be a second acquire).
        /// </summary>
        private static bool Coverable(Late late, StatementSyntax statement, ISet<ISymbol> released, CancellationToken cancellation)
        {
            foreach (var node in OwnNodes(statement))
            {
                switch (node)
                {
                    case ReturnStatementSyntax:
                    case ThrowStatementSyntax:
                    case ThrowExpressionSyntax:
                    case GotoStatementSyntax:
                    case YieldStatementSyntax:
                    case AwaitExpressionSyntax:
                        return false;
                    case BreakStatementSyntax or ContinueStatementSyntax when !InsideLoopOrSwitch(node, statement):
                        return false;
                    case InvocationExpressionSyntax invocation when late.Probe.CallAt(invocation) is var (call, _, _):
                        if (call.Acquires.Concat(call.Releases).Concat(call.Downgrades).Concat(call.AssertsHeld).Concat(call.AssertsNotHeld)
                                .Any(c => c.Context.Key == late.Key) || call.TryAcquires.Any(t => t.Context.Key == late.Key))
                            return false;
                        break;
                }
                if (Assigns(late.Fix, node, released, cancellation)) return false;
            }
            return true;
        }

        private static bool InsideLoopOrSwitch(SyntaxNode node, StatementSyntax outer)
        {
            for (var current = node.Parent; current != null && current != outer.Parent; current = current.Parent)
                if (current is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or SwitchStatementSyntax) return true;
            return false;
        }

        // ---- look up again ----------------------------------------------------------------------------

        private static async Task RegisterLookUpAgainAsync(CodeFixContext context, Diagnostic diagnostic, Late late, InvocationExpressionSyntax lookup)
        {
            var fix = late.Fix;
            var statement = FixDocument.StatementOf(late.Use);
            if (statement == null || statement is LocalFunctionStatementSyntax) return;
            if (!ArgumentsAvailable(fix, lookup, statement.SpanStart, context.CancellationToken)) return;
            var assignment = late.Local.Name + " = " + lookup.WithoutTrivia() + ";";
            if (late.Probe.CallAt(lookup) is not var (lookupCall, _, _)) return;
            bool covered = lookupCall.Clauses.All(c => Satisfaction.Satisfiers(c, late.State, late.Body.AssumedDisjunctions) is not { Count: 0 });

            string title;
            System.Func<SyntaxNode, SyntaxNode?> edit;
            if (covered)
            {
                // The code re-acquired a guard: look the entry up again there, before the use.
                title = $"Look '{late.Local.Name}' up again before this use: '{assignment}'";
                edit = m => Within(m, statement, WrapInGuard.Replace(statement, 1, body => body.Prepend(FixDocument.Line(assignment)).ToList()));
            }
            else
            {
                var guard = Reacquire(late, statement.SpanStart);
                if (guard == null) return;
                int count = LateRange(fix, statement, late.Local, context.CancellationToken);
                title = $"Look '{late.Local.Name}' up again under '{guard.Acquire}' and 'try {{ }} finally {{ {guard.Release}; }}'";
                edit = m => Within(m, statement, WrapInGuard.Replace(statement, count,
                    body => WrapInGuard.Nested(new[] { guard }, body.Prepend(FixDocument.Line(assignment)).ToList())));
            }
            var edited = await FixCheck.EditAsync(fix, late.Probe, edit, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edited == null) return;
            context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(edited), LookUpAgainKey), diagnostic);
        }

        /// <summary>The [ReturnsGuarded] call that is the reference local's only assignment, or null.</summary>
        private static InvocationExpressionSyntax? LookupOf(FixDocument fix, Diagnostic diagnostic, ILocalSymbol local, CancellationToken cancellation)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Lookup, out var text) || text == null) return null;
            var parts = text.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int start) || !int.TryParse(parts[1], out int length)) return null;
            var lookup = fix.InvocationAt(new TextSpan(start, length), cancellation)?.Syntax as InvocationExpressionSyntax;
            if (lookup == null || local.DeclaringSyntaxReferences.Length != 1) return null;
            var scope = local.DeclaringSyntaxReferences[0].GetSyntax(cancellation).FirstAncestorOrSelf<BlockSyntax>();
            if (scope == null) return null;
            var values = new List<SyntaxNode?>();
            foreach (var node in scope.DescendantNodes())
            {
                if (node is VariableDeclaratorSyntax declarator && declarator.Identifier.ValueText == local.Name &&
                    SymbolEqualityComparer.Default.Equals(fix.Model.GetDeclaredSymbol(declarator, cancellation), local))
                {
                    if (declarator.Initializer != null) values.Add(declarator.Initializer.Value);
                }
                else if (node is IdentifierNameSyntax name && name.Identifier.ValueText == local.Name && IsWritten(name) &&
                         SymbolEqualityComparer.Default.Equals(fix.Model.GetSymbolInfo(name, cancellation).Symbol, local))
                {
                    values.Add(name.Parent is AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment ? assignment.Right : null);
                }
            }
            return values.Count == 1 && values[0] == lookup ? lookup : null;
        }

        /// <summary>A guard that re-acquires the released context in the mode it was released in.</summary>
        private static Guard? Reacquire(Late late, int position)
        {
            if (late.Fix.InvocationAt(late.Release.Expression.Span, CancellationToken.None) is not { } release) return null;
            if (late.Probe.CallAt(release.Syntax) is not var (call, _, body)) return null;
            var site = call.Site;
            foreach (var template in call.Contract.Releases)
            {
                var instance = body.Paths.Instantiate(template, site);
                if (instance?.Key != late.Key) continue;
                var expression = late.Fix.ExpressionAt(template, site, position);
                var staticKey = late.Key.StartsWith("static:", System.StringComparison.Ordinal) ? late.Key : null;
                var guard = Guards.Fit(late.Fix, late.Body, expression, staticKey, template.Mode, instance.Type, position, new HashSet<string>(), scoped: false);
                if (guard != null && guard.Context.Key == late.Key) return guard;
            }
            return null;
        }

        /// <summary>The use's statement and the later statements of its block up to the last that uses the reference or what they declare.</summary>
        private static int LateRange(FixDocument fix, StatementSyntax statement, ILocalSymbol local, CancellationToken cancellation)
        {
            if (FixDocument.ListOf(statement) is not { } list) return 1;
            int start = list.IndexOf(statement), end = start;
            for (int k = start + 1; k < list.Count; k++)
            {
                var names = FixDocument.DeclaredNames(list.Skip(start).Take(k - start));
                if (Uses(fix, list[k], local, cancellation) || list[k].DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => names.Contains(n.Identifier.ValueText)))
                    end = k;
            }
            return end - start + 1;
        }

        /// <summary>
        /// The lookup can run again at <paramref name="position"/> with the same meaning: its arguments have no side effects
        /// and every local or parameter they name is declared there.
        /// </summary>
        private static bool ArgumentsAvailable(FixDocument fix, InvocationExpressionSyntax lookup, int position, CancellationToken cancellation)
        {
            foreach (var node in lookup.ArgumentList.DescendantNodes())
            {
                switch (node)
                {
                    case ArgumentSyntax { RefKindKeyword.RawKind: not 0 }:
                    case InvocationExpressionSyntax:
                    case ObjectCreationExpressionSyntax:
                    case AssignmentExpressionSyntax:
                    case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }:
                    case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }:
                    case AnonymousFunctionExpressionSyntax:
                        return false;
                    case IdentifierNameSyntax name:
                        var symbol = fix.Model.GetSymbolInfo(name, cancellation).Symbol;
                        if (symbol is ILocalSymbol or IParameterSymbol)
                        {
                            if (!fix.Model.LookupSymbols(position, name: name.Identifier.ValueText).Contains(symbol, SymbolEqualityComparer.Default)) return false;
                            if (symbol is ILocalSymbol local && local.DeclaringSyntaxReferences.Any(r => r.Span.End > position)) return false;
                        }
                        break;
                }
            }
            return true;
        }

        // ---- helpers ------------------------------------------------------------------------------------

        private static SyntaxNode? Within(SyntaxNode member, StatementSyntax statement, SyntaxNode? parent) =>
            parent == null || statement.Parent == null ? null : member.ReplaceNode(statement.Parent, parent);

        /// <summary>The index of the statement of <paramref name="list"/> that contains <paramref name="node"/>, or -1.</summary>
        private static int IndexOfAncestor(SyntaxList<StatementSyntax> list, SyntaxNode node)
        {
            for (int i = 0; i < list.Count; i++)
                if (list[i].Span.Contains(node.Span)) return i;
            return -1;
        }

        /// <summary>Nodes of the statement that run in its body (not in nested lambdas or local functions).</summary>
        private static IEnumerable<SyntaxNode> OwnNodes(SyntaxNode statement) =>
            statement.DescendantNodesAndSelf(n => n == statement || !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax));

        private static bool Uses(FixDocument fix, StatementSyntax statement, ILocalSymbol local, CancellationToken cancellation) =>
            OwnNodes(statement).OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == local.Name &&
                SymbolEqualityComparer.Default.Equals(fix.Model.GetSymbolInfo(n, cancellation).Symbol, local));

        /// <summary>The locals and parameters the release call's arguments and receiver name.</summary>
        private static ISet<ISymbol> Arguments(FixDocument fix, ExpressionStatementSyntax release, CancellationToken cancellation)
        {
            var symbols = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var name in release.DescendantNodes().OfType<IdentifierNameSyntax>())
                if (fix.Model.GetSymbolInfo(name, cancellation).Symbol is ILocalSymbol or IParameterSymbol)
                    symbols.Add(fix.Model.GetSymbolInfo(name, cancellation).Symbol!);
            return symbols;
        }

        private static bool Assigns(FixDocument fix, SyntaxNode node, ISet<ISymbol> symbols, CancellationToken cancellation) =>
            node is IdentifierNameSyntax name && IsWritten(name) && fix.Model.GetSymbolInfo(name, cancellation).Symbol is { } symbol && symbols.Contains(symbol);

        /// <summary>Whether the name is assigned, incremented, or passed by ref/out.</summary>
        private static bool IsWritten(IdentifierNameSyntax name) => name.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == name,
            PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } => true,
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => true,
            ArgumentSyntax argument => argument.RefKindKeyword.RawKind != 0,
            _ => false,
        };
    }
}
