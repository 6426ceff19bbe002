using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.PortMutation
{
    /// <summary>One requirement or role attribute taken off a helper.</summary>
    public sealed record RemovedAttribute(string File, string Member, string Attribute);

    /// <summary>
    /// The port without the contracts inference can compute: every <c>Requires*</c> and role attribute of a private or internal
    /// method whose contract is made of those alone. Primitives (acquire/release, <c>[NoLockAnalysis]</c>), public entry points,
    /// and members with any other contract attribute (<c>[ReturnsGuarded]</c>, <c>[MightSleep]</c>, <c>[ReadsMemmap]</c>, ...) keep theirs.
    /// </summary>
    public static class HelperContracts
    {
        private static readonly HashSet<string> Inferable = new(StringComparer.Ordinal)
        {
            "Requires", "RequiresShared", "RequiresAny",
            "PageTableWalker", "TableFreer", "LeafModifier", "ReplacesLiveRoot",
        };

        /// <summary>The option under which the stripped port is analysed: internal helpers get summaries too.</summary>
        public static AnalyzerOptions InferAssembly { get; } = new(ImmutableArray<AdditionalText>.Empty,
            new ConfigOptions(new Dictionary<string, string> { ["mmlock_inference"] = "assembly" }));

        /// <summary>The helpers whose contract is made of inferable attributes only, by documentation ID, with their display names.</summary>
        public static Dictionary<string, string> Candidates(Compilation compilation)
        {
            var candidates = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                SemanticModel model = compilation.GetSemanticModel(tree);
                foreach (MethodDeclarationSyntax method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
                    if (Contract(method, model) is { Count: > 0 } && model.GetDeclaredSymbol(method) is { } symbol)
                        candidates[DocumentationCommentId.CreateDeclarationId(symbol)!] = $"{symbol.ContainingType.Name}.{symbol.Name}";
            }
            return candidates;
        }

        /// <summary>The compilation without the contract attributes of the helpers named (by documentation ID) in <paramref name="helpers"/>.</summary>
        public static (Compilation Stripped, IReadOnlyList<RemovedAttribute> Removed) Strip(Compilation compilation, string sourceRoot, IReadOnlySet<string> helpers)
        {
            var removed = new List<RemovedAttribute>();
            Compilation stripped = compilation;
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                SemanticModel model = compilation.GetSemanticModel(tree);
                string file = System.IO.Path.GetRelativePath(sourceRoot, tree.FilePath).Replace('\\', '/');
                var rewritten = new Dictionary<MethodDeclarationSyntax, MethodDeclarationSyntax>();
                foreach (MethodDeclarationSyntax method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
                {
                    if (model.GetDeclaredSymbol(method) is not IMethodSymbol symbol || !helpers.Contains(DocumentationCommentId.CreateDeclarationId(symbol)!)) continue;
                    var contract = Contract(method, model)!;
                    var lists = method.AttributeLists
                        .Select(l => l.WithAttributes(SyntaxFactory.SeparatedList(l.Attributes.Where(a => !contract.Contains(a)))))
                        .Where(l => l.Attributes.Count > 0);
                    // The declaration's indentation and doc comment sit on its first token, which may be a removed list's '['.
                    rewritten[method] = method.WithAttributeLists(SyntaxFactory.List(lists)).WithLeadingTrivia(method.GetLeadingTrivia());
                    removed.AddRange(contract.Select(a => new RemovedAttribute(file, $"{symbol.ContainingType.Name}.{symbol.Name}", a.ToString())));
                }
                if (rewritten.Count == 0) continue;
                SyntaxNode root = tree.GetRoot().ReplaceNodes(rewritten.Keys, (original, _) => rewritten[original]);
                stripped = stripped.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(root, tree.Options));
            }
            return (stripped, removed);
        }

        /// <summary>A helper's MmLock attributes when they are all inferable, else null.</summary>
        private static List<AttributeSyntax>? Contract(MethodDeclarationSyntax method, SemanticModel model)
        {
            if (model.GetDeclaredSymbol(method) is not IMethodSymbol symbol || !IsHelper(symbol)) return null;
            var contract = method.AttributeLists.SelectMany(l => l.Attributes).Where(a => IsMmLock(a, model)).ToList();
            return contract.All(a => Inferable.Contains(Name(a))) ? contract : null;
        }

        private static bool IsHelper(IMethodSymbol method) =>
            method.DeclaredAccessibility is Accessibility.Private or Accessibility.Internal or Accessibility.ProtectedAndInternal;

        private static bool IsMmLock(AttributeSyntax attribute, SemanticModel model) =>
            model.GetSymbolInfo(attribute).Symbol?.ContainingType is { } type && type.ContainingNamespace?.ToDisplayString() == "MmLock";

        private static string Name(AttributeSyntax attribute)
        {
            string name = attribute.Name switch
            {
                QualifiedNameSyntax q => q.Right.Identifier.ValueText,
                SimpleNameSyntax s => s.Identifier.ValueText,
                _ => attribute.Name.ToString(),
            };
            return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
        }

        private sealed class ConfigOptions : AnalyzerConfigOptionsProvider
        {
            private readonly Options options;

            public ConfigOptions(Dictionary<string, string> values) { options = new Options(values); }

            public override AnalyzerConfigOptions GlobalOptions => options;
            public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;
            public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

            private sealed class Options : AnalyzerConfigOptions
            {
                public static readonly Options Empty = new(new Dictionary<string, string>());
                private readonly Dictionary<string, string> values;

                public Options(Dictionary<string, string> values) { this.values = values; }

                public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
            }
        }
    }
}
