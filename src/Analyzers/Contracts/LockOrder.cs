using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Contexts;

namespace MmLock.Analyzers.Contracts
{
    /// <summary>
    /// The declared lock order: edges from [AcquiredBefore]/[AcquiredAfter] on fields, properties and [Context]
    /// types of the compilation and of annotated references, queried through their transitive closure.
    /// </summary>
    internal sealed class LockOrder
    {
        private readonly Dictionary<ISymbol, HashSet<ISymbol>> _edges;
        private readonly ConcurrentDictionary<ISymbol, HashSet<ISymbol>> _closure = new ConcurrentDictionary<ISymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);

        private LockOrder(Dictionary<ISymbol, HashSet<ISymbol>> edges) { _edges = edges; }

        public bool IsEmpty => _edges.Count == 0;

        /// <summary>
        /// The edges, bound for this compilation. Only the members that carry an order attribute are bound; finding them is
        /// cached per referenced assembly symbol and per syntax tree, so a new compilation (every keystroke in the IDE)
        /// looks again only at the trees that changed.
        /// </summary>
        public static LockOrder Build(ContractModel model)
        {
            var owners = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var assembly in model.AnnotatedAssemblies())
            {
                if (SymbolEqualityComparer.Default.Equals(assembly, model.Compilation.Assembly)) owners.UnionWith(SourceOwners(model.Compilation));
                else owners.UnionWith(OwnersOf(assembly));
            }
            if (model.ContractsFile != null)
                owners.UnionWith(model.ContractsFile.Members.Keys.Where(k => k is INamedTypeSymbol or IFieldSymbol or IPropertySymbol));
            var edges = new Dictionary<ISymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);
            foreach (var owner in owners) AddEdges(model, owner, edges);
            return new LockOrder(edges);
        }

        private static readonly ConditionalWeakTable<IAssemblySymbol, OwnerList> AssemblyOwners = new ConditionalWeakTable<IAssemblySymbol, OwnerList>();
        private static readonly ConditionalWeakTable<SyntaxTree, TreeOwners> TreeCandidates = new ConditionalWeakTable<SyntaxTree, TreeOwners>();

        private sealed class OwnerList
        {
            public OwnerList(ImmutableArray<ISymbol> owners) { Owners = owners; }
            public ImmutableArray<ISymbol> Owners { get; }
        }

        /// <summary>The types, fields and properties of a referenced assembly that carry [AcquiredBefore] or [AcquiredAfter], found once per assembly symbol.</summary>
        internal static ImmutableArray<ISymbol> OwnersOf(IAssemblySymbol assembly) =>
            AssemblyOwners.GetValue(assembly, a =>
            {
                var owners = ImmutableArray.CreateBuilder<ISymbol>();
                foreach (var type in AllTypes(a.GlobalNamespace))
                {
                    if (HasOrderAttribute(type)) owners.Add(type);
                    foreach (var member in type.GetMembers())
                        if (member is IFieldSymbol or IPropertySymbol && HasOrderAttribute(member)) owners.Add(member);
                }
                return new OwnerList(owners.ToImmutable());
            }).Owners;

        private static bool HasOrderAttribute(ISymbol symbol) =>
            symbol.GetAttributes().Any(a => AttributeInfo.IsMmLockAttribute(a.AttributeClass) && a.AttributeClass!.Name is "AcquiredBeforeAttribute" or "AcquiredAfterAttribute");

        /// <summary>The declarations of one tree whose attribute lists name an order attribute, or an alias of one the tree declares.</summary>
        internal sealed class TreeOwners
        {
            public TreeOwners(ImmutableArray<AttributeSyntax> attributes, ImmutableArray<string> aliases)
            {
                Attributes = attributes;
                Aliases = aliases;
            }

            /// <summary>Every attribute of a type, field or property declaration (the name is checked against the aliases of all trees).</summary>
            public ImmutableArray<AttributeSyntax> Attributes { get; }
            /// <summary>Alias names this tree gives to an order attribute (a global alias applies to every tree).</summary>
            public ImmutableArray<string> Aliases { get; }
        }

        internal static TreeOwners CandidatesOf(SyntaxTree tree) =>
            TreeCandidates.GetValue(tree, t =>
            {
                var attributes = ImmutableArray.CreateBuilder<AttributeSyntax>();
                var aliases = ImmutableArray.CreateBuilder<string>();
                // Bodies and initializers hold no declarations that can carry an order.
                foreach (var node in t.GetRoot().DescendantNodes(n => n is not (BlockSyntax or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax)))
                {
                    if (node is UsingDirectiveSyntax { Alias: { } alias, NamespaceOrType: NameSyntax target } && IsOrderName(RightmostName(target)))
                        aliases.Add(alias.Name.Identifier.ValueText);
                    else if (node is AttributeSyntax attribute && attribute.Parent?.Parent is BaseTypeDeclarationSyntax or FieldDeclarationSyntax or PropertyDeclarationSyntax)
                        attributes.Add(attribute);
                }
                return new TreeOwners(attributes.ToImmutable(), aliases.ToImmutable());
            });

        private static IEnumerable<ISymbol> SourceOwners(Compilation compilation)
        {
            var candidates = compilation.SyntaxTrees.Select(t => (Tree: t, Owners: CandidatesOf(t))).ToList();
            var aliases = new HashSet<string>(candidates.SelectMany(c => c.Owners.Aliases));
            foreach (var (tree, owners) in candidates)
            {
                SemanticModel? model = null;
                foreach (var attribute in owners.Attributes)
                {
                    var name = RightmostName(attribute.Name);
                    if (!IsOrderName(name) && !aliases.Contains(name)) continue;
                    model ??= compilation.GetSemanticModel(tree);
                    var declaration = attribute.Parent!.Parent!;
                    if (declaration is FieldDeclarationSyntax field)
                    {
                        foreach (var variable in field.Declaration.Variables)
                            if (model.GetDeclaredSymbol(variable) is { } symbol) yield return symbol;
                    }
                    else if (model.GetDeclaredSymbol(declaration) is { } symbol) yield return symbol;
                }
            }
        }

        private static string RightmostName(NameSyntax name) => name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => name.ToString(),
        };

        private static bool IsOrderName(string name) =>
            name is "AcquiredBefore" or "AcquiredBeforeAttribute" or "AcquiredAfter" or "AcquiredAfterAttribute";

        private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
        {
            foreach (var member in ns.GetMembers())
            {
                if (member is INamespaceSymbol inner)
                    foreach (var type in AllTypes(inner)) yield return type;
                else if (member is INamedTypeSymbol type)
                    foreach (var nested in WithNested(type)) yield return nested;
            }
        }

        private static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type)
        {
            yield return type;
            foreach (var nested in type.GetTypeMembers())
                foreach (var inner in WithNested(nested)) yield return inner;
        }

        private static void AddEdges(ContractModel model, ISymbol owner, Dictionary<ISymbol, HashSet<ISymbol>> edges)
        {
            foreach (var attribute in model.AttributesOf(owner))
            {
                bool before = attribute.Name == "AcquiredBefore";
                if (!before && attribute.Name != "AcquiredAfter") continue;
                if (!model.ConditionHolds(attribute.When)) continue;
                foreach (var text in attribute.ContextArguments(0))
                {
                    var other = Resolve(model, text, owner, out _);
                    if (other == null) continue;
                    var from = before ? owner.OriginalDefinition : other;
                    var to = before ? other : owner.OriginalDefinition;
                    if (!edges.TryGetValue(from, out var set)) edges[from] = set = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                    set.Add(to);
                }
            }
        }

        /// <summary>An order node: a field or property (any instance), or a [Context] type (all its instances).</summary>
        public static ISymbol? Resolve(ContractModel model, string text, ISymbol owner, out string? error)
        {
            var parsed = ParsedExpression.Parse(text);
            var template = model.Binder.Bind(parsed, owner, Mode.Either, allowExistential: false, out error);
            if (template?.DeclaringMember != null) return template.DeclaringMember.OriginalDefinition;
            var asType = model.Binder.Bind(ParsedExpression.Parse("any " + parsed.Path), owner, Mode.Either, allowExistential: true, out _);
            if (asType?.Type != null)
            {
                error = null;
                return asType.Type.OriginalDefinition;
            }
            return null;
        }

        /// <summary>True when <paramref name="acquired"/> is declared to come before <paramref name="held"/>.</summary>
        public bool Violates(ContextInstance acquired, ContextInstance held)
        {
            if (IsEmpty) return false;
            var targets = new HashSet<ISymbol>(Nodes(held), SymbolEqualityComparer.Default);
            foreach (var node in Nodes(acquired))
                if (Closure(node).Overlaps(targets)) return true;
            return false;
        }

        private static IEnumerable<ISymbol> Nodes(ContextInstance instance)
        {
            if (instance.DeclaringMember != null) yield return instance.DeclaringMember.OriginalDefinition;
            for (var type = instance.Type as INamedTypeSymbol; type != null; type = type.BaseType)
                yield return type.OriginalDefinition;
        }

        private HashSet<ISymbol> Closure(ISymbol start) => _closure.GetOrAdd(start, s =>
        {
            var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var stack = new Stack<ISymbol>();
            stack.Push(s);
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                if (!_edges.TryGetValue(node, out var next)) continue;
                foreach (var target in next)
                    if (seen.Add(target)) stack.Push(target);
            }
            return seen;
        });
    }
}
