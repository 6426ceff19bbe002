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
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1001, MM2001–MM2004, MM2006: wraps the statement with the flagged call (and the later statements of its block
    /// that use what it declared) in <c>acquire(..); try { .. } finally { release(..); }</c>, where the acquire and release
    /// members are found by their contracts: their single template, bound with the call's expressions, is the missing context.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WrapInGuardCodeFix)), Shared]
    public sealed class WrapInGuardCodeFix : CodeFixProvider
    {
        public const string KeySuffix = ".WrapTryFinally";
        public const string UsingKeySuffix = ".WrapUsing";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1001", "MM2001", "MM2002", "MM2003", "MM2004", "MM2006");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => FixDocument.Guarded(() => RegisterAsync(context));

        private async Task RegisterAsync(CodeFixContext context)
        {
            FixDocument? fix = null;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!FixableDiagnosticIds.Contains(diagnostic.Id) || !diagnostic.Location.IsInSource) continue;
                fix ??= await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
                if (fix == null) return;
                if (fix.ReportedCallAt(diagnostic, context.CancellationToken) is not { } call) continue;
                var statement = FixDocument.StatementOf(call.Invocation.Syntax);
                if (statement == null || statement is LocalFunctionStatementSyntax || statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 }) continue;
                var (clause, paths, site) = (call.Clause, call.Paths, call.Site);

                var range = RangeOf(statement);
                var guard = FindGuard(fix, clause, paths, site, statement.SpanStart, FixDocument.DeclaredNames(range));
                if (guard is var (acquire, release))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create($"Wrap in '{acquire}' and 'try {{ }} finally {{ {release}; }}'",
                            ct => WrapAsync(context.Document, statement, range.Count, acquire, release, ct), diagnostic.Id + KeySuffix),
                        diagnostic);
                }
                var names = FixDocument.DeclaredNames(range);
                var scoped = FindGuard(fix, clause, paths, site, statement.SpanStart, names, scoped: true);
                var local = GuardName(fix, statement.SpanStart, names);
                if (scoped is var (factory, _) && local != null)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create($"Wrap in 'using (var {local} = {factory})'",
                            ct => WrapUsingAsync(context.Document, statement, range.Count, local, factory, ct), diagnostic.Id + UsingKeySuffix),
                        diagnostic);
                }
            }
        }

        /// <summary>The statement and the later statements of its block that use a local it (or they) declare.</summary>
        internal static List<StatementSyntax> RangeOf(StatementSyntax statement)
        {
            var range = new List<StatementSyntax> { statement };
            if (FixDocument.ListOf(statement) is not { } list) return range;
            int start = list.IndexOf(statement), end = start;
            var names = FixDocument.DeclaredNames(range);
            for (int k = start + 1; k < list.Count && names.Count > 0; k++)
            {
                if (!list[k].DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(n => names.Contains(n.Identifier.ValueText))) continue;
                end = k;
                names = FixDocument.DeclaredNames(list.Skip(start).Take(end - start + 1));
            }
            return list.Skip(start).Take(end - start + 1).ToList();
        }

        /// <summary>The acquire and release calls for the first alternative of the clause that some guard pair fits.</summary>
        internal static (string Acquire, string Release)? FindGuard(FixDocument fix, Clause clause, Paths paths, CallSite site, int position, ISet<string> unavailable, bool scoped = false)
        {
            foreach (var alternative in clause.Alternatives)
            {
                if (alternative.Root == RootKind.Existential) continue;
                var instance = paths.Instantiate(alternative, site);
                if (instance == null) continue;
                var expression = fix.ExpressionAt(alternative, site, position);
                var staticKey = instance.Key.StartsWith("static:", System.StringComparison.Ordinal) ? instance.Key : null;
                if (expression == null && staticKey == null) continue;
                var guard = scoped
                    ? ScopedGuardFor(fix, expression, staticKey, alternative.Mode, instance.Type, position, unavailable)
                    : GuardFor(fix, expression, staticKey, alternative.Mode, instance.Type, position, unavailable);
                if (guard != null) return guard;
            }
            return null;
        }

        /// <summary>An acquire/release pair for the context named by <paramref name="expression"/> (or the static key) that satisfies <paramref name="mode"/>.</summary>
        internal static (string Acquire, string Release)? GuardFor(FixDocument fix, string? expression, string? staticKey, Mode mode, ITypeSymbol? type,
            int position, ISet<string> unavailable)
        {
            bool anyMode = (fix.Contracts.FlagsOf(type) & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0;
            var preferred = mode == Mode.Exclusive ? Mode.Exclusive : Mode.Shared;
            var acquires = fix.StaticMethods(position)
                .Select(m => (Method: m, Contract: fix.ContractOf(m)))
                .Where(c => c.Contract.Acquires.Length == 1 && c.Contract.Releases.IsEmpty && c.Contract.TryAcquires.IsEmpty && c.Contract.Downgrades.IsEmpty
                            && c.Contract.Clauses.IsEmpty && (mode != Mode.Exclusive || anyMode || c.Contract.Acquires[0].Mode == Mode.Exclusive))
                .OrderBy(c => c.Contract.Acquires[0].Mode == preferred ? 0 : 1)
                .ThenByDescending(c => c.Contract.Acquires[0].Path.Length)
                .ThenBy(c => c.Method.ToDisplayString(), System.StringComparer.Ordinal)
                .ToList();
            foreach (var (method, contract) in acquires)
            {
                var template = contract.Acquires[0];
                var acquire = fix.CallFor(method, template, expression, staticKey, position, unavailable);
                if (acquire == null) continue;
                var release = fix.ReleaseFor(expression, staticKey, template.Mode, position, unavailable, method);
                if (release != null) return (acquire, release);
            }
            return null;
        }

        /// <summary>A [ScopedGuard] factory or constructor whose single acquire is the context (the release is its disposal).</summary>
        internal static (string Acquire, string Release)? ScopedGuardFor(FixDocument fix, string? expression, string? staticKey, Mode mode, ITypeSymbol? type,
            int position, ISet<string> unavailable)
        {
            bool anyMode = (fix.Contracts.FlagsOf(type) & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0;
            var preferred = mode == Mode.Exclusive ? Mode.Exclusive : Mode.Shared;
            var factories = fix.GuardFactories(position)
                .Select(m => (Method: m, Contract: fix.ContractOf(m)))
                .Where(c => c.Contract.Acquires.Length == 1 && c.Contract.Releases.IsEmpty && c.Contract.TryAcquires.IsEmpty && c.Contract.Downgrades.IsEmpty
                            && c.Contract.Clauses.IsEmpty && (mode != Mode.Exclusive || anyMode || c.Contract.Acquires[0].Mode == Mode.Exclusive))
                .OrderBy(c => c.Contract.Acquires[0].Mode == preferred ? 0 : 1)
                .ThenByDescending(c => c.Contract.Acquires[0].Path.Length)
                .ThenBy(c => c.Method.ToDisplayString(), System.StringComparer.Ordinal);
            foreach (var (method, contract) in factories)
                if (fix.CallFor(method, contract.Acquires[0], expression, staticKey, position, unavailable) is { } call) return (call, "");
            return null;
        }

        /// <summary>"guard", or "guard2".. when that name is taken; null when none is free.</summary>
        private static string? GuardName(FixDocument fix, int position, ISet<string> declared)
        {
            for (int i = 1; i <= 9; i++)
            {
                var name = i == 1 ? "guard" : "guard" + i;
                if (!declared.Contains(name) && fix.Model.LookupSymbols(position, name: name).IsEmpty) return name;
            }
            return null;
        }

        private static async Task<Document> WrapUsingAsync(Document document, StatementSyntax statement, int count, string local, string factory, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            var parent = statement.Parent;
            if (root == null || parent == null || !root.Contains(statement)) return document;
            var declaration = SyntaxFactory.VariableDeclaration(SyntaxFactory.IdentifierName("var"), SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.VariableDeclarator(local).WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.ParseExpression(factory)))));
            SyntaxNode updated;
            if (FixDocument.ListOf(statement) is { } list)
            {
                int start = list.IndexOf(statement);
                var body = list.Skip(start).Take(count).ToList();
                var leading = body[0].GetLeadingTrivia();
                var trailing = body[body.Count - 1].GetTrailingTrivia();
                body[0] = body[0].WithoutLeadingTrivia();
                var usingStatement = SyntaxFactory.UsingStatement(declaration, null, SyntaxFactory.Block(body))
                    .WithLeadingTrivia(leading).WithTrailingTrivia(trailing).WithAdditionalAnnotations(Formatter.Annotation);
                updated = FixDocument.WithStatements(parent, list.Take(start).Append(usingStatement).Concat(list.Skip(start + count)));
            }
            else
            {
                var usingStatement = SyntaxFactory.UsingStatement(declaration, null, SyntaxFactory.Block(statement.WithoutLeadingTrivia()))
                    .WithLeadingTrivia(statement.GetLeadingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
                updated = parent.ReplaceNode(statement, usingStatement);
            }
            return document.WithSyntaxRoot(root.ReplaceNode(parent, updated));
        }

        private static async Task<Document> WrapAsync(Document document, StatementSyntax statement, int count, string acquire, string release, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            if (root == null || !root.Contains(statement)) return document;
            var updated = Wrap(statement, count, FixDocument.Statement(acquire + ";"), release);
            return updated == null ? document : document.WithSyntaxRoot(root.ReplaceNode(statement.Parent!, updated));
        }

        /// <summary>The statement's parent with <paramref name="count"/> statements from it wrapped after <paramref name="before"/>.</summary>
        internal static SyntaxNode? Wrap(StatementSyntax statement, int count, StatementSyntax before, string release)
        {
            var parent = statement.Parent;
            if (parent == null) return null;
            if (FixDocument.ListOf(statement) is { } list)
            {
                int start = list.IndexOf(statement);
                var body = list.Skip(start).Take(count).ToList();
                var leading = body[0].GetLeadingTrivia();
                body[0] = body[0].WithoutLeadingTrivia();
                var replacement = new StatementSyntax[] { before.WithLeadingTrivia(leading), FixDocument.TryFinally(body, release) };
                return FixDocument.WithStatements(parent, list.Take(start).Concat(replacement).Concat(list.Skip(start + count)));
            }
            // An embedded statement (if/else/loop body): the pair needs a block of its own.
            var block = SyntaxFactory.Block(before, FixDocument.TryFinally(new[] { statement.WithoutLeadingTrivia() }, release))
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            return parent.ReplaceNode(statement, block);
        }
    }
}
