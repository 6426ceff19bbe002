using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MmLock.PortMutation
{
    /// <summary>
    /// One guard acquisition in a port function, with the releases that end it. <see cref="Key"/> names it the same way in
    /// every profile: file, member, the acquiring call and the contexts it names at the call, and its occurrence in the member.
    /// </summary>
    public sealed record GuardSite(string Key, SyntaxTree Tree, MemberDeclarationSyntax Member, SyntaxNode Acquire,
        IReadOnlyList<SyntaxNode> Releases, string? Unmutable)
    {
        public string File => Key.Substring(0, Key.IndexOf(':'));
    }

    /// <summary>
    /// Finds the guard acquisitions of a compilation from the attributes alone: calls to <c>[Acquires*]</c> and
    /// <c>[TryAcquires*]</c> members and creations of <c>[ScopedGuard]</c> values, in members that are not themselves lock
    /// primitives (no <c>[NoLockAnalysis]</c>, no acquire/release contract).
    /// </summary>
    public static class GuardSites
    {
        private static readonly HashSet<string> AcquireAttributes = new(StringComparer.Ordinal)
            { "AcquiresAttribute", "AcquiresSharedAttribute", "TryAcquiresAttribute", "TryAcquiresSharedAttribute" };
        private static readonly HashSet<string> ReleaseAttributes = new(StringComparer.Ordinal)
            { "ReleasesAttribute", "ReleasesSharedAttribute", "DowngradesAttribute" };
        private static readonly HashSet<string> PrimitiveAttributes = new(AcquireAttributes.Concat(ReleaseAttributes).Append("NoLockAnalysisAttribute"), StringComparer.Ordinal);

        public static List<GuardSite> Find(Compilation compilation, string sourceRoot)
        {
            var sites = new List<GuardSite>();
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                SemanticModel model = compilation.GetSemanticModel(tree);
                string file = System.IO.Path.GetRelativePath(sourceRoot, tree.FilePath).Replace('\\', '/');
                foreach (MemberDeclarationSyntax member in tree.GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>()
                             .Where(m => m is BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax))
                {
                    if (model.GetDeclaredSymbol(member) is not ISymbol symbol || IsPrimitive(symbol)) continue;
                    var operations = Operations(member, model).ToList();
                    var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (int i = 0; i < operations.Count; i++)
                    {
                        var (node, kind, contexts, callee) = operations[i];
                        if (kind != OpKind.Acquire) continue;
                        string baseKey = $"{file}: {symbol.ContainingType.Name}.{symbol.Name}: {callee}({string.Join(", ", contexts)})";
                        int n = occurrences[baseKey] = occurrences.GetValueOrDefault(baseKey) + 1;
                        // Its releases: those of the same contexts after it, up to the next acquisition of them.
                        var releases = new List<SyntaxNode>();
                        for (int j = i + 1; j < operations.Count; j++)
                        {
                            var o = operations[j];
                            if (!o.Contexts.Intersect(contexts).Any()) continue;
                            if (o.Kind == OpKind.Acquire) break;
                            releases.Add(o.Node);
                        }
                        sites.Add(new GuardSite(n == 1 ? baseKey : $"{baseKey} #{n}", tree, member, node, releases,
                            UnmutableReason(node, model, releases)));
                    }
                }
            }
            // A key that repeats with #n must start at #1 too, so the first occurrence names its number once there are several.
            var repeated = sites.Where(s => s.Key.EndsWith(" #2", StringComparison.Ordinal)).Select(s => s.Key[..^3]).ToHashSet(StringComparer.Ordinal);
            return sites.Select(s => repeated.Contains(s.Key) ? s with { Key = s.Key + " #1" } : s).ToList();
        }

        private enum OpKind { Acquire, Release }

        private static IEnumerable<(SyntaxNode Node, OpKind Kind, IReadOnlyList<string> Contexts, string Callee)> Operations(SyntaxNode member, SemanticModel model)
        {
            foreach (SyntaxNode node in member.DescendantNodes())
            {
                IMethodSymbol? method = node switch
                {
                    InvocationExpressionSyntax inv => model.GetSymbolInfo(inv).Symbol as IMethodSymbol,
                    BaseObjectCreationExpressionSyntax creation => model.GetSymbolInfo(creation).Symbol as IMethodSymbol,
                    _ => null,
                };
                if (method is null) continue;
                var acquired = AttributeContexts(method, AcquireAttributes, node);
                var released = AttributeContexts(method, ReleaseAttributes, node);
                if (acquired.Count > 0) yield return (node, OpKind.Acquire, acquired, method.Name);
                else if (released.Count > 0) yield return (node, OpKind.Release, released, method.Name);
            }
        }

        private static List<string> AttributeContexts(IMethodSymbol method, HashSet<string> kinds, SyntaxNode call) =>
            method.GetAttributes().Where(a => a.AttributeClass is { } c && kinds.Contains(c.Name))
                .SelectMany(ContextArguments).Select(c => AtCall(c, method, call)).ToList();

        private static bool IsPrimitive(ISymbol symbol) =>
            symbol.GetAttributes().Any(a => a.AttributeClass is { } c && PrimitiveAttributes.Contains(c.Name));

        private static IEnumerable<string> ContextArguments(AttributeData attribute) =>
            attribute.ConstructorArguments.Where(a => a.Kind == TypedConstantKind.Array)
                .SelectMany(a => a.Values).Select(v => v.Value as string).Where(s => s is not null)!;

        /// <summary>The context expression as the call names it: the leading parameter (or <c>this</c>) replaced by its argument's text.</summary>
        private static string AtCall(string context, IMethodSymbol method, SyntaxNode call)
        {
            string text = context.Trim().TrimStart('@');
            foreach (string prefix in new[] { "shared ", "exclusive " })
                if (text.StartsWith(prefix, StringComparison.Ordinal)) text = text[prefix.Length..];
            int when = text.IndexOf(" when ", StringComparison.Ordinal);
            if (when >= 0) text = text[..when];
            int dot = text.IndexOf('.');
            string head = dot < 0 ? text : text[..dot], rest = dot < 0 ? "" : text[dot..];
            if (method.Parameters.All(p => p.Name != head) && head != "this")
                return text.StartsWith("ReferenceKernelMm.", StringComparison.Ordinal) ? text["ReferenceKernelMm.".Length..] : text;
            if (head == "this")
                return call is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? Normalize(access.Expression) + rest : text;
            ArgumentListSyntax? arguments = call switch
            {
                InvocationExpressionSyntax inv => inv.ArgumentList,
                BaseObjectCreationExpressionSyntax creation => creation.ArgumentList,
                _ => null,
            };
            int index = method.Parameters.IndexOf(method.Parameters.FirstOrDefault(p => p.Name == head)!);
            if (index < 0 || arguments is null) return text;
            ArgumentSyntax? argument = arguments.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == head)
                ?? (index < arguments.Arguments.Count && arguments.Arguments[index].NameColon is null ? arguments.Arguments[index] : null);
            return argument is null ? text : Normalize(argument.Expression) + rest;
        }

        private static string Normalize(SyntaxNode expression) =>
            string.Concat(expression.WithoutTrivia().ToString().Where(c => !char.IsWhiteSpace(c) && c != '!'));

        /// <summary>Why the acquisition cannot be removed by rewriting, or null when it can.</summary>
        private static string? UnmutableReason(SyntaxNode acquire, SemanticModel model, IReadOnlyList<SyntaxNode> releases)
        {
            if (Mutation.Replacement(acquire, model) is null) return "the acquisition's value is used and is not a try-acquire result";
            if (releases.Any(r => Mutation.Replacement(r, model) is null)) return "a release is part of an expression";
            return null;
        }
    }

    /// <summary>The rewrite that removes a site: each node becomes an empty block (a statement), the try-acquire's success value, or its type's default.</summary>
    public static class Mutation
    {
        /// <summary>The node that replaces <paramref name="node"/>'s statement or expression, or null when there is none.</summary>
        public static (SyntaxNode Original, SyntaxNode Replacement)? Replacement(SyntaxNode node, SemanticModel model)
        {
            switch (node.Parent)
            {
                case ExpressionStatementSyntax statement:
                    return (statement, SyntaxFactory.Block().WithTriviaFrom(statement));
                case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: LocalDeclarationStatementSyntax local } } }
                    when local.UsingKeyword != default:
                    return (local, SyntaxFactory.Block().WithTriviaFrom(local));
                case UsingStatementSyntax @using when @using.Expression == node:
                    return (@using, @using.Statement);
            }
            if (model.GetSymbolInfo(node).Symbol is not IMethodSymbol method) return null;
            AttributeData? tryAcquire = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.Name is "TryAcquiresAttribute" or "TryAcquiresSharedAttribute");
            ExpressionSyntax? value = tryAcquire?.ConstructorArguments.FirstOrDefault().Value switch
            {
                bool b => SyntaxFactory.LiteralExpression(b ? SyntaxKind.TrueLiteralExpression : SyntaxKind.FalseLiteralExpression),
                int i => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(i)),
                _ => null,
            };
            // An acquisition that returns what its release takes back (local_irq_save's flags): the value without the effect.
            if (value is null && tryAcquire is null && node.Parent is EqualsValueClauseSyntax && !method.ReturnsVoid)
                value = SyntaxFactory.ParseExpression($"default({method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)})");
            return value is null ? null : (node, value.WithTriviaFrom(node));
        }

        /// <summary>
        /// <paramref name="tree"/> without the acquisitions and releases of <paramref name="sites"/> (all in that tree, at most one
        /// per member); each site's member carries the annotation returned for it.
        /// </summary>
        public static (SyntaxTree Tree, Dictionary<GuardSite, SyntaxAnnotation> Members) Apply(SyntaxTree tree, IReadOnlyList<GuardSite> sites, SemanticModel model)
        {
            var markers = sites.ToDictionary(s => s, _ => new SyntaxAnnotation("mutated-member"));
            var members = sites.ToDictionary(s => (SyntaxNode)s.Member, s => markers[s]);
            if (members.Count != sites.Count) throw new InvalidOperationException("one site per member in a mutant");
            var replacements = sites.SelectMany(s => new[] { s.Acquire }.Concat(s.Releases)
                    .Select(n => Replacement(n, model) ?? throw new InvalidOperationException($"{s.Key}: not mutable")))
                .ToDictionary(r => r.Original, r => r.Replacement);
            SyntaxNode root = tree.GetRoot().ReplaceNodes(replacements.Keys.Concat(members.Keys),
                (original, rewritten) => members.TryGetValue(original, out var marker) ? rewritten.WithAdditionalAnnotations(marker)
                    : rewritten is UsingStatementSyntax @using ? @using.Statement
                    : replacements[original]);
            return (tree.WithRootAndOptions(root, tree.Options), markers);
        }
    }
}
