using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.CSharp;
using MmLock.Analyzers.Contexts;

namespace MmLock.Analyzers.Contracts
{
    [Flags]
    internal enum ContextFlags { None = 0, Atomic = 1, Reentrant = 2, Idempotent = 4 }

    /// <summary>
    /// One model per compilation: the contracts of members (from source, metadata and mmlock.contracts.txt),
    /// context types, page-table spaces and the declared lock order. Member contracts are built on first use
    /// and cached; everything here is safe to call concurrently.
    /// </summary>
    internal sealed class ContractModel
    {
        public const string ContractsFileName = "mmlock.contracts.txt";

        private readonly ConcurrentDictionary<ISymbol, BuiltContract> _contracts = new ConcurrentDictionary<ISymbol, BuiltContract>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, ImmutableArray<AttributeInfo>> _attributes = new ConcurrentDictionary<ISymbol, ImmutableArray<AttributeInfo>>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ITypeSymbol, bool> _scopedGuards = new ConcurrentDictionary<ITypeSymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<string, bool> _conditions = new ConcurrentDictionary<string, bool>();
        private readonly ConcurrentDictionary<ITypeSymbol, ContextFlags> _flags = new ConcurrentDictionary<ITypeSymbol, ContextFlags>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, GuardInfo?> _guards = new ConcurrentDictionary<ISymbol, GuardInfo?>(SymbolEqualityComparer.Default);
        private readonly ImmutableDictionary<ISymbol, ImmutableArray<AttributeInfo>> _external;
        private readonly Lazy<ImmutableDictionary<string, PageTableSpace>> _spaces;
        private readonly Lazy<LockOrder> _lockOrder;

        private ContractModel(Compilation compilation, ContractsFile? file, AnalyzerOptions? options)
        {
            Compilation = compilation;
            Options = options;
            _inference = new Lazy<Inference>(() => new Inference(this));
            Symbols = (compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions)?.PreprocessorSymbolNames.ToImmutableHashSet()
                      ?? ImmutableHashSet<string>.Empty;
            _external = file?.Members ?? ImmutableDictionary<ISymbol, ImmutableArray<AttributeInfo>>.Empty;
            ContractsFile = file;
            Binder = new ContextBinder(compilation, IsMarkedContext);
            _spaces = new Lazy<ImmutableDictionary<string, PageTableSpace>>(BuildSpaces);
            _lockOrder = new Lazy<LockOrder>(() => LockOrder.Build(this));
            _attributeTypes = new Lazy<(HashSet<string>, HashSet<string>)>(FindAttributeTypes);
            _globalAlias = new Lazy<bool>(AnyGlobalAlias);
        }

        public Compilation Compilation { get; }
        public AnalyzerOptions? Options { get; }
        private readonly Lazy<Inference> _inference;
        public Inference Inference => _inference.Value;
        public ImmutableHashSet<string> Symbols { get; }
        public ContextBinder Binder { get; }
        public ContractsFile? ContractsFile { get; }
        public ImmutableDictionary<string, PageTableSpace> Spaces => _spaces.Value;
        public LockOrder LockOrder => _lockOrder.Value;

        /// <summary>The model, or null when the compilation uses no MmLock annotations at all (the analyzers then stay silent).</summary>
        public static ContractModel? Create(Compilation compilation, AnalyzerOptions options, System.Threading.CancellationToken cancellation)
        {
            bool annotated = compilation.GetTypeByMetadataName("MmLock.ContextAttribute") != null;
            var file = ContractsFile.Read(compilation, options, cancellation);
            if (!annotated && file == null) return null;
            return new ContractModel(compilation, file, options);
        }

        /// <summary>
        /// A syntactic filter before anything is bound: false only when the attribute cannot be an MmLock attribute (its
        /// last name is none of namespace MmLock's attribute types, and no using alias can rename one).
        /// </summary>
        public bool MayNameMmLockAttribute(Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax attribute)
        {
            var name = attribute.Name switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                Microsoft.CodeAnalysis.CSharp.Syntax.AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                Microsoft.CodeAnalysis.CSharp.Syntax.SimpleNameSyntax simple => simple.Identifier.ValueText,
                _ => null,
            };
            if (name == null) return true;
            var names = AttributeTypeNames;
            if (names.Contains(name) || names.Contains(name + "Attribute")) return true;
            return (_aliasedTrees.TryGetValue(attribute.SyntaxTree, out var aliased) ? aliased : _aliasedTrees.GetOrAdd(attribute.SyntaxTree, HasUsingAlias)) || _globalAlias.Value;
        }

        private readonly Lazy<(HashSet<string> Names, HashSet<string> Assemblies)> _attributeTypes;
        private readonly Lazy<bool> _globalAlias;
        private readonly ConcurrentDictionary<SyntaxTree, bool> _aliasedTrees = new ConcurrentDictionary<SyntaxTree, bool>();
        private readonly ConcurrentDictionary<IAssemblySymbol, bool> _carriers = new ConcurrentDictionary<IAssemblySymbol, bool>(SymbolEqualityComparer.Default);

        /// <summary>The names of namespace MmLock's attribute types (with the suffix), in this compilation and its references.</summary>
        public HashSet<string> AttributeTypeNames => _attributeTypes.Value.Names;
        /// <summary>The names of the assemblies that define those types (and MmLock.Annotations, always).</summary>
        public HashSet<string> AttributeAssemblies => _attributeTypes.Value.Assemblies;

        private (HashSet<string>, HashSet<string>) FindAttributeTypes()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var assemblies = new HashSet<string>(StringComparer.Ordinal) { "MmLock.Annotations" };
            foreach (var ns in Compilation.GlobalNamespace.GetNamespaceMembers())
                if (ns.Name == "MmLock")
                    foreach (var type in ns.GetTypeMembers())
                        if (type.Name.EndsWith("Attribute", StringComparison.Ordinal))
                        {
                            names.Add(type.Name);
                            if (type.ContainingAssembly is { } assembly) assemblies.Add(assembly.Name);
                        }
            return (names, assemblies);
        }

        /// <summary>
        /// Whether members of an assembly can carry MmLock attributes: the compilation's own, one defining them, or one
        /// referencing such an assembly. The others' attributes are never read (metadata decoding was most of the cost
        /// of asking a library member for its contract).
        /// </summary>
        private bool MayCarryAttributes(IAssemblySymbol? assembly) =>
            assembly == null || (_carriers.TryGetValue(assembly, out var carries) ? carries : _carriers.GetOrAdd(assembly, a =>
                SymbolEqualityComparer.Default.Equals(a, Compilation.Assembly) || AttributeAssemblies.Contains(a.Name) ||
                a.Modules.Any(m => m.ReferencedAssemblies.Any(r => AttributeAssemblies.Contains(r.Name)))));

        private static bool HasUsingAlias(SyntaxTree tree) =>
            tree.GetRoot().DescendantNodes(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax)
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.UsingDirectiveSyntax>().Any(u => u.Alias != null);

        private bool AnyGlobalAlias() =>
            Compilation.SyntaxTrees.Any(t => t.GetRoot() is Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax unit &&
                                             unit.Usings.Any(u => u.Alias != null && u.GlobalKeyword.RawKind != 0));

        public bool ConditionHolds(string? condition)
        {
            if (string.IsNullOrWhiteSpace(condition)) return true;
            return _conditions.TryGetValue(condition!, out var holds) ? holds : _conditions.GetOrAdd(condition!, c => Condition.Parse(c, out _) is not { } parsed || parsed.Evaluate(Symbols));
        }

        // ---- attributes --------------------------------------------------------------------------

        /// <summary>The MmLock attributes of a symbol, from source or metadata and from the contracts file; read once per symbol.</summary>
        public ImmutableArray<AttributeInfo> AttributesOf(ISymbol symbol) =>
            _attributes.TryGetValue(symbol, out var attributes) ? attributes : _attributes.GetOrAdd(symbol, ReadAttributes);

        private ImmutableArray<AttributeInfo> ReadAttributes(ISymbol symbol)
        {
            _external.TryGetValue(symbol.OriginalDefinition, out var external);
            if (!MayCarryAttributes(symbol.ContainingAssembly)) return external.IsDefault ? ImmutableArray<AttributeInfo>.Empty : external;
            var builder = ImmutableArray.CreateBuilder<AttributeInfo>();
            foreach (var data in symbol.GetAttributes())
                if (AttributeInfo.From(data) is { } info) builder.Add(info);
            if (!external.IsDefault) builder.AddRange(external);
            return builder.ToImmutable();
        }

        private bool IsMarkedContext(INamedTypeSymbol type) =>
            AttributesOf(type.OriginalDefinition).Any(a => a.Name == "Context");

        public ContextFlags FlagsOf(ITypeSymbol? type)
        {
            if (type == null) return ContextFlags.None;
            return _flags.TryGetValue(type, out var flags) ? flags : _flags.GetOrAdd(type, t =>
            {
                for (var current = t as INamedTypeSymbol; current != null; current = current.BaseType)
                {
                    var context = AttributesOf(current.OriginalDefinition).FirstOrDefault(a => a.Name == "Context");
                    if (context == null) continue;
                    var flags = ContextFlags.None;
                    if (context.NamedBool("Atomic")) flags |= ContextFlags.Atomic;
                    if (context.NamedBool("Reentrant")) flags |= ContextFlags.Reentrant;
                    if (context.NamedBool("Idempotent")) flags |= ContextFlags.Idempotent;
                    return flags;
                }
                return ContextFlags.None;
            });
        }

        public bool IsScopedGuard(ITypeSymbol? type)
        {
            if (type == null) return false;
            if (_scopedGuards.TryGetValue(type, out var known)) return known;
            return _scopedGuards.GetOrAdd(type, t =>
            {
                for (var current = t as INamedTypeSymbol; current != null; current = current.BaseType)
                    if (AttributesOf(current.OriginalDefinition).Any(a => a.Name == "ScopedGuard")) return true;
                return false;
            });
        }

        // ---- member contracts ----------------------------------------------------------------------

        /// <summary>The symbol whose attributes make the contract (original definition, unreduced extension).</summary>
        public static ISymbol Normalize(ISymbol symbol)
        {
            if (symbol is IMethodSymbol method)
            {
                if (method.ReducedFrom != null) method = method.ReducedFrom;
                return method.OriginalDefinition;
            }
            return symbol.OriginalDefinition;
        }

        /// <summary>What callers are checked against and the body assumes: the declared (or inherited) contract, else a private helper's inferred one.</summary>
        public MemberContract ContractOf(ISymbol symbol)
        {
            var declared = Built(symbol).Contract;
            return declared.IsEmpty && symbol is IMethodSymbol method && Inference.SummaryOf(method) is { } inferred ? inferred : declared;
        }

        /// <summary>The contract the member's attributes (or mmlock.contracts.txt, or what it inherits) state, without inference.</summary>
        public MemberContract DeclaredContractOf(ISymbol symbol) => Built(symbol).Contract;

        /// <summary>
        /// The contract of a member with the binding errors found while building it, built once per symbol: the flow reads
        /// the contract at every call, the annotation rule replays the errors at each attribute.
        /// </summary>
        public BuiltContract Built(ISymbol symbol)
        {
            var key = Normalize(symbol);
            // Looked up first: the factory captures this, so passing it to GetOrAdd allocated a delegate on every call, found or not.
            return _contracts.TryGetValue(key, out var built) ? built : _contracts.GetOrAdd(key, s =>
            {
                var errors = ImmutableArray.CreateBuilder<BindingError>();
                var own = Build(s, (attribute, rule, subject, why) => errors.Add(new BindingError(attribute, rule, subject, why)));
                return new BuiltContract(Inherit(s, own), own, errors.ToImmutable());
            });
        }

        internal sealed class BuiltContract
        {
            public BuiltContract(MemberContract contract, MemberContract own, ImmutableArray<BindingError> errors)
            {
                Contract = contract;
                Own = own;
                Errors = errors;
            }

            /// <summary>What callers and the body see: the member's own contract, or the one it inherits when it states none.</summary>
            public MemberContract Contract { get; }
            /// <summary>What the member's own attributes state.</summary>
            public MemberContract Own { get; }
            public ImmutableArray<BindingError> Errors { get; }
        }

        internal sealed class BindingError
        {
            public BindingError(AttributeInfo attribute, DiagnosticDescriptor rule, string subject, string why)
            {
                Attribute = attribute;
                Rule = rule;
                Subject = subject;
                Why = why;
            }

            public AttributeInfo Attribute { get; }
            public DiagnosticDescriptor Rule { get; }
            public string Subject { get; }
            public string Why { get; }
        }

        /// <summary>
        /// An override or interface implementation that states no contract of its own has the one of what it overrides or
        /// implements (with its own [NoLockAnalysis], not theirs): its body assumes it, calls through base or interface check it.
        /// </summary>
        private MemberContract Inherit(ISymbol symbol, MemberContract own)
        {
            if (!own.StatesNothingButExemption) return own;
            foreach (var inherited in InheritedFrom(symbol))
            {
                var contract = ContractOf(inherited);
                if (!contract.IsEmpty) return contract.NoLockAnalysis == own.NoLockAnalysis ? contract : contract.WithNoLockAnalysis(own.NoLockAnalysis);
            }
            return own;
        }

        /// <summary>The member a method, property or accessor overrides, then the interface members it implements.</summary>
        public static System.Collections.Generic.IEnumerable<ISymbol> InheritedFrom(ISymbol symbol)
        {
            var overridden = symbol switch
            {
                IMethodSymbol method => method.OverriddenMethod,
                IPropertySymbol property => property.OverriddenProperty,
                _ => (ISymbol?)null,
            };
            if (overridden != null) yield return overridden;
            var type = symbol.ContainingType;
            if (type == null || symbol.IsStatic || symbol is not (IMethodSymbol or IPropertySymbol or IEventSymbol)) yield break;
            foreach (var explicitImplementation in symbol switch
                     {
                         IMethodSymbol method => method.ExplicitInterfaceImplementations.Cast<ISymbol>(),
                         IPropertySymbol property => property.ExplicitInterfaceImplementations.Cast<ISymbol>(),
                         _ => Enumerable.Empty<ISymbol>(),
                     })
                yield return explicitImplementation;
            // An implicit implementation has the interface member's name; explicit ones are listed above.
            foreach (var @interface in type.AllInterfaces)
                foreach (var member in @interface.GetMembers(symbol.Name))
                    if (member.Kind == symbol.Kind && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member)?.OriginalDefinition, symbol))
                        yield return member;
        }

        /// <summary>The attributes that make a member's contract: its own, its property's (for accessors), its delegate type's (for Invoke).</summary>
        public ImmutableArray<AttributeInfo> ContractAttributesOf(ISymbol symbol)
        {
            var attributes = AttributesOf(symbol);
            if (symbol is IMethodSymbol method)
            {
                if (method.AssociatedSymbol is IPropertySymbol property)
                    attributes = attributes.AddRange(AttributesOf(property));
                if (method.MethodKind == MethodKind.DelegateInvoke)
                    attributes = attributes.AddRange(AttributesOf(method.ContainingType));
            }
            return attributes;
        }

        /// <summary>Builds a contract; binding errors go to <paramref name="errors"/> when given (the annotation rule).</summary>
        private MemberContract Build(ISymbol symbol, Action<AttributeInfo, DiagnosticDescriptor, string, string>? errors)
        {
            var attributes = ContractAttributesOf(symbol);
            if (attributes.IsEmpty) return MemberContract.Empty;
            var owner = symbol is INamedTypeSymbol { TypeKind: TypeKind.Delegate } d ? d.DelegateInvokeMethod ?? symbol : symbol;

            var acquires = ImmutableArray.CreateBuilder<ContextTemplate>();
            var releases = ImmutableArray.CreateBuilder<ContextTemplate>();
            var downgrades = ImmutableArray.CreateBuilder<ContextTemplate>();
            var tries = ImmutableArray.CreateBuilder<TryAcquire>();
            var clauses = ImmutableArray.CreateBuilder<Clause>();
            var excludes = ImmutableArray.CreateBuilder<ContextTemplate>();
            var assertsHeld = ImmutableArray.CreateBuilder<ContextTemplate>();
            var assertsNotHeld = ImmutableArray.CreateBuilder<ContextTemplate>();
            var contract = new MemberContract();
            bool returnsGuarded = attributes.Any(a => a.Name == "ReturnsGuarded" && WhenHolds(a, null));

            foreach (var attribute in attributes)
            {
                if (!WhenHolds(attribute, errors)) continue;
                switch (attribute.Name)
                {
                    case "Acquires": acquires.AddRange(BindAll(attribute, 0, owner, Mode.Exclusive, false, errors)); break;
                    case "AcquiresShared": acquires.AddRange(BindAll(attribute, 0, owner, Mode.Shared, false, errors)); break;
                    case "Releases": releases.AddRange(BindAll(attribute, 0, owner, Mode.Exclusive, false, errors)); break;
                    case "ReleasesShared": releases.AddRange(BindAll(attribute, 0, owner, Mode.Shared, false, errors)); break;
                    case "Downgrades": downgrades.AddRange(BindAll(attribute, 0, owner, Mode.Exclusive, false, errors)); break;
                    case "TryAcquires":
                    case "TryAcquiresShared":
                        var mode = attribute.Name == "TryAcquires" ? Mode.Exclusive : Mode.Shared;
                        var success = attribute.Arguments.Length > 0 ? attribute.Arguments[0] : true;
                        foreach (var template in BindAll(attribute, 1, owner, mode, false, errors)) tries.Add(new TryAcquire(template, success));
                        break;
                    case "Requires":
                        foreach (var template in BindAll(attribute, 0, owner, Mode.Exclusive, true, errors))
                            clauses.Add(new Clause(ClauseKind.Requires, ImmutableArray.Create(template)));
                        break;
                    case "RequiresShared":
                        foreach (var template in BindAll(attribute, 0, owner, Mode.Shared, true, errors))
                            clauses.Add(new Clause(ClauseKind.Requires, ImmutableArray.Create(template)));
                        break;
                    case "RequiresAny":
                        AddClause(clauses, ClauseKind.RequiresAny, attribute.ContextArguments(0), attribute, owner, Mode.Either, errors);
                        break;
                    case "Excludes": excludes.AddRange(BindAll(attribute, 0, owner, Mode.Either, true, errors)); break;
                    case "AssertsHeld": assertsHeld.AddRange(BindAll(attribute, 0, owner, Mode.Exclusive, true, errors)); break;
                    case "AssertsHeldShared": assertsHeld.AddRange(BindAll(attribute, 0, owner, Mode.Shared, true, errors)); break;
                    case "AssertsNotHeld": assertsNotHeld.AddRange(BindAll(attribute, 0, owner, Mode.Either, true, errors)); break;
                    case "MightSleep": contract.MightSleep = true; break;
                    case "ReturnsGuarded": contract.ReturnsGuarded = true; break;
                    case "OnlineCheck": contract.OnlineCheck = true; break;
                    case "NoLockAnalysis": contract.NoLockAnalysis = true; break;
                    case "PageTableWalker":
                        if (attribute.NamedBool("OwnsRange")) break;
                        if (SpaceOf(attribute, errors) is { } walked)
                        {
                            foreach (var freeing in walked.Freeings.Where(f => f.Active))
                                AddClause(clauses, returnsGuarded ? ClauseKind.Lookup : ClauseKind.Walker, freeing.ExcludedBy, attribute, owner, Mode.Either, errors, walked.Name, freeing.Name);
                        }
                        break;
                    case "TableFreer":
                        if (SpaceOf(attribute, errors) is { } freed)
                        {
                            var name = attribute.StringArgument(1);
                            var freeing = freed.Freeings.FirstOrDefault(f => f.Name == name);
                            if (freeing == null)
                            {
                                errors?.Invoke(attribute, Descriptors.MM9001, name ?? "", $"'{freed.Name}' declares no freeing named '{name}'");
                                break;
                            }
                            if (!freeing.Active) break;
                            foreach (var held in freeing.Holds)
                                AddClause(clauses, ClauseKind.Freer, new[] { held }, attribute, owner, Mode.Exclusive, errors, freed.Name, freeing.Name);
                        }
                        break;
                    case "LeafModifier":
                        if (attribute.NamedBool("OwnsRange")) break;
                        if (SpaceOf(attribute, errors) is { } modified && !modified.LeafLock.IsEmpty)
                            AddClause(clauses, ClauseKind.LeafModifier, modified.LeafLock, attribute, owner, Mode.Either, errors, modified.Name);
                        break;
                    case "ReplacesLiveRoot":
                        AddClause(clauses, ClauseKind.LiveRoot, attribute.ContextArguments(0), attribute, owner, Mode.Either, errors);
                        break;
                    case "ReadsMemmap":
                        AddClause(clauses, ClauseKind.Memmap, attribute.ContextArguments(0), attribute, owner, Mode.Either, errors);
                        break;
                }
            }

            contract.Acquires = acquires.ToImmutable();
            contract.Releases = releases.ToImmutable();
            contract.Downgrades = downgrades.ToImmutable();
            contract.TryAcquires = tries.ToImmutable();
            contract.Clauses = clauses.ToImmutable();
            contract.Excludes = excludes.ToImmutable();
            contract.AssertsHeld = assertsHeld.ToImmutable();
            contract.AssertsNotHeld = assertsNotHeld.ToImmutable();
            return contract.IsEmpty ? MemberContract.Empty : contract;
        }

        private bool WhenHolds(AttributeInfo attribute, Action<AttributeInfo, DiagnosticDescriptor, string, string>? errors)
        {
            var when = attribute.When;
            if (string.IsNullOrWhiteSpace(when)) return true;
            var condition = Condition.Parse(when!, out var error);
            if (condition == null)
            {
                errors?.Invoke(attribute, Descriptors.MM9002, when!, error ?? "malformed");
                return true;
            }
            return condition.Evaluate(Symbols);
        }

        private PageTableSpace? SpaceOf(AttributeInfo attribute, Action<AttributeInfo, DiagnosticDescriptor, string, string>? errors)
        {
            var name = attribute.StringArgument(0) ?? "";
            if (Spaces.TryGetValue(name, out var space)) return space;
            errors?.Invoke(attribute, Descriptors.MM9001, name, $"no [PageTableSpace(\"{name}\")] is declared");
            return null;
        }

        private IEnumerable<ContextTemplate> BindAll(AttributeInfo attribute, int skip, ISymbol owner, Mode mode, bool allowExistential,
            Action<AttributeInfo, DiagnosticDescriptor, string, string>? errors)
        {
            foreach (var text in attribute.ContextArguments(skip))
                if (BindOne(text, attribute, owner, mode, allowExistential, errors) is { } template) yield return template;
        }

        /// <summary>
        /// The expression by which <paramref name="member"/>'s own attributes name <paramref name="instance"/>, a context as the
        /// member's body sees it: a parameter path, a member of <c>this</c>, a static path or <c>any T</c>; null when they cannot
        /// name it (a local, a call's result). What the inference lifts to callers and what the fixes write come from here.
        /// </summary>
        public string? NameInContract(ContextInstance instance, IMethodSymbol member)
        {
            var key = instance.Key;
            string text;
            if (instance.Existential)
            {
                if (instance.Type == null) return null;
                text = "any " + instance.Type.ToDisplayString();
            }
            else if (key.StartsWith("param:", StringComparison.Ordinal)) text = key.Substring(6);
            else if (key.StartsWith("static:", StringComparison.Ordinal)) text = key.Substring(7);
            else if (key == "this") text = "this";
            else if (key.StartsWith("this.", StringComparison.Ordinal))
            {
                text = key.Substring(5);
                var first = text.Split('.')[0];
                if (member.Parameters.Any(p => p.Name == first)) text = "this." + text;
            }
            else return null;
            var template = BindOne(text, null, member, Mode.Exclusive, allowExistential: true, null);
            return template != null && ContextBinder.DeclarationInstance(template, member).Key == key ? text : null;
        }

        /// <summary>Binds one alternative; null when its condition is false or it does not bind.</summary>
        public ContextTemplate? BindOne(string text, AttributeInfo? attribute, ISymbol? owner, Mode mode, bool allowExistential,
            Action<AttributeInfo, DiagnosticDescriptor, string, string>? errors)
        {
            var parsed = ParsedExpression.Parse(text);
            if (parsed.ConditionText != null)
            {
                var condition = Condition.Parse(parsed.ConditionText, out var conditionError);
                if (condition == null)
                {
                    if (attribute != null) errors?.Invoke(attribute, Descriptors.MM9002, parsed.ConditionText, conditionError ?? "malformed");
                    return null;
                }
                if (!condition.Evaluate(Symbols)) return null;
            }
            var template = Binder.Bind(parsed, owner, mode, allowExistential, out var error);
            if (template == null && attribute != null) errors?.Invoke(attribute, Descriptors.MM9001, parsed.Path, error ?? "it does not resolve");
            return template;
        }

        private void AddClause(ImmutableArray<Clause>.Builder clauses, ClauseKind kind, IEnumerable<string> alternatives, AttributeInfo attribute,
            ISymbol owner, Mode mode, Action<AttributeInfo, DiagnosticDescriptor, string, string>? errors, string? space = null, string? freeing = null)
        {
            var texts = alternatives.ToList();
            var bound = ImmutableArray.CreateBuilder<ContextTemplate>();
            bool anyActive = texts.Count == 0;
            foreach (var text in texts)
            {
                var parsed = ParsedExpression.Parse(text);
                if (parsed.ConditionText != null && !ConditionHolds(parsed.ConditionText)) continue;
                anyActive = true;
                // Space-level alternatives are written once for all walkers; one naming a parameter a walker lacks does not apply to it.
                var report = space == null ? errors : null;
                if (BindOne(text, attribute, owner, mode, allowExistential: true, report) is { } template) bound.Add(template);
            }
            if (anyActive) clauses.Add(new Clause(kind, bound.ToImmutable(), space, freeing));
        }

        // ---- guarded members -------------------------------------------------------------------------

        internal sealed class GuardInfo
        {
            public GuardInfo(ImmutableArray<ContextTemplate> contexts, bool readAny)
            {
                Contexts = contexts;
                ReadAny = readAny;
            }

            public ImmutableArray<ContextTemplate> Contexts { get; }
            public bool ReadAny { get; }
        }

        public GuardInfo? GuardOf(ISymbol member)
        {
            member = member.OriginalDefinition;
            if (_guards.TryGetValue(member, out var known)) return known;
            return _guards.GetOrAdd(member, m =>
            {
                var attributes = AttributesOf(m).Where(a => a.Name == "GuardedBy" && ConditionHolds(a.When)).ToList();
                if (attributes.Count == 0) return null;
                var contexts = attributes.SelectMany(a => BindAll(a, 0, m, Mode.Exclusive, false, null)).ToImmutableArray();
                return contexts.IsEmpty ? null : new GuardInfo(contexts, attributes.Any(a => a.NamedBool("ReadAny")));
            });
        }

        // ---- page-table spaces -----------------------------------------------------------------------

        /// <summary>Assemblies whose attributes may matter: this one and those that reference the annotations.</summary>
        public IEnumerable<IAssemblySymbol> AnnotatedAssemblies()
        {
            yield return Compilation.Assembly;
            foreach (var reference in Compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (reference.Name == "MmLock.Annotations" ||
                    reference.Modules.Any(m => m.ReferencedAssemblies.Any(r => r.Name == "MmLock.Annotations")))
                    yield return reference;
            }
        }

        public IEnumerable<AttributeInfo> AssemblyAttributes()
        {
            foreach (var assembly in AnnotatedAssemblies())
                foreach (var data in assembly.GetAttributes())
                    if (AttributeInfo.From(data) is { } info) yield return info;
            if (ContractsFile != null)
                foreach (var info in ContractsFile.AssemblyAttributes) yield return info;
        }

        private ImmutableDictionary<string, PageTableSpace> BuildSpaces()
        {
            var attributes = AssemblyAttributes().ToList();
            var spaces = new Dictionary<string, PageTableSpace>();
            foreach (var attribute in attributes.Where(a => a.Name == "PageTableSpace" && ConditionHolds(a.When)))
            {
                var name = attribute.StringArgument(0) ?? "";
                if (!spaces.ContainsKey(name)) spaces[name] = new PageTableSpace(name, attribute.NamedStrings("LeafLock").ToImmutableArray());
            }
            foreach (var group in attributes.Where(a => a.Name == "TableFreeing").GroupBy(a => a.StringArgument(0) ?? ""))
            {
                if (!spaces.TryGetValue(group.Key, out var space)) continue;
                space.Freeings = group
                    .Select(a => new TableFreeing(group.Key, a.StringArgument(1) ?? "", a.NamedStrings("Holds").ToImmutableArray(),
                        a.NamedStrings("ExcludedBy").ToImmutableArray(), ConditionHolds(a.When)))
                    .ToImmutableArray();
            }
            return spaces.ToImmutableDictionary();
        }
    }
}
