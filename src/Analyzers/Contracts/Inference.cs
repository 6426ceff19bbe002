using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Flow;

namespace MmLock.Analyzers.Contracts
{
    /// <summary>Which members get an inferred contract (<c>mmlock_inference</c> in .editorconfig).</summary>
    internal enum InferenceScope { Off, Private, Assembly }

    /// <summary>
    /// Contracts of helpers whose callers are all visible (private members; internal ones with <c>mmlock_inference = assembly</c>),
    /// computed from the body started with nothing held: the requirements it leaves unsatisfied, over its parameters, <c>this</c> and
    /// statics, and whether it might sleep. Callers are checked against the summary and the body assumes it, so a requirement is
    /// reported where the caller fails to meet it. A helper that nobody calls, or that is used other than by a call, has none.
    /// Summaries are cached per compilation; a recursive cycle iterates to a fixed point (bounded by <see cref="CycleIterations"/>).
    /// </summary>
    internal sealed class Inference
    {
        public const string OptionName = "mmlock_inference";
        public const string LocalFunctionsOptionName = "mmlock_inference_local_functions";
        private const int CycleIterations = 8;

        private readonly ContractModel _model;
        private readonly ConcurrentDictionary<ISymbol, MemberContract?> _summaries = new ConcurrentDictionary<ISymbol, MemberContract?>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, bool> _eligible = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _semanticModels = new ConcurrentDictionary<SyntaxTree, SemanticModel>();
        private readonly ConcurrentDictionary<ISymbol, ILookup<string, SimpleNameSyntax>> _typeNames = new ConcurrentDictionary<ISymbol, ILookup<string, SimpleNameSyntax>>(SymbolEqualityComparer.Default);
        private readonly Lazy<ILookup<string, SimpleNameSyntax>> _allNames;
        private readonly Lazy<bool> _internalsVisible;

        // The token of the analyzer action running on this thread: a summary computed for it stops with it (and is not cached).
        [ThreadStatic] private static System.Threading.CancellationToken t_cancellation;

        /// <summary>Makes summaries computed on this thread until disposed observe <paramref name="token"/>.</summary>
        public static CancellationScope Cancellation(System.Threading.CancellationToken token)
        {
            var previous = t_cancellation;
            t_cancellation = token;
            return new CancellationScope(previous);
        }

        public readonly struct CancellationScope : IDisposable
        {
            private readonly System.Threading.CancellationToken _previous;
            public CancellationScope(System.Threading.CancellationToken previous) { _previous = previous; }
            public void Dispose() => t_cancellation = _previous;
        }

        // The summaries being computed on this thread, innermost last: a call back into one of them is a recursive cycle.
        [ThreadStatic] private static List<Frame>? t_stack;

        private sealed class Frame
        {
            public Frame(ISymbol member) { Member = member; }
            public ISymbol Member { get; }
            public MemberContract? Current;
            public bool Recursive;
            public bool DependsOnOuter;
        }

        public Inference(ContractModel model)
        {
            _model = model;
            _allNames = new Lazy<ILookup<string, SimpleNameSyntax>>(() => Names(model.Compilation.SyntaxTrees.Select(t => t.GetRoot())));
            _internalsVisible = new Lazy<bool>(() => model.Compilation.Assembly.GetAttributes()
                .Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InternalsVisibleToAttribute"));
        }

        /// <summary>The inferred contract of <paramref name="method"/>, or null when it has none (not eligible, or nothing to push to callers).</summary>
        public MemberContract? SummaryOf(IMethodSymbol method)
        {
            var member = Canonical(ContractModel.Normalize(method));
            if (_summaries.TryGetValue(member, out var done)) return done;
            if (!(_eligible.TryGetValue(member, out var eligible) ? eligible : _eligible.GetOrAdd(member, m => Eligible((IMethodSymbol)m))))
            {
                _summaries.TryAdd(member, null);
                return null;
            }
            var stack = t_stack ??= new List<Frame>();
            int index = stack.FindIndex(f => SymbolEqualityComparer.Default.Equals(f.Member, member));
            if (index >= 0)
            {
                // Recursion: the caller sees the current approximation; everything above it is provisional until the cycle settles.
                stack[index].Recursive = true;
                for (int i = index + 1; i < stack.Count; i++) stack[i].DependsOnOuter = true;
                return stack[index].Current;
            }
            var frame = new Frame(member);
            stack.Add(frame);
            try
            {
                MemberContract? result;
                int iteration = 0;
                while (true)
                {
                    frame.Recursive = false;
                    result = Compute((IMethodSymbol)member);
                    if (!frame.Recursive || Same(result, frame.Current) || ++iteration >= CycleIterations) break;
                    frame.Current = result;
                }
                if (!frame.DependsOnOuter) _summaries.TryAdd(member, result);
                return result;
            }
            finally
            {
                stack.RemoveAt(stack.Count - 1);
            }
        }

        /// <summary>
        /// A local function as this class's semantic models declare it: each semantic model binds a body anew, so the analyzer's
        /// instance and the one a summary's own analysis sees are different symbols of the same declaration.
        /// </summary>
        private ISymbol Canonical(ISymbol member) =>
            member is IMethodSymbol { MethodKind: MethodKind.LocalFunction } && member.DeclaringSyntaxReferences.Length == 1
            && member.DeclaringSyntaxReferences[0].GetSyntax() is LocalFunctionStatementSyntax declaration
            && SemanticModelOf(declaration.SyntaxTree).GetDeclaredSymbol(declaration) is { } declared ? declared : member;

        private static bool Same(MemberContract? a, MemberContract? b) => (a?.Signature() ?? "") == (b?.Signature() ?? "");

        public InferenceScope ScopeOf(SyntaxTree tree) =>
            Option(tree, OptionName) switch
            {
                "off" or "none" or "false" => InferenceScope.Off,
                "assembly" or "internal" => InferenceScope.Assembly,
                _ => InferenceScope.Private,
            };

        /// <summary>
        /// Whether local functions get summaries: off unless set, since the contract (§2) has a local function start with nothing
        /// held and report inside whoever calls it.
        /// </summary>
        private bool InfersLocalFunctions(SyntaxTree tree) =>
            ScopeOf(tree) != InferenceScope.Off && Option(tree, LocalFunctionsOptionName) is "true" or "on" or "yes";

        private string? Option(SyntaxTree tree, string name)
        {
            string? value = null;
            var provider = _model.Options?.AnalyzerConfigOptionsProvider;
            if (provider != null && !provider.GetOptions(tree).TryGetValue(name, out value))
                provider.GlobalOptions.TryGetValue(name, out value);
            return value?.Trim().ToLowerInvariant();
        }

        /// <summary>A source method with a body, not part of an inheritance contract, whose every reference is a call and which has a caller besides itself.</summary>
        private bool Eligible(IMethodSymbol method)
        {
            if (method.MethodKind == MethodKind.LocalFunction) return EligibleLocalFunction(method);
            if (method.MethodKind != MethodKind.Ordinary || method.IsAbstract || method.IsVirtual || method.IsOverride || method.IsExtern
                || method.PartialDefinitionPart != null || method.PartialImplementationPart != null
                || !SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _model.Compilation.Assembly)
                || method.DeclaringSyntaxReferences.Length != 1) return false;
            var syntax = method.DeclaringSyntaxReferences[0].GetSyntax() as MethodDeclarationSyntax;
            if (syntax == null || syntax.Body == null && syntax.ExpressionBody == null) return false;
            var scope = ScopeOf(syntax.SyntaxTree);
            ILookup<string, SimpleNameSyntax> names;
            switch (method.DeclaredAccessibility)
            {
                case Accessibility.Private when scope != InferenceScope.Off:
                    names = _typeNames.TryGetValue(method.ContainingType, out var found) ? found
                        : _typeNames.GetOrAdd(method.ContainingType, t => Names(t.DeclaringSyntaxReferences.Select(r => r.GetSyntax()), PrivateMethodNames((INamedTypeSymbol)t)));
                    break;
                case Accessibility.Internal or Accessibility.ProtectedAndInternal when scope == InferenceScope.Assembly && !_internalsVisible.Value:
                    names = _allNames.Value;
                    break;
                default:
                    return false;
            }
            if (ContractModel.InheritedFrom(method).Any()) return false;
            return OnlyCalled(method, syntax, names[method.Name]);
        }

        /// <summary>
        /// A local function of a method, constructor or accessor, not inside a lambda (a summary's body is found through the member's
        /// graph): its callers are in that member's declaration.
        /// </summary>
        private bool EligibleLocalFunction(IMethodSymbol method)
        {
            if (method.IsExtern || method.DeclaringSyntaxReferences.Length != 1
                || method.DeclaringSyntaxReferences[0].GetSyntax() is not LocalFunctionStatementSyntax syntax
                || syntax.Body == null && syntax.ExpressionBody == null
                || !InfersLocalFunctions(syntax.SyntaxTree)
                || EnclosingMember(syntax) is not { } enclosing) return false;
            var names = enclosing.DescendantNodes().OfType<SimpleNameSyntax>().Where(n => n.Identifier.ValueText == method.Name);
            return OnlyCalled(method, syntax, names);
        }

        /// <summary>The member declaring a local function, or null when a lambda is in between (or it is a top-level statement's).</summary>
        private static SyntaxNode? EnclosingMember(LocalFunctionStatementSyntax local)
        {
            foreach (var ancestor in local.Ancestors())
            {
                switch (ancestor)
                {
                    case AnonymousFunctionExpressionSyntax:
                    case GlobalStatementSyntax:
                        return null;
                    case BaseMethodDeclarationSyntax or AccessorDeclarationSyntax:
                        return ancestor;
                }
            }
            return null;
        }

        /// <summary>Every reference to the method is a call, and one of them is outside its own body.</summary>
        private bool OnlyCalled(IMethodSymbol method, SyntaxNode declaration, IEnumerable<SimpleNameSyntax> names)
        {
            int callers = 0;
            foreach (var name in names)
            {
                var info = SemanticModelOf(name.SyntaxTree).GetSymbolInfo(name);
                bool refers = info.Symbol is { } symbol ? Refers(symbol, method) : info.CandidateSymbols.Any(c => Refers(c, method));
                if (!refers) continue;
                if (!IsCallee(name) || info.Symbol == null) return false;
                if (!declaration.Span.Contains(name.Span) || name.SyntaxTree != declaration.SyntaxTree) callers++;
            }
            return callers > 0;
        }

        private static bool Refers(ISymbol symbol, IMethodSymbol method) =>
            SymbolEqualityComparer.Default.Equals(ContractModel.Normalize(symbol), method);

        /// <summary>Whether a name is what an invocation calls (<c>f()</c>, <c>x.f()</c>, <c>x?.f()</c>), not a method group converted to a delegate.</summary>
        private static bool IsCallee(SimpleNameSyntax name)
        {
            SyntaxNode expression = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access
                : name.Parent is MemberBindingExpressionSyntax binding ? binding : name;
            return expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression;
        }

        private static ILookup<string, SimpleNameSyntax> Names(IEnumerable<SyntaxNode> roots, HashSet<string>? only = null) =>
            roots.SelectMany(r => r.DescendantNodes().OfType<SimpleNameSyntax>()).Where(n => only == null || only.Contains(n.Identifier.ValueText))
                .ToLookup(n => n.Identifier.ValueText, StringComparer.Ordinal);

        /// <summary>The names a type's private helpers are looked up by: a type's lookup holds only those, not every name in it.</summary>
        private static HashSet<string> PrivateMethodNames(INamedTypeSymbol type)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in type.GetMembers())
                if (member is IMethodSymbol { DeclaredAccessibility: Accessibility.Private }) names.Add(member.Name);
            return names;
        }

        // One semantic model per tree for the whole compilation: a summary reads bodies of other documents than the one analyzed.
#pragma warning disable RS1030
        private SemanticModel SemanticModelOf(SyntaxTree tree) =>
            _semanticModels.TryGetValue(tree, out var model) ? model : _semanticModels.GetOrAdd(tree, t => _model.Compilation.GetSemanticModel(t));
#pragma warning restore RS1030

        private MemberContract? Compute(IMethodSymbol method)
        {
            var cancellation = t_cancellation;
            cancellation.ThrowIfCancellationRequested();
            var syntax = method.DeclaringSyntaxReferences[0].GetSyntax(cancellation);
            var graph = GraphOf(method, syntax);
            if (graph == null) return null;
            var collector = new SummaryCollector(method, _model);
            new BodyAnalysis(_model, graph, method, syntax, null, collector, cancellation, ownContract: MemberContract.Empty, nested: false).Run();
            return collector.Summary();
        }

        /// <summary>The helper's control-flow graph, or null when its body touches nothing with a contract; a local function's comes from its member's.</summary>
        private ControlFlowGraph? GraphOf(IMethodSymbol method, SyntaxNode syntax)
        {
            var semanticModel = SemanticModelOf(syntax.SyntaxTree);
            if (method.MethodKind != MethodKind.LocalFunction)
                return semanticModel.GetOperation(syntax) is IMethodBodyOperation body && Relevance.Touches(_model, body) ? ControlFlowGraph.Create(body) : null;
            if (semanticModel.GetOperation(syntax) is not ILocalFunctionOperation local || !Relevance.Touches(_model, local)) return null;
            var enclosing = EnclosingMember((LocalFunctionStatementSyntax)syntax)!;
            var whole = semanticModel.GetOperation(enclosing) switch
            {
                IMethodBodyOperation body => ControlFlowGraph.Create(body),
                IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor),
                _ => null,
            };
            return whole == null ? null : LocalFunctionGraph(whole, local.Symbol);
        }

        private static ControlFlowGraph? LocalFunctionGraph(ControlFlowGraph graph, IMethodSymbol target)
        {
            foreach (var local in graph.LocalFunctions)
            {
                var inner = graph.GetLocalFunctionControlFlowGraph(local);
                if (local.DeclaringSyntaxReferences.SequenceEqual(target.DeclaringSyntaxReferences, (a, b) => a.SyntaxTree == b.SyntaxTree && a.Span == b.Span)) return inner;
                if (LocalFunctionGraph(inner, target) is { } found) return found;
            }
            return null;
        }

        /// <summary>What one helper's body leaves to its callers, seen from a run that starts with nothing held.</summary>
        private sealed class SummaryCollector : IFlowObserver
        {
            private readonly IMethodSymbol _member;
            private readonly ContractModel _model;
            private readonly List<(Clause Clause, ImmutableArray<string> Keys)> _clauses = new List<(Clause, ImmutableArray<string>)>();
            private readonly HashSet<string> _released = new HashSet<string>();
            private readonly List<(Exclusion Exclusion, string Key)> _exclusions = new List<(Exclusion, string)>();
            private (ImmutableArray<string> Via, Location Origin)? _sleep;

            public SummaryCollector(IMethodSymbol member, ContractModel model)
            {
                _member = member;
                _model = model;
            }

            public MemberContract? Summary()
            {
                // A helper that releases a context its callers would provide keeps that requirement inside (MM1002 there, as without inference).
                var clauses = _clauses.Where(c => !c.Keys.Any(_released.Contains)).Select(c => c.Clause).ToImmutableArray();
                // Requiring an atomic context, the body runs atomic from its entry: its sleeping call is MM3001 inside, not its callers' business.
                var sleep = clauses.Any(c => c.Alternatives.Length == 1 && (_model.FlagsOf(c.Alternatives[0].Type) & ContextFlags.Atomic) != 0) ? null : _sleep;
                var exclusions = _exclusions.Select(e => e.Exclusion).ToImmutableArray();
                if (clauses.IsEmpty && exclusions.IsEmpty && sleep == null) return null;
                return new MemberContract
                {
                    Clauses = clauses,
                    Exclusions = exclusions,
                    MightSleep = sleep != null,
                    SleepVia = sleep?.Via ?? ImmutableArray<string>.Empty,
                    SleepOrigin = sleep?.Origin,
                    Inferred = true,
                };
            }

            public void OnCall(CallEvent call, FlowState before, BodyAnalysis body)
            {
                foreach (var (context, _) in call.Releases) _released.Add(context.Key);
                var location = call.Site.Location;
                var name = call.Site.MemberName;
                foreach (var clause in call.Clauses)
                {
                    if (clause.Clause.Kind == ClauseKind.Memmap || clause.Alternatives.IsEmpty) continue;
                    var satisfiers = Satisfaction.Satisfiers(clause, before, body.AssumedDisjunctions);
                    if (satisfiers == null || satisfiers.Count > 0) continue;
                    if (clause.Alternatives.Any(a => OwnBusiness(a.Context, before))) continue;
                    var lifted = clause.Alternatives.Select(a => Lift(a.Context, a.Mode, clause.Clause.Alternatives)).Where(t => t != null).Select(t => t!).ToImmutableArray();
                    Add(clause.Clause.Kind, lifted, clause.Clause.Space, clause.Clause.Freeing, ImmutableArray.Create(name).AddRange(clause.Clause.Via), clause.Clause.Origin ?? location, clause.Clause.Access);
                }
                // A run-time assertion of a context the helper did not take itself (lockdep_assert_held) states what its callers hold.
                foreach (var (context, mode) in call.AssertsHeld)
                {
                    if (Satisfaction.Satisfier(before, context, mode) != null || OwnBusiness(context, before) || body.AssumedDisjunctions.Any(d => d.Any(a => a.Key == context.Key))) continue;
                    var lifted = WithMode(Lift(context, mode, call.Contract.AssertsHeld), mode);
                    if (lifted != null) Add(ClauseKind.Requires, ImmutableArray.Create(lifted), null, null, ImmutableArray.Create(name), location);
                }
                Exclude(call, before, name, location);
                if (_sleep != null || InAtomic(before)) return;
                if (call.Contract.MightSleep)
                    _sleep = (ImmutableArray.Create(name).AddRange(call.Contract.SleepVia), call.Contract.SleepOrigin ?? location);
                else if (call.Acquires.Any(a => (_model.FlagsOf(a.Context.Type) & ContextFlags.Atomic) == 0))
                    _sleep = (ImmutableArray.Create(name), location);
            }

            private static bool InAtomic(FlowState state)
            {
                foreach (var held in state.DefiniteContexts)
                    if ((held.Flags & ContextFlags.Atomic) != 0) return true;
                return false;
            }

            /// <summary>
            /// What the callers must not hold: what a callee excludes (declared or inferred) and a non-reentrant context the helper
            /// acquires, when the helper has not taken or released it itself and the callers can name it.
            /// </summary>
            private void Exclude(CallEvent call, FlowState before, string name, Location location)
            {
                foreach (var (context, _) in call.Excludes)
                    AddExclusion(context, before, false, call.Contract.Excludes, ImmutableArray.Create(name), location);
                foreach (var (context, exclusion) in call.Exclusions)
                    AddExclusion(context, before, exclusion.Acquired, ImmutableArray.Create(exclusion.Template), ImmutableArray.Create(name).AddRange(exclusion.Via), exclusion.Origin);
                foreach (var (context, _) in call.Acquires)
                    if ((_model.FlagsOf(context.Type) & (ContextFlags.Reentrant | ContextFlags.Idempotent)) == 0)
                        AddExclusion(context, before, true, call.Contract.Acquires, ImmutableArray.Create(name), location);
            }

            private void AddExclusion(ContextInstance context, FlowState before, bool acquired, ImmutableArray<ContextTemplate> calleeTemplates, ImmutableArray<string> via, Location origin)
            {
                if (OwnBusiness(context, before) || WithMode(Lift(context, Mode.Either, calleeTemplates), Mode.Either) is not { } lifted) return;
                var key = BodyAnalysis.EntryInstance(lifted, _member).Key;
                int same = _exclusions.FindIndex(e => e.Key == key);
                // One exclusion per context; of several paths to it the message names the shortest.
                if (same >= 0 && _exclusions[same].Exclusion.Via.Length <= via.Length) return;
                var exclusion = (new Exclusion(lifted, acquired, via, origin), key);
                if (same >= 0) _exclusions[same] = exclusion;
                else _exclusions.Add(exclusion);
            }

            // Released or acquired by the helper itself on some path: its own business, reported inside.
            private static bool OwnBusiness(ContextInstance context, FlowState before) =>
                before.Find(context.Key) != null || before.Released.ContainsKey(context.Key);

            private void Add(ClauseKind kind, ImmutableArray<ContextTemplate> lifted, string? space, string? freeing, ImmutableArray<string> via, Location origin, string? access = null)
            {
                if (lifted.IsEmpty) return;
                var keys = lifted.Select(t => BodyAnalysis.EntryInstance(t, _member).Key).ToImmutableArray();
                // A read and a write of one guarded member are two clauses: the write needs the context exclusively.
                int same = _clauses.FindIndex(c => c.Clause.Kind == kind && c.Clause.Space == space && c.Clause.Freeing == freeing && c.Keys.SequenceEqual(keys)
                                                   && c.Clause.Alternatives.Select(a => a.Mode).SequenceEqual(lifted.Select(a => a.Mode)));
                // Of several paths to one requirement the message names the shortest (a recursive cycle offers longer ones).
                if (same >= 0 && _clauses[same].Clause.Via.Length <= via.Length) return;
                var inferred = (new Clause(kind, lifted, space, freeing, via, origin, access), keys);
                if (same >= 0) _clauses[same] = inferred;
                else _clauses.Add(inferred);
            }

            // A template taken from the callee's or the guard's declaration carries its mode; the clause needs the one used here.
            private static ContextTemplate? WithMode(ContextTemplate? template, Mode mode) =>
                template == null || template.Mode == mode ? template
                : new ContextTemplate(template.Text, mode, template.Root, template.ParameterOrdinal, template.RootName, template.StaticMember, template.Path, template.Type);

            /// <summary>A context the helper names, as its callers can name it: rooted at a parameter, <c>this</c>, a static, or 'any T'; else null.</summary>
            private ContextTemplate? Lift(ContextInstance context, Mode mode, ImmutableArray<ContextTemplate> calleeTemplates)
            {
                if (context.Existential)
                    return calleeTemplates.FirstOrDefault(t => t.Root == RootKind.Existential && SymbolEqualityComparer.Default.Equals(t.Type, context.Type));
                var staticTemplate = calleeTemplates.FirstOrDefault(t => t.Root == RootKind.Static && ContextBinder.DeclarationInstance(t, _member).Key == context.Key);
                if (staticTemplate != null) return staticTemplate;
                // A static the callee received as an argument (lockdep_assert_held(G.l)) is named by its type, wherever the helper is.
                if (context.DeclaringMember is { IsStatic: true } member && ContextBinder.StaticKey(member) == context.Key)
                    return new ContextTemplate(member.ContainingType.ToDisplayString() + "." + member.Name, mode, RootKind.Static, -1,
                        member.ContainingType.Name + "." + member.Name, member, ImmutableArray<ISymbol>.Empty, context.Type);
                // Named as the fixes would write it in the helper's attributes, so "Add the inferred contract" writes what is inferred.
                if (_model.NameInContract(context, _member) is not { } text) return Captured(context, mode);
                var template = _model.Binder.Bind(ParsedExpression.Parse(text), _member, mode, allowExistential: false, out _);
                return template != null && BodyAnalysis.EntryInstance(template, _member).Key == context.Key ? template : null;
            }

            /// <summary>
            /// A context rooted at a parameter of a member enclosing the local function, which it captures: named by that parameter at
            /// every call (all are in its scope). No attribute can state it, so "Add the inferred contract" is not offered for it.
            /// </summary>
            private ContextTemplate? Captured(ContextInstance context, Mode mode)
            {
                if (_member.MethodKind != MethodKind.LocalFunction || !context.Key.StartsWith("param:", StringComparison.Ordinal)) return null;
                var root = context.Key.Substring(6).Split('.')[0];
                if (_member.Parameters.Any(p => p.Name == root)) return null;
                for (var enclosing = _member.ContainingSymbol as IMethodSymbol; enclosing != null; enclosing = enclosing.ContainingSymbol as IMethodSymbol)
                {
                    if (!enclosing.Parameters.Any(p => p.Name == root)) continue;
                    var template = _model.Binder.Bind(ParsedExpression.Parse(context.Key.Substring(6)), enclosing, mode, allowExistential: false, out _);
                    if (template == null || ContextBinder.DeclarationInstance(template, enclosing).Key != context.Key) return null;
                    return new ContextTemplate(template.Text, template.Mode, RootKind.Captured, -1, template.RootName, null, template.Path, template.Type);
                }
                return null;
            }

            /// <summary>
            /// A guarded member accessed without its contexts (MM1007 inside): each context the callers can name becomes a clause,
            /// exclusive for a write. A guard readable under any of several contexts stays inside (one clause cannot say "any of these, shared").
            /// </summary>
            public void OnAccess(IOperation access, ISymbol member, IOperation? instance, bool write, FlowState state, BodyAnalysis body)
            {
                var guard = _model.GuardOf(member);
                if (guard == null || !write && guard.ReadAny && guard.Contexts.Length > 1) return;
                var mode = write ? Mode.Exclusive : Mode.Shared;
                foreach (var context in body.Paths.GuardContexts(guard, access, member, instance))
                {
                    if (Satisfaction.Satisfier(state, context, write ? Mode.Exclusive : Mode.Either) != null || OwnBusiness(context, state)) continue;
                    var lifted = WithMode(Lift(context, mode, guard.Contexts), mode);
                    if (lifted != null)
                        Add(ClauseKind.Guarded, ImmutableArray.Create(lifted), null, null, ImmutableArray<string>.Empty, access.Syntax.GetLocation(),
                            (write ? "writes '" : "reads '") + member.Name + "'");
                }
            }
            public void OnGuardDisposedAgain(IOperation dispose, IReadOnlyList<Held> disposed, BodyAnalysis body) { }
            public void OnSuspend(IOperation operation, string what, FlowState state, BodyAnalysis body) { }
            public void OnReferenceUse(IOperation use, string name, GuardedReference reference, FlowState state, BodyAnalysis body) { }
            public void OnReferenceEscape(Location at, string? name, GuardedReference reference, string how, FlowState state, BodyAnalysis body) { }
            public void OnExit(Location location, FlowState state, BodyAnalysis body, IOperation? returned) { }
            public void OnJoin(Location join, IReadOnlyList<FlowState> incoming, FlowState joined, BodyAnalysis body) { }
        }
    }
}
