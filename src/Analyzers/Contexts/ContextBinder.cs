using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace MmLock.Analyzers.Contexts
{
    /// <summary>
    /// Binds context expressions where they are declared: against the owner's parameters, its receiver, its
    /// result, the members of its containing type, and type names (no usings are consulted, so an annotation
    /// means the same in every assembly).
    /// </summary>
    internal sealed class ContextBinder
    {
        private readonly System.Func<INamedTypeSymbol, bool> _isMarkedContext;
        private readonly Compilation _compilation;
        private readonly Dictionary<ITypeSymbol, bool> _contextTypes = new Dictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly object _gate = new object();

        /// <param name="isMarkedContext">Whether a type itself (not its bases) is marked [Context].</param>
        public ContextBinder(Compilation compilation, System.Func<INamedTypeSymbol, bool> isMarkedContext)
        {
            _compilation = compilation;
            _isMarkedContext = isMarkedContext;
        }

        public bool IsContextType(ITypeSymbol? type)
        {
            if (type == null) return false;
            lock (_gate)
            {
                if (_contextTypes.TryGetValue(type, out var known)) return known;
            }
            bool result = false;
            for (var current = type as INamedTypeSymbol ?? type.BaseType; current != null && !result; current = current.BaseType)
                result = _isMarkedContext(current);
            if (!result && type is ITypeParameterSymbol parameter)
                result = parameter.ConstraintTypes.Any(IsContextType);
            lock (_gate) _contextTypes[type] = result;
            return result;
        }

        /// <summary>
        /// Binds <paramref name="parsed"/> for <paramref name="owner"/> (a method, property, field, type, or null for
        /// the assembly). Returns null with <paramref name="error"/> set when it does not resolve.
        /// </summary>
        public ContextTemplate? Bind(ParsedExpression parsed, ISymbol? owner, Mode defaultMode, bool allowExistential, out string? error)
        {
            error = null;
            // 'any T' without a prefix accepts either mode; with one, that mode only (contract §3.1).
            var mode = parsed.ExplicitMode ?? (parsed.Existential ? Mode.Either : defaultMode);
            if (parsed.Path.Length == 0)
            {
                error = "the expression is empty";
                return null;
            }
            var segments = parsed.Path.Split('.').Select(s => s.Trim().TrimStart('@')).ToArray();
            if (segments.Any(s => s.Length == 0 || !SyntaxFacts_IsIdentifier(s)))
            {
                error = "it is not a dotted path of identifiers";
                return null;
            }
            if (owner is INamedTypeSymbol { TypeKind: TypeKind.Delegate } delegateType && delegateType.DelegateInvokeMethod != null)
                owner = delegateType.DelegateInvokeMethod;

            if (parsed.Existential)
            {
                if (!allowExistential)
                {
                    error = "'any T' is allowed only in requirements";
                    return null;
                }
                var type = ResolveTypePath(segments, owner, out int consumed);
                if (type == null || consumed != segments.Length)
                {
                    error = $"'{parsed.Path}' does not resolve to a type";
                    return null;
                }
                if (!IsContextType(type))
                {
                    error = $"'{type.ToDisplayString()}' is not a [Context] type";
                    return null;
                }
                return new ContextTemplate("any " + parsed.Path, mode, RootKind.Existential, -1, type.Name, null, ImmutableArray<ISymbol>.Empty, type);
            }

            var method = owner as IMethodSymbol;
            var parameters = method?.Parameters ?? (owner as IPropertySymbol)?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
            bool ownerIsStatic = owner == null || owner.IsStatic || owner is INamedTypeSymbol;
            var containingType = owner as INamedTypeSymbol ?? owner?.ContainingType;

            RootKind root;
            int ordinal = -1;
            string rootName = segments[0];
            ISymbol? staticMember = null;
            ITypeSymbol? current;
            int next = 1;

            var parameter = parameters.FirstOrDefault(p => p.Name == segments[0]);
            if (segments[0] == "this")
            {
                if (method != null && method.IsExtensionMethod)
                {
                    root = RootKind.Parameter;
                    ordinal = 0;
                    rootName = method.Parameters[0].Name;
                    current = method.Parameters[0].Type;
                }
                else if (ownerIsStatic || containingType == null)
                {
                    error = "'this' is not available in a static member";
                    return null;
                }
                else
                {
                    root = RootKind.This;
                    current = containingType;
                }
            }
            else if (segments[0] == "return")
            {
                if (method == null || method.ReturnsVoid && method.MethodKind != MethodKind.Constructor)
                {
                    error = "'return' needs a member that returns a value";
                    return null;
                }
                root = RootKind.Return;
                current = method.MethodKind == MethodKind.Constructor ? method.ContainingType : method.ReturnType;
            }
            else if (parameter != null)
            {
                root = RootKind.Parameter;
                ordinal = parameter.Ordinal;
                current = parameter.Type;
            }
            else if (FindMember(containingType, segments[0], includeEnclosing: true) is { } member)
            {
                if (member.IsStatic)
                {
                    root = RootKind.Static;
                    staticMember = member;
                    rootName = member.ContainingType.Name + "." + member.Name;
                }
                else if (ownerIsStatic && owner is not INamedTypeSymbol && owner is not IFieldSymbol)
                {
                    error = $"instance member '{segments[0]}' is not available in a static member";
                    return null;
                }
                else
                {
                    root = RootKind.This;
                    next = 0;
                }
                current = member.IsStatic ? MemberType(member) : containingType;
                if (root == RootKind.This) current = containingType;
            }
            else
            {
                var type = ResolveTypePath(segments, owner, out int consumed);
                if (type == null || consumed >= segments.Length)
                {
                    error = $"'{segments[0]}' is not a parameter, a member of '{containingType?.Name ?? "the assembly"}' or a type";
                    return null;
                }
                var staticCandidate = FindMember(type, segments[consumed], includeEnclosing: false);
                if (staticCandidate == null)
                {
                    error = $"'{segments[consumed]}' is not a field or property of '{type.Name}'";
                    return null;
                }
                if (!staticCandidate.IsStatic && !(owner is IFieldSymbol || owner is INamedTypeSymbol || owner == null))
                {
                    error = $"'{segments[consumed]}' is not a static member of '{type.Name}'";
                    return null;
                }
                root = RootKind.Static;
                staticMember = staticCandidate;
                rootName = type.Name + "." + staticCandidate.Name;
                current = MemberType(staticCandidate);
                next = consumed + 1;
            }

            var path = ImmutableArray.CreateBuilder<ISymbol>();
            for (int i = next; i < segments.Length; i++)
            {
                var member = FindMember(current, segments[i], includeEnclosing: false);
                if (member == null)
                {
                    error = $"'{segments[i]}' is not a field or property of '{current?.Name ?? "?"}'";
                    return null;
                }
                path.Add(member);
                current = MemberType(member);
            }

            if (!IsContextType(current))
            {
                error = $"'{parsed.Path}' has type '{current?.ToDisplayString() ?? "?"}', which is not a [Context] type";
                return null;
            }
            return new ContextTemplate(parsed.Path, mode, root, ordinal, rootName, staticMember, path.ToImmutable(), current);
        }

        /// <summary>The instance a template names inside its own owner's body (the entry state).</summary>
        public static ContextInstance DeclarationInstance(ContextTemplate template, ISymbol owner)
        {
            string key, display;
            switch (template.Root)
            {
                case RootKind.Existential:
                    return ExistentialInstance(template);
                case RootKind.Parameter:
                    key = "param:" + template.RootName;
                    display = template.RootName;
                    break;
                case RootKind.This:
                    key = "this";
                    display = "this";
                    break;
                case RootKind.Captured:
                    key = "param:" + template.RootName;
                    display = template.RootName;
                    break;
                case RootKind.Static:
                    key = StaticKey(template.StaticMember!);
                    display = template.RootName;
                    break;
                default:
                    key = "return@" + owner.Name;
                    display = "return";
                    break;
            }
            return Extend(template, key, display);
        }

        public static ContextInstance ExistentialInstance(ContextTemplate template) =>
            new ContextInstance("any:" + template.Type!.ToDisplayString(), "any " + template.Type!.Name, template.Type, null, existential: true);

        public static string StaticKey(ISymbol member) => StaticKey(member, member.ContainingType);

        public static string StaticKey(ISymbol member, INamedTypeSymbol instantiation) => "static:" + instantiation.ToDisplayString() + "." + member.Name;

        /// <summary>
        /// Appends the template's member path to a substituted root. When the template names the root itself, the
        /// root's static type at the call (<paramref name="rootType"/>, if more derived) is the instance's type, so that
        /// <c>down_read(vma.vm_file.f_mapping.i_mmap_rwsem)</c> holds an <c>i_mmap_rwsem_t</c>, not just an <c>rw_semaphore</c>;
        /// and <paramref name="rootMember"/>, the field or property the root expression ends in, is its declaring member (lock order).
        /// </summary>
        public static ContextInstance Extend(ContextTemplate template, string rootKey, string rootDisplay, ITypeSymbol? rootType = null, ISymbol? rootMember = null)
        {
            var suffix = template.PathSuffixKey();
            var key = rootKey + suffix;
            // The receiver 'this' is not displayed: this.a.b shows as a.b.
            var display = suffix.Length == 0 ? rootDisplay : rootDisplay == "this" ? suffix.Substring(1) : rootDisplay + suffix;
            var type = template.Path.IsEmpty && rootType != null && Flow.Satisfaction.DerivesFrom(rootType, template.Type) ? rootType : template.Type;
            return new ContextInstance(key, display, type, template.DeclaringMember ?? rootMember, existential: false);
        }

        public static ITypeSymbol? MemberType(ISymbol member) => member switch
        {
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };

        private static ISymbol? FindMember(ITypeSymbol? type, string name, bool includeEnclosing)
        {
            // A type parameter's members are its constraints' (contract §3.1).
            if (type is ITypeParameterSymbol parameter)
                return parameter.ConstraintTypes.Select(c => FindMember(c, name, includeEnclosing: false)).FirstOrDefault(m => m != null);
            for (var scope = type; scope != null; scope = includeEnclosing ? scope.ContainingType : null)
            {
                for (var current = scope; current != null; current = current.BaseType)
                {
                    foreach (var member in current.GetMembers(name))
                        if (member is IFieldSymbol || member is IPropertySymbol { IsIndexer: false }) return member;
                }
                foreach (var iface in scope.AllInterfaces)
                    foreach (var member in iface.GetMembers(name))
                        if (member is IPropertySymbol { IsIndexer: false }) return member;
                if (!includeEnclosing) break;
            }
            return null;
        }

        /// <summary>Resolves the longest prefix of <paramref name="segments"/> that names a type, searching the owner's enclosing types and namespaces outward.</summary>
        private INamedTypeSymbol? ResolveTypePath(string[] segments, ISymbol? owner, out int consumed)
        {
            consumed = 0;
            var scopes = new List<INamespaceOrTypeSymbol>();
            for (var type = owner as INamedTypeSymbol ?? owner?.ContainingType; type != null; type = type.ContainingType) scopes.Add(type);
            for (var ns = (owner as INamedTypeSymbol ?? owner?.ContainingType)?.ContainingNamespace ?? owner?.ContainingNamespace; ns != null; ns = ns.ContainingNamespace)
                scopes.Add(ns);
            scopes.Add(_compilation.GlobalNamespace);

            foreach (var scope in scopes)
            {
                INamespaceOrTypeSymbol current = scope;
                INamedTypeSymbol? lastType = null;
                int used = 0;
                for (int i = 0; i < segments.Length; i++)
                {
                    var nextSymbol = current.GetMembers(segments[i]).OfType<INamespaceOrTypeSymbol>().FirstOrDefault();
                    if (nextSymbol == null) break;
                    current = nextSymbol;
                    if (nextSymbol is INamedTypeSymbol named)
                    {
                        lastType = named;
                        used = i + 1;
                    }
                }
                if (lastType != null)
                {
                    consumed = used;
                    return lastType;
                }
            }
            return null;
        }

        private static bool SyntaxFacts_IsIdentifier(string text) =>
            Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(text);
    }
}
