using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Rules;

namespace MmLock.Analyzers.Flow
{
    /// <summary>
    /// The forward data flow over one body's control-flow graph: the held contexts at every point, to a fixed
    /// point, then one replay that shows each operation and its state to the rules. Finally regions run once
    /// per path that enters them; explicit throws reach their catch handlers; lambdas and local functions are
    /// analyzed as bodies of their own.
    /// </summary>
    internal sealed partial class BodyAnalysis
    {
        /// <summary>
        /// Visits of one block before the analysis gives up. The joins are monotone and the lattice finite, so a fixed point
        /// comes long before; reaching this is a bug, reported as MM9999 rather than cut short in silence (docs/rules/MM9999.md, Limits).
        /// </summary>
        private const int VisitLimit = 1000;

        private readonly ControlFlowGraph _graph;
        private readonly IFlowObserver? _observer;
        private readonly CancellationToken _cancellation;
        // False for a helper's summary: its lambdas and local functions report for themselves.
        private readonly bool _analyzeNested;
        private readonly Dictionary<ControlFlowRegion, FlowState> _finallyEntries = new Dictionary<ControlFlowRegion, FlowState>();
        private readonly Dictionary<ControlFlowRegion, List<(FlowState Entry, FlowState End)>> _finallyResults = new Dictionary<ControlFlowRegion, List<(FlowState, FlowState)>>();
        private readonly List<(ControlFlowGraph Graph, ISymbol Symbol, SyntaxNode Syntax, IMethodSymbol? DelegateInvoke)> _nested = new List<(ControlFlowGraph, ISymbol, SyntaxNode, IMethodSymbol?)>();

        public BodyAnalysis(ContractModel model, ControlFlowGraph graph, ISymbol owner, SyntaxNode ownerSyntax, IMethodSymbol? delegateInvoke,
            IFlowObserver? observer, CancellationToken cancellation, MemberContract? ownContract = null, bool nested = true)
        {
            Model = model;
            _graph = graph;
            Owner = owner;
            OwnerSyntax = ownerSyntax;
            _observer = observer;
            _cancellation = cancellation;
            Paths = new Paths(graph, cancellation);
            OwnContract = ownContract ?? model.ContractOf(owner);
            _analyzeNested = nested;
            DelegateContract = delegateInvoke != null ? model.ContractOf(delegateInvoke) : MemberContract.Empty;
        }

        public ContractModel Model { get; }
        public ISymbol Owner { get; }
        public SyntaxNode OwnerSyntax { get; }
        public Paths Paths { get; }
        public MemberContract OwnContract { get; }
        /// <summary>The contract of the delegate a lambda is converted to (its Invoke's attributes).</summary>
        public MemberContract DelegateContract { get; }
        /// <summary>Contexts the body's contract lets it hold when it returns: what it acquires, try-acquires or requires.</summary>
        public ISet<string> HeldAtExitByContract => _heldAtExitByContract ??= ContractKeys();

        private ISet<string>? _heldAtExitByContract;

        private ISet<string> ContractKeys()
        {
            var keys = new HashSet<string>();
            foreach (var contract in new[] { OwnContract, DelegateContract })
            {
                foreach (var template in contract.Acquires) keys.Add(EntryInstance(template).Key);
                foreach (var tryAcquire in contract.TryAcquires) keys.Add(EntryInstance(tryAcquire.Template).Key);
                foreach (var clause in contract.Clauses)
                    foreach (var template in clause.Alternatives) keys.Add(EntryInstance(template).Key);
            }
            return keys;
        }

        /// <summary>Multi-alternative requirements of the body's own contract, assumed satisfied inside it.</summary>
        public List<ImmutableArray<ContextInstance>> AssumedDisjunctions { get; } = new List<ImmutableArray<ContextInstance>>();

        /// <summary>Analyzes the body, then every lambda and local function inside it.</summary>
        public void Run()
        {
            if (OwnContract.NoLockAnalysis) return;
            var entry = EntryState();
            var main = new RegionRun(this, 0, _graph.Blocks.Length - 1);
            main.Solve(0, entry);
            if (_observer != null)
            {
                main.Report();
                var reported = new HashSet<ControlFlowRegion>();
                bool more = true;
                while (more)
                {
                    more = false;
                    foreach (var pair in _finallyEntries.ToList())
                    {
                        if (!reported.Add(pair.Key)) continue;
                        more = true;
                        var run = new RegionRun(this, pair.Key.FirstBlockOrdinal, pair.Key.LastBlockOrdinal);
                        run.Solve(pair.Key.FirstBlockOrdinal, pair.Value);
                        run.Report();
                    }
                }
            }

            if (!_analyzeNested) return;
            foreach (var localFunction in _graph.LocalFunctions)
            {
                var syntax = localFunction.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellation);
                if (syntax == null) continue;
                _nested.Add((_graph.GetLocalFunctionControlFlowGraph(localFunction, _cancellation), localFunction, syntax, null));
            }
            foreach (var (graph, symbol, syntax, invoke) in _nested.ToList())
            {
                _cancellation.ThrowIfCancellationRequested();
                new BodyAnalysis(Model, graph, symbol, syntax, invoke, _observer, _cancellation).Run();
            }
        }

        /// <summary>The body starts holding what its own contract requires of callers, and what it promises to release.</summary>
        private FlowState EntryState()
        {
            var state = FlowState.Empty;
            foreach (var contract in new[] { OwnContract, DelegateContract })
            {
                foreach (var clause in contract.Clauses)
                {
                    if (clause.Alternatives.Length == 1)
                        state = Assume(state, clause.Alternatives[0], clause.Alternatives[0].Mode == Mode.Exclusive ? Mode.Exclusive : Mode.Shared);
                    else if (clause.Alternatives.Length > 1)
                        AssumedDisjunctions.Add(clause.Alternatives.Select(EntryInstance).ToImmutableArray());
                }
                foreach (var released in contract.Releases) state = Assume(state, released, released.Mode);
                // A downgrade is called holding the context exclusively.
                foreach (var downgraded in contract.Downgrades) state = Assume(state, downgraded, Mode.Exclusive);
            }
            return state;
        }

        private FlowState Assume(FlowState state, ContextTemplate template, Mode mode)
        {
            var instance = EntryInstance(template);
            if (state.Find(instance.Key) != null) return state;
            return state.WithHeld(new Held(instance, mode, 1, null, assumed: true, maybe: false, guard: null, Model.FlagsOf(instance.Type)));
        }

        /// <summary>A template of the body's own contract as the body names it (a lambda's parameters may be named differently from its delegate's).</summary>
        public ContextInstance EntryInstance(ContextTemplate template) => EntryInstance(template, Owner);

        public static ContextInstance EntryInstance(ContextTemplate template, ISymbol owner)
        {
            if (template.Root == RootKind.Parameter && owner is IMethodSymbol method && template.ParameterOrdinal < method.Parameters.Length)
            {
                var name = method.Parameters[template.ParameterOrdinal].Name;
                return ContextBinder.Extend(template, "param:" + name, name);
            }
            return ContextBinder.DeclarationInstance(template, owner);
        }

        /// <summary>
        /// A contract naming <c>return.x</c> is kept by a body that holds <c>v.x</c> where it returns <c>v</c> (contract §3.1):
        /// at that exit the returned value's contexts are the result's.
        /// </summary>
        public FlowState BindReturned(BasicBlock block, ControlFlowBranch branch, FlowState state)
        {
            if (block.BranchValue == null || block.ConditionalSuccessor != null || !ReferenceEquals(branch, block.FallThroughSuccessor)) return state;
            var returned = OwnContract.Acquires.Concat(OwnContract.TryAcquires.Select(t => t.Template)).Where(t => t.Root == RootKind.Return).ToList();
            if (returned.Count == 0) return state;
            var value = Paths.PathOf(block.BranchValue).Key;
            foreach (var template in returned)
            {
                if (state.Find(value + template.PathSuffixKey()) is not { } held) continue;
                state = state.WithoutHeld(held.Key, null).WithHeld(new Held(EntryInstance(template), held.Mode, held.Count, held.AcquiredAt,
                    held.Assumed, held.Maybe, held.Guard, held.Flags));
            }
            return state;
        }

        public FlowState RunFinally(ControlFlowRegion region, FlowState state)
        {
            if (state.IsUnreachable) return state;
            _finallyEntries[region] = _finallyEntries.TryGetValue(region, out var previous) ? FlowState.Join(previous, state) : state;
            // Solved once per distinct entry state: a finally inside loops inside finallies is entered by many paths with the same state.
            if (!_finallyResults.TryGetValue(region, out var results)) _finallyResults[region] = results = new List<(FlowState, FlowState)>();
            foreach (var (entry, end) in results)
                if (entry.IdenticalTo(state)) return end;
            var run = new RegionRun(this, region.FirstBlockOrdinal, region.LastBlockOrdinal);
            run.Solve(region.FirstBlockOrdinal, state);
            var result = run.EndState();
            results.Add((state, result));
            return result;
        }

        /// <summary>One fixed-point computation over a contiguous range of blocks (the whole body, or one finally region).</summary>
        private sealed class RegionRun
        {
            private readonly BodyAnalysis _body;
            private readonly int _first, _last;
            // Per block of the range, indexed by ordinal - first: arrays, not dictionaries, as the blocks are contiguous.
            private readonly FlowState?[] _in;
            /// <summary>
            /// The state each incoming edge (from, kind) last brought, in the order the edges were first seen, and the join of it
            /// with the edges before it: a new edge joins once with the last prefix, so the 2,000 edges into the body of
            /// <c>if (a || b || ...)</c> cost 2,000 joins, not 2,000,000.
            /// </summary>
            private readonly List<(int From, int Kind, FlowState State, FlowState Prefix)>?[] _incoming;
            private readonly Dictionary<int, FlowState> _ends = new Dictionary<int, FlowState>();
            private readonly int[] _visits;
            /// <summary>The blocks to process, by ordinal - first; the lowest is taken first, as a sorted set would, without its nodes.</summary>
            private readonly bool[] _pending;
            private int _pendingCount, _lowestPending;

            public RegionRun(BodyAnalysis body, int first, int last)
            {
                _body = body;
                _first = first;
                _last = last;
                _in = new FlowState?[last - first + 1];
                _incoming = new List<(int, int, FlowState, FlowState)>?[last - first + 1];
                _visits = new int[last - first + 1];
                _pending = new bool[last - first + 1];
            }

            private void Enqueue(int ordinal)
            {
                int index = ordinal - _first;
                if (_pending[index]) return;
                _pending[index] = true;
                _pendingCount++;
                if (_pendingCount == 1 || index < _lowestPending) _lowestPending = index;
            }

            private int Dequeue()
            {
                while (!_pending[_lowestPending]) _lowestPending++;
                _pending[_lowestPending] = false;
                _pendingCount--;
                return _lowestPending + _first;
            }

            public void Solve(int start, FlowState entry)
            {
                _in[start - _first] = entry;
                Enqueue(start);
                while (_pendingCount > 0)
                {
                    _body._cancellation.ThrowIfCancellationRequested();
                    int ordinal = Dequeue();
                    Process(_body._graph.Blocks[ordinal], _in[ordinal - _first]!, report: false);
                }
            }

            public void Report()
            {
                for (int ordinal = _first; ordinal <= _last; ordinal++)
                {
                    _body._cancellation.ThrowIfCancellationRequested();
                    var state = _in[ordinal - _first];
                    if (state == null || state.IsUnreachable) continue;
                    var block = _body._graph.Blocks[ordinal];
                    if (_incoming[ordinal - _first] is { Count: > 1 } edges && !SameHeldOnEvery(edges))
                        _body._observer!.OnJoin(_body.JoinLocation(block), edges.Select(e => e.State).Where(s => !s.IsUnreachable).ToList(), state, _body);
                    Process(block, state, report: true);
                }
                // Paths that leave at the same exit join there: held on some of them only is MM1005, not MM1004 (contract §3.1).
                if (_exits.Count == 1)
                    _body._observer!.OnExit(_exits[0].Location, _exits[0].State, _body, _exits[0].Returned);
                else foreach (var exit in _exits.GroupBy(e => e.Location.SourceSpan))
                {
                    var states = exit.Select(e => e.State).ToList();
                    var joined = states.Aggregate(FlowState.Unreachable, FlowState.Join);
                    if (states.Count > 1) _body._observer!.OnJoin(exit.First().Location, states, joined, _body);
                    _body._observer!.OnExit(exit.First().Location, joined, _body, exit.First().Returned);
                }
                _exits.Clear();
            }

            /// <summary>Whether the reachable edges all hold the very same contexts (one map): such a join has nothing to tell.</summary>
            private static bool SameHeldOnEvery(List<(int From, int Kind, FlowState State, FlowState Prefix)> edges)
            {
                ImmutableDictionary<string, Held>? held = null;
                foreach (var edge in edges)
                {
                    if (edge.State.IsUnreachable) continue;
                    if (held == null) held = edge.State.Held;
                    else if (!ReferenceEquals(held, edge.State.Held)) return false;
                }
                return true;
            }

            private readonly List<(Location Location, FlowState State, IOperation? Returned)> _exits = new List<(Location, FlowState, IOperation?)>();

            public FlowState EndState()
            {
                var joined = FlowState.Unreachable;
                foreach (var end in _ends.Values) joined = FlowState.Join(joined, end);
                return joined;
            }

            private void Process(BasicBlock block, FlowState state, bool report)
            {
                if (state.IsUnreachable) return;
                // The token is checked per operation and per joined edge too, not only per block: one block of a long body, or one
                // join of thousands of edges (a 5,000-case switch), took longer than the 100 ms a cancelled analysis may take.
                foreach (var operation in block.Operations)
                {
                    _body._cancellation.ThrowIfCancellationRequested();
                    state = _body.DiscardResults(_body.Visit(operation, state, report), report);
                }
                if (block.BranchValue != null) state = _body.Visit(block.BranchValue, state, report);

                if (block.ConditionalSuccessor != null && block.BranchValue != null)
                {
                    bool jumpIfTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                    Follow(block, block.ConditionalSuccessor, _body.AssumeBranch(state, block.BranchValue, jumpIfTrue), 1, report);
                    Follow(block, block.FallThroughSuccessor, _body.AssumeBranch(state, block.BranchValue, !jumpIfTrue), 0, report);
                }
                else
                {
                    var next = state.WithoutTransient();
                    // A returned guarded reference, kept past the block (and any finally on the way out) for the exit to check.
                    if (report && block.BranchValue != null && block.FallThroughSuccessor?.Destination?.Kind == BasicBlockKind.Exit &&
                        _body.EscapingReference(block.BranchValue, state) is { } returned)
                        next = next.WithReference(ReturnedReference, returned.Reference);
                    Follow(block, block.FallThroughSuccessor, next, 0, report);
                }
            }

            private void Follow(BasicBlock block, ControlFlowBranch? branch, FlowState state, int kind, bool report)
            {
                if (branch == null || state.IsUnreachable) return;
                switch (branch.Semantics)
                {
                    case ControlFlowBranchSemantics.Throw:
                    case ControlFlowBranchSemantics.Rethrow:
                        // A throw the compiler added (a switch expression's no-match) is no exit path: only explicit throws are.
                        if (IsExplicitThrow(block, branch)) Throw(block, state, report, branch.Semantics == ControlFlowBranchSemantics.Rethrow);
                        return;
                    case ControlFlowBranchSemantics.StructuredExceptionHandling:
                        if (!report) _ends[block.Ordinal] = state;
                        return;
                    case ControlFlowBranchSemantics.Error:
                    case ControlFlowBranchSemantics.ProgramTermination:
                        return;
                }
                foreach (var region in branch.FinallyRegions) state = _body.RunFinally(region, state);
                var destination = branch.Destination;
                if (destination == null || state.IsUnreachable) return;
                if (destination.Kind == BasicBlockKind.Exit)
                {
                    if (report && state.References.TryGetValue(ReturnedReference, out var returned)) _body.CheckReturn(block, branch, returned, state);
                    if (report) _exits.Add((_body.ExitLocation(block, branch), _body.BindReturned(block, branch, state), Returned(block, branch)));
                    return;
                }
                if (!report) Propagate(block.Ordinal, destination.Ordinal, kind, state);
            }

            private void Throw(BasicBlock block, FlowState state, bool report, bool rethrow)
            {
                var (thrown, exact) = ThrownType(block, rethrow);
                for (var region = block.EnclosingRegion; region != null; region = region.EnclosingRegion)
                {
                    if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion == null) continue;
                    var parent = region.EnclosingRegion;
                    if (parent.Kind == ControlFlowRegionKind.TryAndCatch)
                    {
                        foreach (var handler in parent.NestedRegions.Skip(1))
                        {
                            var catches = Catches(handler, thrown, exact);
                            if (catches == Catching.Never) continue;
                            if (!report) Propagate(block.Ordinal, handler.FirstBlockOrdinal, 2, state);
                            if (catches == Catching.Always) return;
                        }
                    }
                    else if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
                    {
                        state = _body.RunFinally(parent.NestedRegions[1], state);
                        if (state.IsUnreachable) return;
                    }
                }
                if (report) _exits.Add((_body.ThrowLocation(block, rethrow), state, null));
            }

            private void Propagate(int from, int to, int kind, FlowState state)
            {
                if (to < _first || to > _last) return;
                // Sized for the block's predecessors: most blocks have one edge, and a list's default capacity is four.
                var edges = _incoming[to - _first] ??= new List<(int, int, FlowState, FlowState)>(Math.Max(1, _body._graph.Blocks[to].Predecessors.Length));
                int index = 0;
                bool backEdge = false;
                // Loops, not Aggregate/Any: no enumerator or closure allocated per propagation.
                for (; index < edges.Count && (edges[index].From != from || edges[index].Kind != kind); index++) backEdge |= edges[index].From >= to;
                if (index == edges.Count) edges.Add((from, kind, state, state));
                else edges[index] = (from, kind, state, state);
                for (int i = index; i < edges.Count; i++)
                {
                    _body._cancellation.ThrowIfCancellationRequested();
                    var edge = edges[i];
                    backEdge |= edge.From >= to;
                    edges[i] = (edge.From, edge.Kind, edge.State, FlowState.Join(i == 0 ? FlowState.Unreachable : edges[i - 1].Prefix, edge.State));
                }
                var joined = edges[edges.Count - 1].Prefix;
                if (_in[to - _first] is { } old)
                {
                    // At a loop head, joined with what the block already had, so its state only grows and the iteration ends.
                    if (backEdge) joined = FlowState.Join(old, joined);
                    if (old.EquivalentTo(joined)) return;
                }
                _in[to - _first] = joined;
                int visits = _visits[to - _first]++;
                if (visits >= VisitLimit)
                    throw new AnalysisStoppedException($"no fixed point after {VisitLimit} visits of block {to}");
                Enqueue(to);
            }
        }

        /// <summary>The value an exit edge returns: the block's branch value when it falls through to the exit.</summary>
        private static IOperation? Returned(BasicBlock block, ControlFlowBranch branch) =>
            block.BranchValue != null && block.ConditionalSuccessor == null && ReferenceEquals(branch, block.FallThroughSuccessor) ? block.BranchValue : null;

        private enum Catching { Never, Maybe, Always }

        /// <summary>
        /// Whether a handler catches an exception of static type <paramref name="thrown"/> (<paramref name="exact"/>: a
        /// <c>new</c> expression, so no subtype). A filtered handler may let it pass.
        /// </summary>
        private static Catching Catches(ControlFlowRegion handler, ITypeSymbol? thrown, bool exact)
        {
            var type = handler.ExceptionType;
            bool filtered = handler.Kind == ControlFlowRegionKind.FilterAndHandler;
            bool all = type == null || type.SpecialType == SpecialType.System_Object || type.ToDisplayString() == "System.Exception";
            Catching catches;
            if (all || thrown != null && Satisfaction.DerivesFrom(thrown, type)) catches = Catching.Always;
            else if (thrown == null || !exact && Satisfaction.DerivesFrom(type, thrown)) catches = Catching.Maybe;
            else catches = Catching.Never;
            return filtered && catches == Catching.Always ? Catching.Maybe : catches;
        }

        /// <summary>The static type of what a throw throws; a rethrow throws what its catch clause caught.</summary>
        private static (ITypeSymbol? Type, bool Exact) ThrownType(BasicBlock block, bool rethrow)
        {
            if (rethrow)
            {
                for (var region = block.EnclosingRegion; region != null; region = region.EnclosingRegion)
                    if (region.Kind is ControlFlowRegionKind.Catch or ControlFlowRegionKind.FilterAndHandler) return (region.ExceptionType, false);
                return (null, false);
            }
            if (block.BranchValue == null) return (null, false);
            var value = Paths.Unwrap(block.BranchValue);
            return (value.Type, value is IObjectCreationOperation);
        }

        /// <summary>A throw statement or expression the user wrote (or a rethrow), not one the compiler generated.</summary>
        private static bool IsExplicitThrow(BasicBlock block, ControlFlowBranch branch)
        {
            if (branch.Semantics == ControlFlowBranchSemantics.Rethrow) return true;
            var syntax = block.BranchValue?.Syntax;
            while (syntax?.Parent is ParenthesizedExpressionSyntax) syntax = syntax.Parent;
            return syntax?.Parent is ThrowStatementSyntax or ThrowExpressionSyntax;
        }

        public static int Line(Location? location) => location == null ? 0 : location.GetLineSpan().StartLinePosition.Line + 1;
    }
}
