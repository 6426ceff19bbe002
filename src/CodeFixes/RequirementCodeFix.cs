using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1001, MM2001–MM2004, MM2006: a call without its guards. Offered in this order (dotnet format applies the first
    /// action it is offered, so the order is the command line's choice too): wrap the statement in every missing guard,
    /// in the declared lock order, as nested try/finally; the same as stacked <c>using</c> scoped guards; or move the
    /// requirement to the caller. A context held shared where the call needs it exclusively is taken exclusively instead. One provider, so that the order does not depend on how a host enumerates providers.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RequirementCodeFix)), Shared]
    public sealed class RequirementCodeFix : CodeFixProvider
    {
        public const string WrapSuffix = ".WrapTryFinally";
        public const string UsingSuffix = ".WrapUsing";
        public const string MoveSuffix = ".MoveToCaller";
        public const string ExclusiveSuffix = ".TakeExclusively";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1001", "MM2001", "MM2002", "MM2003", "MM2004", "MM2006");

        public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        private async Task RegisterAsync(CodeFixContext context)
        {
            FixDocument? fix = null;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!FixableDiagnosticIds.Contains(diagnostic.Id) || !diagnostic.Location.IsInSource) continue;
                fix ??= await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
                if (fix == null) return;
                if (fix.ReportedCallAt(diagnostic, context.CancellationToken) is not { } call) continue;
                await RegisterWrapsAsync(context, fix, diagnostic, call).ConfigureAwait(false);
                await RegisterExclusiveAsync(context, fix, diagnostic, call).ConfigureAwait(false);
                await RegisterMoveAsync(context, fix, diagnostic, call).ConfigureAwait(false);
            }
        }

        private static async Task RegisterWrapsAsync(CodeFixContext context, FixDocument fix, Diagnostic diagnostic, ReportedCall call)
        {
            if (StatementTarget.Of(fix, call.Syntax, call.Probe, context.CancellationToken) is not { } target) return;
            var statement = target.Statement;
            if (statement is LocalFunctionStatementSyntax || statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 }) return;
            // The guards go before the statement: the state there must be the state at the call.
            if (ChangesContextsBefore(fix, target.Original, call.Syntax, context)) return;
            var range = WrapInGuard.RangeOf(statement);
            var names = FixDocument.DeclaredNames(range);
            int position = target.Original.SpanStart;
            var blockBody = target.Block == null ? "" : "Use a block body and w";
            // A lock held across 'yield return' is MM1010: the yielded value is computed inside the guards, yielded after them.
            System.Func<System.Func<List<StatementSyntax>, List<StatementSyntax>>, System.Func<List<StatementSyntax>, List<StatementSyntax>>> shape = w => w;
            if (statement is YieldStatementSyntax { RawKind: (int)SyntaxKind.YieldReturnStatement, Expression: { } yielded } &&
                WrapInGuard.Hoisting(fix, yielded, position, names, context.CancellationToken) is { } hoisting)
            {
                names.Add(hoisting.Name);
                shape = w => body => WrapInGuard.Hoist(hoisting.Type, hoisting.Name, yielded, body[0], w);
                blockBody = "Compute the yielded value first and w";
            }

            if (Guards.ForCall(fix, call, position, names, scoped: false) is { Count: > 0 } guards)
            {
                var edited = await FixCheck.EditAsync(fix, call.Probe,
                    m => target.Edit(m, WrapInGuard.Replace(statement, range.Count, shape(body => WrapInGuard.Nested(guards, body)))),
                    diagnostic, context.CancellationToken, target.Scope).ConfigureAwait(false);
                if (edited != null)
                    context.RegisterCodeFix(CodeAction.Create(Titled(blockBody, TryFinallyTitle(guards)), _ => Task.FromResult(edited), diagnostic.Id + WrapSuffix), diagnostic);
            }

            if (Guards.ForCall(fix, call, position, names, scoped: true) is { Count: > 0 } scoped &&
                WrapInGuard.GuardNames(fix, position, names, scoped.Count) is { } locals)
            {
                var edited = await FixCheck.EditAsync(fix, call.Probe,
                    m => target.Edit(m, WrapInGuard.Replace(statement, range.Count, shape(body => new List<StatementSyntax> { WrapInGuard.Usings(scoped, locals, body) }))),
                    diagnostic, context.CancellationToken, target.Scope).ConfigureAwait(false);
                var title = "Wrap in " + string.Join(" and ", scoped.Select((g, i) => $"'using (var {locals[i]} = {g.Acquire})'"));
                if (edited != null)
                    context.RegisterCodeFix(CodeAction.Create(Titled(blockBody, title), _ => Task.FromResult(edited), diagnostic.Id + UsingSuffix), diagnostic);
            }
        }

        /// <summary>"Wrap in .." or, when an expression body becomes a block first (or a yielded value is computed first), "Use a block body and wrap in ..".</summary>
        private static string Titled(string blockBody, string title) => blockBody.Length == 0 ? title : blockBody + title.Substring(1);

        private static async Task RegisterExclusiveAsync(CodeFixContext context, FixDocument fix, Diagnostic diagnostic, ReportedCall call)
        {
            if (diagnostic.Id != "MM1001" || TakeExclusively.For(fix, call, context.CancellationToken) is not var (edit, title)) return;
            var edited = await FixCheck.EditAsync(fix, call.Probe, edit, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (edited != null) context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(edited), diagnostic.Id + ExclusiveSuffix), diagnostic);
        }

        private static async Task RegisterMoveAsync(CodeFixContext context, FixDocument fix, Diagnostic diagnostic, ReportedCall call)
        {
            var declaration = MoveRequirementToCaller.DeclarationOf(call.Syntax);
            if (declaration == null || fix.Model.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol caller) return;
            var attribute = MoveRequirementToCaller.AttributeFor(fix, call, caller, declaration.SpanStart);
            if (attribute == null) return;
            var edited = await FixCheck.EditAsync(fix, call.Probe, m => MoveRequirementToCaller.Edit(m, declaration, attribute), diagnostic, context.CancellationToken)
                .ConfigureAwait(false);
            if (edited == null) return;
            // The move is offered though it makes diagnostics at the callers (that is where the problem goes): the title counts them.
            var (references, created) = await FixCheck.AtCallersAsync(fix, call.Probe.Member, edited, caller, context.CancellationToken).ConfigureAwait(false);
            var need = MoveRequirementToCaller.NeedOf(fix, call, caller);
            var callers = references == 0 ? "no callers in the solution"
                : created == 0 ? $"every caller holds {need}"
                : created == 1 ? $"1 caller will need {need}" : $"{created} callers will need {need}";
            context.RegisterCodeFix(
                CodeAction.Create($"Add [{attribute}] to '{CallSite.DisplayName(caller)}' ({callers})", _ => Task.FromResult(edited), diagnostic.Id + MoveSuffix), diagnostic);
        }

        private static string TryFinallyTitle(IReadOnlyList<Guard> guards) => guards.Count == 1
            ? $"Wrap in '{guards[0].Acquire}' and 'try {{ }} finally {{ {guards[0].Release}; }}'"
            : "Wrap in " + string.Join(", then ", guards.Select(g => $"'{g.Acquire}'")) + ", each with 'try { } finally { release; }' ("
              + string.Join(", ", guards.Select(g => g.Release).Reverse()) + ")";

        /// <summary>Whether a call that changes the held contexts runs in the statement before the flagged call.</summary>
        private static bool ChangesContextsBefore(FixDocument fix, SyntaxNode statement, SyntaxNode call, CodeFixContext context) =>
            statement.DescendantNodes().OfType<InvocationExpressionSyntax>()
                .Where(i => i.Span.End <= call.SpanStart)
                .Any(i => fix.Model.GetSymbolInfo(i, context.CancellationToken).Symbol is { } symbol && fix.ContractOf(symbol).ChangesContexts);
    }
}
