using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
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

        public static LockOrder Build(ContractModel model)
        {
            var edges = new Dictionary<ISymbol, HashSet<ISymbol>>(SymbolEqualityComparer.Default);
            foreach (var assembly in model.AnnotatedAssemblies())
                foreach (var type in AllTypes(assembly.GlobalNamespace))
                {
                    AddEdges(model, type, edges);
                    foreach (var member in type.GetMembers())
                        if (member is IFieldSymbol || member is IPropertySymbol) AddEdges(model, member, edges);
                }
            return new LockOrder(edges);
        }

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
