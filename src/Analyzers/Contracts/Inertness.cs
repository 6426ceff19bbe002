using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Analyzers.Contracts
{
    /// <summary>
    /// Whether nothing in a compilation can carry a contract, decided before any body is looked at: a project that
    /// installed the package and annotated nothing then pays no operation tree walk and no graph (issue 12's 1% goal).
    /// Conservative: a compilation is inert only when no source text spells an identifier naming an MmLock attribute
    /// type (an alias, too, spells its target somewhere), no reference other than the attributes' own assemblies
    /// references them, and those assemblies annotate none of their own members.
    /// </summary>
    internal static class Inertness
    {
        private static readonly ConditionalWeakTable<SyntaxTree, TreeScan> Scans = new ConditionalWeakTable<SyntaxTree, TreeScan>();
        private static readonly ConditionalWeakTable<IAssemblySymbol, StrongBox<bool>> SelfAnnotated = new ConditionalWeakTable<IAssemblySymbol, StrongBox<bool>>();

        /// <summary>The last scan of a tree, for the set of names it was made with (the same set in practice, every compilation).</summary>
        private sealed class TreeScan
        {
            public volatile Tuple<string, bool>? Result;
        }

        public static bool IsInert(ContractModel model, System.Threading.CancellationToken cancellation)
        {
            if (model.ContractsFile != null) return false;
            var names = model.AttributeTypeNames;
            var definers = model.AttributeAssemblies;
            foreach (var reference in model.Compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (definers.Contains(reference.Name))
                {
                    if (SelfAnnotated.GetValue(reference, a => new StrongBox<bool>(AnnotatesItself(a))).Value) return false;
                }
                else if (reference.Modules.Any(m => m.ReferencedAssemblies.Any(r => definers.Contains(r.Name)))) return false;
            }
            var signature = string.Join(",", names.OrderBy(n => n, StringComparer.Ordinal));
            var matcher = new NameMatcher(names.Concat(names.Select(n => n.Substring(0, n.Length - "Attribute".Length))));
            foreach (var tree in model.Compilation.SyntaxTrees)
            {
                cancellation.ThrowIfCancellationRequested();
                var scan = Scans.GetValue(tree, _ => new TreeScan());
                var result = scan.Result;
                if (result == null || result.Item1 != signature)
                    scan.Result = result = Tuple.Create(signature, matcher.Mentions(tree.GetText(cancellation)));
                if (result.Item2) return false;
            }
            return true;
        }

        /// <summary>Whether an assembly defining MmLock attributes applies one to any of its own types or members.</summary>
        private static bool AnnotatesItself(IAssemblySymbol assembly)
        {
            if (assembly.GetAttributes().Any(a => AttributeInfo.IsMmLockAttribute(a.AttributeClass))) return true;
            var types = new Stack<INamespaceOrTypeSymbol>();
            types.Push(assembly.GlobalNamespace);
            while (types.Count > 0)
            {
                var current = types.Pop();
                foreach (var member in current.GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol container) types.Push(container);
                    if (member is not INamespaceSymbol && member.GetAttributes().Any(a => AttributeInfo.IsMmLockAttribute(a.AttributeClass))) return true;
                    if (member is IMethodSymbol method && method.Parameters.Any(p => p.GetAttributes().Any(a => AttributeInfo.IsMmLockAttribute(a.AttributeClass)))) return true;
                }
            }
            return false;
        }

        /// <summary>Finds whole identifiers of a set in source text without allocating a string per identifier.</summary>
        private sealed class NameMatcher
        {
            private readonly Dictionary<int, List<string>> _byHash = new Dictionary<int, List<string>>();
            private readonly char[] _buffer = new char[8192];

            public NameMatcher(IEnumerable<string> names)
            {
                foreach (var name in names)
                {
                    int hash = 17;
                    foreach (var c in name) hash = unchecked(hash * 31 + c);
                    if (!_byHash.TryGetValue(hash, out var list)) _byHash[hash] = list = new List<string>();
                    list.Add(name);
                }
            }

            /// <summary>
            /// True when the text holds one of the names as an identifier, or an identifier that could spell one differently
            /// (a Unicode escape, or a formatting character, which C# ignores in identifiers).
            /// </summary>
            public bool Mentions(SourceText text)
            {
                var identifier = new System.Text.StringBuilder();
                int hash = 17;
                char previous = '\0';
                bool inIdentifier = false, respelled = false;
                for (int start = 0; start < text.Length; start += _buffer.Length)
                {
                    int count = Math.Min(_buffer.Length, text.Length - start);
                    text.CopyTo(start, _buffer, 0, count);
                    for (int i = 0; i < count; i++)
                    {
                        char c = _buffer[i];
                        bool format = c > 127 && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;
                        if (c == '_' || c == '\\' || format || char.IsLetterOrDigit(c))
                        {
                            if (!inIdentifier) { inIdentifier = true; identifier.Clear(); hash = 17; respelled = false; previous = '\0'; }
                            if (format || (previous == '\\' && (c == 'u' || c == 'U'))) respelled = true;
                            previous = c;
                            identifier.Append(c);
                            hash = unchecked(hash * 31 + c);
                            continue;
                        }
                        if (inIdentifier && End(identifier, hash, respelled)) return true;
                        inIdentifier = false;
                    }
                }
                return inIdentifier && End(identifier, hash, respelled);
            }

            private bool End(System.Text.StringBuilder identifier, int hash, bool respelled)
            {
                if (respelled) return true;
                if (!_byHash.TryGetValue(hash, out var candidates)) return false;
                foreach (var name in candidates)
                {
                    if (name.Length != identifier.Length) continue;
                    int i = 0;
                    while (i < name.Length && name[i] == identifier[i]) i++;
                    if (i == name.Length) return true;
                }
                return false;
            }
        }
    }
}
