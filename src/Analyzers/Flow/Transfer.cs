using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Rules;

namespace MmLock.Analyzers.Flow
{
    /// <summary>The transfer function: operations in evaluation order, and what each does to the held set.</summary>
    internal sealed partial class BodyAnalysis
    {
        // Operations visited, for the cancellation check below.
        private int _visited;

        public FlowState Visit(IOperation? operation, FlowState state, bool report)
        {
            if (operation == null || state.IsUnreachable) return state;
            // Nesting that is still recursive (an operand's own operands) stops with MM9999 before the stack overflows, which
            // would end the compiler's process: deep left-nested chains, the shape Roslyn compiles, are loops (VisitChain).
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            // One statement can be a huge expression (a generated initializer of thousands of calls): the token is checked every
            // 1,024 operations visited too, not only per statement, at the cost of an increment.
            Count(operation, state, report);
            if (IsLink(operation)) return VisitChain(operation, state, report);
            switch (operation)
            {
                case IFlowAnonymousFunctionOperation anonymous:
                    if (report) CheckCapture(anonymous, state);
                    if (!report && _analyzeNested)
                    {
                        var invoke = (anonymous.Parent as IDelegateCreationOperation)?.Type is INamedTypeSymbol { DelegateInvokeMethod: { } m } ? m : null;
                        if (!IsNested(anonymous.Syntax))
                            _nested.Add((_graph.GetAnonymousFunctionControlFlowGraph(anonymous, _cancellation), anonymous.Symbol, anonymous.Syntax, invoke));
                    }
                    return state;
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                    return state;
                case IObjectCreationOperation creation:
                    foreach (var argument in creation.Arguments) state = Visit(argument.Value, state, report);
                    if (creation.Constructor != null)
                        state = Call(creation, creation.Constructor, state, report);
                    return Visit(creation.Initializer, state, report);
                // User-defined operators and conversions are calls: their contracts are checked there (contract §3.1).
                case IUnaryOperation { OperatorMethod: { } unaryOperator } unary:
                    state = Visit(unary.Operand, state, report);
                    return Call(unary, unaryOperator, state, report);
                case IConversionOperation { OperatorMethod: { } conversionOperator } conversion:
                    state = Visit(conversion.Operand, state, report);
                    return Call(conversion, conversionOperator, state, report);
                case ISimpleAssignmentOperation assignment:
                    state = Visit(assignment.Value, state, report);
                    state = Visit(assignment.Target, state, report);
                    if (report) CheckStore(assignment, state);
                    return Assign(assignment, state, report);
                case IFlowCaptureOperation capture:
                    state = Visit(capture.Value, state, report);
                    return Flow(capture.Value, capture.Id, state, capture.Syntax.GetLocation(), report);
                case IAwaitOperation awaitOperation:
                    state = Visit(awaitOperation.Operation, state, report);
                    if (report) _observer!.OnSuspend(awaitOperation, "await", state, this);
                    return state;
                case IReturnOperation { Kind: OperationKind.YieldReturn } yieldReturn:
                    state = Visit(yieldReturn.ReturnedValue, state, report);
                    if (report) _observer!.OnSuspend(yieldReturn, "yield return", state, this);
                    return state;
                case ILocalReferenceOperation local:
                    if (report && !IsWriteTarget(local) && state.References.TryGetValue(local.Local, out var reference))
                        _observer!.OnReferenceUse(local, local.Local.Name, reference, state, this);
                    return state;
                default:
                    foreach (var child in operation.ChildOperations) state = Visit(child, state, report);
                    var changed = operation switch
                    {
                        ICompoundAssignmentOperation { Target: ILocalReferenceOperation compound } => compound.Local,
                        IIncrementOrDecrementOperation { Target: ILocalReferenceOperation incremented } => incremented.Local,
                        _ => null,
                    };
                    if (changed != null) state = state.WithFact(changed, null).WithReference(changed, null).WithoutKnown(changed);
                    return state;
            }
        }

        /// <summary>The per-operation bookkeeping: the cancellation check, and what a local function's call captures.</summary>
        private void Count(IOperation operation, FlowState state, bool report)
        {
            if ((++_visited & 1023) == 0) _cancellation.ThrowIfCancellationRequested();
            if (report && !state.References.IsEmpty && operation is IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } or
                    IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction })
                CheckCapture(operation is IInvocationOperation call ? call.TargetMethod : ((IMethodReferenceOperation)operation).Method, state);
        }

        /// <summary>
        /// An operation whose first-evaluated operand may be one of the same shapes: calls and member accesses on their receiver
        /// (<c>b.f().f()...</c>), binary operators and patterns on their left operand (<c>a + b + ...</c>).
        /// </summary>
        private static bool IsLink(IOperation operation) =>
            operation is IInvocationOperation or IPropertyReferenceOperation or IFieldReferenceOperation or IBinaryOperation or IBinaryPatternOperation;

        private static IOperation? First(IOperation link) => link switch
        {
            IInvocationOperation invocation => invocation.Instance,
            IPropertyReferenceOperation property => property.Instance,
            IFieldReferenceOperation field => field.Instance,
            IBinaryOperation binary => binary.LeftOperand,
            _ => ((IBinaryPatternOperation)link).LeftPattern,
        };

        /// <summary>
        /// A link and the links nested in its first operand, in evaluation order: innermost first, each after its first
        /// operand. A loop, not recursion: <c>a + b + ...</c> of 20,000 terms or a 5,000-call fluent chain (which Roslyn binds
        /// without recursion) overflowed the thread's stack, and a stack overflow ends the compiler.
        /// </summary>
        private FlowState VisitChain(IOperation chain, FlowState state, bool report)
        {
            var first = First(chain);
            if (first == null || !IsLink(first)) return Step(chain, Visit(first, state, report), report);
            // One stack for the body: a nested chain (in an argument) pushes above this one's bottom and pops back to it.
            int bottom = _spine.Count;
            _spine.Push(chain);
            for (var link = first; link != null && IsLink(link); link = First(link))
            {
                Count(link, state, report);
                _spine.Push(link);
            }
            state = Visit(First(_spine.Peek()), state, report);
            while (_spine.Count > bottom) state = Step(_spine.Pop(), state, report);
            return state;
        }

        private readonly Stack<IOperation> _spine = new Stack<IOperation>();

        /// <summary>One link once its first operand is visited: the rest of its operands, then its call or access.</summary>
        private FlowState Step(IOperation link, FlowState state, bool report)
        {
            switch (link)
            {
                case IInvocationOperation invocation:
                    foreach (var argument in invocation.Arguments) state = Visit(argument.Value, state, report);
                    state = DisposeGuard(invocation, state, report);
                    return Call(invocation, DisposalTarget(invocation).Method, state, report);
                case IPropertyReferenceOperation property:
                    foreach (var argument in property.Arguments) state = Visit(argument.Value, state, report);
                    return Access(property, property.Property, property.Instance, state, report);
                case IFieldReferenceOperation field:
                    return Access(field, field.Field, field.Instance, state, report);
                case IBinaryPatternOperation pattern:
                    return Visit(pattern.RightPattern, state, report);
                default:
                    var binary = (IBinaryOperation)link;
                    state = Visit(binary.RightOperand, state, report);
                    return binary.OperatorMethod is { } method ? Call(binary, method, state, report) : state;
            }
        }

        // A loop, not a lambda: a lambda capturing the switch's pattern variable made Visit allocate a closure on every call.
        private bool IsNested(SyntaxNode syntax)
        {
            foreach (var nested in _nested)
                if (ReferenceEquals(nested.Syntax, syntax)) return true;
            return false;
        }

        /// <summary>
        /// The implicit <c>Dispose()</c> of a <c>using</c> or <c>foreach</c> calls the interface method on a converted resource:
        /// the contract that applies is the resource type's implementation, with the resource as receiver (contract §3.1).
        /// </summary>
        private static (IMethodSymbol Method, IOperation? Receiver) DisposalTarget(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (!invocation.IsImplicit || invocation.Instance == null || method.ContainingType?.TypeKind != TypeKind.Interface ||
                method.Name is not ("Dispose" or "DisposeAsync") || method.Parameters.Length != 0) return (method, invocation.Instance);
            var resource = Paths.Unwrap(invocation.Instance);
            return resource.Type?.FindImplementationForInterfaceMember(method) is IMethodSymbol implementation ? (implementation, resource) : (method, invocation.Instance);
        }

        // ---- guarded references that escape (contract §3.1) ------------------------------------------------

        /// <summary>The guarded reference a value carries, unless reading it already was MM2005 (an expired one read from a local).</summary>
        public (GuardedReference Reference, string? Name)? EscapingReference(IOperation value, FlowState state)
        {
            var source = Paths.Unwrap(value);
            object key = ValueKey(source);
            if (!state.References.TryGetValue(key, out var reference) || reference.Expired && source is ILocalReferenceOperation) return null;
            return (reference, ReferenceName(value));
        }

        /// <summary>The local a value reads (through a compiler capture too), named in the message; null for a call's result.</summary>
        private string? ReferenceName(IOperation value)
        {
            var source = Paths.Unwrap(value);
            if (source is IFlowCaptureReferenceOperation captured) source = Paths.CapturedValue(captured.Id) is { } v ? Paths.Unwrap(v) : source;
            return (source as ILocalReferenceOperation)?.Local.Name;
        }

        /// <summary>The key under which a returned guarded reference reaches the exit, through any finally on the way.</summary>
        internal static readonly object ReturnedReference = new object();

        /// <summary>A member without [ReturnsGuarded] that returns a guarded reference gives it to callers no guard covers.</summary>
        public void CheckReturn(BasicBlock block, ControlFlowBranch branch, GuardedReference reference, FlowState state)
        {
            if (OwnContract.ReturnsGuarded) return;
            var how = Owner is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } ? "returned by a lambda without [ReturnsGuarded]"
                : "returned by '" + CallSite.DisplayName(Owner) + "', which is not [ReturnsGuarded]";
            _observer!.OnReferenceEscape(ExitLocation(block, branch), ReferenceName(block.BranchValue!), reference, how, state, this);
        }

        private void CheckStore(ISimpleAssignmentOperation assignment, FlowState state)
        {
            var how = Paths.Unwrap(assignment.Target) switch
            {
                IFieldReferenceOperation field => "stored into field '" + field.Field.Name + "'",
                IArrayElementReferenceOperation => "stored into an array element",
                _ => null,
            };
            if (how != null && EscapingReference(assignment.Value, state) is { } escaping)
                _observer!.OnReferenceEscape(assignment.Syntax.GetLocation(), escaping.Name, escaping.Reference, how, state, this);
        }

        /// <summary>A lambda reading a local that holds a live guarded reference: the lambda may run after the guard is released.</summary>
        private void CheckCapture(IFlowAnonymousFunctionOperation anonymous, FlowState state)
        {
            if (state.References.IsEmpty) return;
            ReportCaptures(_graph.GetAnonymousFunctionControlFlowGraph(anonymous, _cancellation), "captured by a lambda", expired: false, state);
        }

        /// <summary>
        /// A local function called or converted where a local it reads holds a guarded reference: captured, it escapes the guard
        /// (contract §3.1); expired, the call uses it after the release.
        /// </summary>
        private void CheckCapture(IMethodSymbol localFunction, FlowState state)
        {
            if (!_graph.LocalFunctions.Contains(localFunction, SymbolEqualityComparer.Default)) return;
            ReportCaptures(_graph.GetLocalFunctionControlFlowGraph(localFunction, _cancellation), "captured by local function '" + localFunction.Name + "'", expired: true, state);
        }

        private void ReportCaptures(ControlFlowGraph graph, string how, bool expired, FlowState state)
        {
            var reported = new System.Collections.Generic.HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (var read in LocalReads(graph))
                if (state.References.TryGetValue(read.Local, out var reference) && (expired || !reference.Expired) && reported.Add(read.Local))
                    _observer!.OnReferenceEscape(read.Syntax.GetLocation(), read.Local.Name, reference, how, state, this);
        }

        private System.Collections.Generic.IEnumerable<ILocalReferenceOperation> LocalReads(ControlFlowGraph graph)
        {
            foreach (var block in graph.Blocks)
                foreach (var root in block.Operations.Append(block.BranchValue))
                {
                    if (root == null) continue;
                    foreach (var operation in root.DescendantsAndSelf())
                    {
                        if (operation is ILocalReferenceOperation local) yield return local;
                        else if (operation is IFlowAnonymousFunctionOperation nested)
                            foreach (var inner in LocalReads(graph.GetAnonymousFunctionControlFlowGraph(nested, _cancellation))) yield return inner;
                    }
                }
        }

        /// <summary>The key a value's facts and references are kept under: its local, its compiler capture, or the operation itself.</summary>
        private static object ValueKey(IOperation source) => source switch
        {
            ILocalReferenceOperation local => local.Local,
            IFlowCaptureReferenceOperation capture => capture.Id,
            _ => source,
        };

        private static bool IsWriteTarget(IOperation operation)
        {
            var parent = operation.Parent;
            return parent switch
            {
                ISimpleAssignmentOperation assignment => assignment.Target == operation,
                IArgumentOperation argument => argument.Parameter?.RefKind == RefKind.Out,
                _ => false,
            };
        }

        private FlowState Access(IOperation access, ISymbol member, IOperation? instance, FlowState state, bool report)
        {
            bool write = IsWriteTarget(access) || access.Parent is ICompoundAssignmentOperation c && c.Target == access ||
                         access.Parent is IIncrementOrDecrementOperation || access.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Ref };
            if (report) _observer!.OnAccess(access, member, instance, write, state, this);
            if (member is IPropertySymbol property)
            {
                var accessor = write ? property.SetMethod : property.GetMethod;
                if (accessor != null && access is IPropertyReferenceOperation)
                    state = Call(access, accessor, state, report);
            }
            return state;
        }

        private FlowState Assign(ISimpleAssignmentOperation assignment, FlowState state, bool report)
        {
            if (Paths.Unwrap(assignment.Target) is ILocalReferenceOperation local)
                return Flow(assignment.Value, local.Local, state, assignment.Syntax.GetLocation(), report);
            return state;
        }

        /// <summary>Moves what is known of a value (a try-acquire result, a guarded reference) to the local or capture that receives it.</summary>
        private FlowState Flow(IOperation value, object receiver, FlowState state, Location at, bool report)
        {
            var source = Paths.Unwrap(value);
            object key = ValueKey(source);
            state.References.TryGetValue(key, out var reference);
            var fact = FactOf(source, key, state);
            if (state.Facts.TryGetValue(receiver, out var overwritten) && !Equals(overwritten, fact)) state = Forget(state, receiver, overwritten, at, report);
            return state.WithFact(receiver, fact).WithReference(receiver, reference).WithoutKnown(receiver);
        }

        /// <summary>
        /// A try-acquire result overwritten or discarded before it was tested: nothing can tell success from failure any more, so
        /// the success and failure paths join at <paramref name="at"/> and what the try-acquire would hold is held on some paths
        /// (MM1005 at the try-acquire, once the last copy of the result in a local or capture is gone; a negated copy counts).
        /// </summary>
        private FlowState Forget(FlowState state, object receiver, TryFact overwritten, Location at, bool report)
        {
            if (overwritten.Acquired.IsEmpty || overwritten.Tested) return state;
            foreach (var other in state.Facts)
                if (!Equals(other.Key, receiver) && other.Key is ILocalSymbol or CaptureId && other.Value.Acquired == overwritten.Acquired) return state;
            var succeeded = state;
            var joined = state;
            foreach (var held in overwritten.Acquired)
            {
                if (state.Find(held.Key) != null) continue;
                succeeded = succeeded.WithHeld(held);
                joined = joined.WithHeld(held.With(maybe: true));
            }
            if (report && !ReferenceEquals(joined, state)) _observer!.OnJoin(at, new[] { succeeded, state }, joined, this);
            return joined;
        }

        /// <summary>
        /// The try-acquire results of a statement that nothing stored (<c>spin_trylock(l);</c>, <c>_ = spin_trylock(l);</c>):
        /// lost at its end, as an overwritten one (operation results do not outlive the statement that computes them).
        /// </summary>
        public FlowState DiscardResults(FlowState state, bool report)
        {
            foreach (var pair in state.Facts)
            {
                if (pair.Key is not IOperation result || pair.Value.Tested || pair.Value.Acquired.IsEmpty || pair.Value.Acquired.All(h => h.Pseudo)) continue;
                state = Forget(state, result, pair.Value, result.Syntax.GetLocation(), report).WithFact(result, null);
            }
            return state;
        }

        /// <summary>What a value says about try-acquires: its own fact, a literal's value, or the negation of a tested bool.</summary>
        private static TryFact? FactOf(IOperation source, object key, FlowState state)
        {
            if (state.Facts.TryGetValue(key, out var known)) return known;
            if (source.ConstantValue is { HasValue: true, Value: { } constant } && (constant is bool || IsInteger(constant)))
                return new TryFact(ImmutableArray<Held>.Empty, null, constant);
            if (source is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                var operand = Paths.Unwrap(not.Operand);
                object operandKey = ValueKey(operand);
                var inner = FactOf(operand, operandKey, state);
                if (inner?.Constant is bool c) return new TryFact(ImmutableArray<Held>.Empty, null, !c);
                if (inner?.Success is bool success) return new TryFact(inner.Acquired, !success, tested: inner.Tested);
            }
            return null;
        }

        private object? GuardOf(IOperation operation) => Paths.Unwrap(operation) switch
        {
            ILocalReferenceOperation local => local.Local,
            IFlowCaptureReferenceOperation capture => Paths.CapturedValue(capture.Id) is ILocalReferenceOperation captured ? captured.Local : capture.Id,
            _ => null,
        };

        /// <summary>The prefix of the pseudo-context that records a guard's disposal of a context (held on every path: certainly disposed).</summary>
        internal const string DisposedPrefix = "<disposed>";

        private FlowState DisposeGuard(IInvocationOperation invocation, FlowState state, bool report)
        {
            // DisposeAsync: an 'await using' releases by the disposal it awaits, so that await holds nothing of the guard (contract §3.1).
            if (invocation.TargetMethod.Name is not ("Dispose" or "DisposeAsync") || invocation.TargetMethod.Parameters.Length != 0 || invocation.Instance == null) return state;
            var guard = GuardOf(invocation.Instance);
            if (guard == null) return state;
            var location = CallSite.LocationOf(invocation);
            var held = state.Held.Values.Where(h => Equals(h.Guard, guard) && !h.Pseudo).ToList();
            if (held.Count == 0)
            {
                // An explicit Dispose() of a guard every path already disposed is MM1002; the using's own disposal after it is not (contract §3.1).
                var disposed = state.Held.Values.Where(h => Equals(h.Guard, guard) && h.Pseudo && h.Key.StartsWith(DisposedPrefix, System.StringComparison.Ordinal)).ToList();
                if (report && !invocation.IsImplicit && disposed.Count > 0 && disposed.All(d => d.Definite)) _observer!.OnGuardDisposedAgain(invocation, disposed, this);
                return state;
            }
            foreach (var context in held)
            {
                state = Release(state, context.Key, location);
                state = state.WithHeld(new Held(new ContextInstance(DisposedPrefix + context.Key, context.Context.Display, null, null, false), context.Mode, 1, location,
                    assumed: false, maybe: false, guard, ContextFlags.None, pseudo: true));
            }
            return state;
        }

        /// <summary>
        /// The contract bound at each call, made once per operation: binding builds the paths' strings, and a block is visited
        /// once per iteration of the fixed point and again for the rules. Made again should the callee or its contract differ.
        /// </summary>
        private readonly Dictionary<IOperation, CallEvent> _calls = new Dictionary<IOperation, CallEvent>();

        private FlowState Call(IOperation operation, IMethodSymbol member, FlowState state, bool report)
        {
            var contract = Model.ContractOf(member);
            if (contract.IsEmpty) return state;
            if (!_calls.TryGetValue(operation, out var call) || !ReferenceEquals(call.Contract, contract) || !ReferenceEquals(call.Site.Member, member))
                _calls[operation] = call = new CallEvent(SiteOf(operation, member), contract, Paths);
            var site = call.Site;
            if (report) _observer!.OnCall(call, state, this);
            var location = site.Location;

            foreach (var (context, _) in call.Releases) state = Release(state, context.Key, location);
            foreach (var (context, _) in call.AssertsNotHeld) state = state.WithoutHeld(context.Key, null);
            foreach (var (context, _) in call.Downgrades)
                if (state.Find(context.Key) is { } held) state = state.WithHeld(held.With(mode: Mode.Shared));

            var resultType = (site.Member as IMethodSymbol) is { MethodKind: MethodKind.Constructor } ctor ? ctor.ContainingType : (site.Member as IMethodSymbol)?.ReturnType;
            object? guard = Model.IsScopedGuard(resultType) ? Paths.Receiver(site.Operation) : null;
            foreach (var (context, mode) in call.Acquires) state = Acquire(state, context, mode, location, guard);

            foreach (var (context, mode) in call.AssertsHeld)
                if (Satisfaction.Satisfier(state, context, mode) == null)
                    state = state.WithHeld(new Held(context, mode, 1, null, assumed: true, maybe: false, guard: null, Model.FlagsOf(context.Type)));

            if (!call.TryAcquires.IsEmpty) state = state.WithFact(site.Operation, TryAcquired(call, location));
            if (contract.OnlineCheck) state = state.WithFact(site.Operation, OnlineChecked(site, location));
            if (contract.ReturnsGuarded) state = RecordGuardedReference(call, state);
            return state;
        }

        // The lambdas of the next two live in methods of their own: captured in Call, their closure was allocated on every call.
        private TryFact TryAcquired(CallEvent call, Location location)
        {
            var acquired = call.TryAcquires.Select(t => new Held(t.Context, t.Mode, 1, location, false, false, null, Model.FlagsOf(t.Context.Type))).ToImmutableArray();
            return new TryFact(acquired, call.TryAcquires[0].Success);
        }

        /// <summary>Online: the memory of the checked argument, which the non-null result (named by its receiver) stands for.</summary>
        private TryFact OnlineChecked(CallSite site, Location location)
        {
            var result = Paths.ReceiverKey(site.Operation) ?? Paths.PathOf(site.Operation).Key;
            var named = Enumerable.Range(0, site.ArgumentCount).Select(site.Argument).Where(a => a != null).Select(a => Paths.PathOf(a!).Key).Append(result);
            var online = named.Distinct().Select(key => new Held(new ContextInstance(Satisfaction.OnlineKey + key, "online check", null, null, false),
                Mode.Shared, 1, location, false, false, null, ContextFlags.None, pseudo: true)).ToImmutableArray();
            return new TryFact(online, "nonnull");
        }

        /// <summary>The receiver and arguments of a call, by parameter ordinal; an operator's or conversion's operands in order.</summary>
        private static CallSite SiteOf(IOperation operation, IMethodSymbol member) => operation switch
        {
            IInvocationOperation invocation => new CallSite(invocation, member, DisposalTarget(invocation).Receiver, invocation.Arguments, member.Parameters.Length),
            IObjectCreationOperation creation => new CallSite(creation, member, creation, creation.Arguments, member.Parameters.Length),
            IPropertyReferenceOperation property => new CallSite(property, member, property.Instance, property.Arguments, member.Parameters.Length),
            IBinaryOperation binary => new CallSite(binary, member, null, new[] { binary.LeftOperand, binary.RightOperand }),
            IUnaryOperation unary => new CallSite(unary, member, null, new[] { unary.Operand }),
            IConversionOperation conversion => new CallSite(conversion, member, null, new[] { conversion.Operand }),
            _ => throw new System.ArgumentException("not a call: " + operation.Kind),
        };

        private FlowState RecordGuardedReference(CallEvent call, FlowState state)
        {
            var covering = ImmutableHashSet.CreateBuilder<string>();
            foreach (var clause in call.Clauses)
            {
                var satisfiers = Satisfaction.Satisfiers(clause, state, AssumedDisjunctions);
                // Vacuous, or satisfied by the caller's own contract: the reference never expires here.
                if (satisfiers == null || satisfiers.Any(h => h.Assumed) || Satisfaction.AssumedCovers(clause, AssumedDisjunctions)) return state;
                foreach (var held in satisfiers) covering.Add(held.Key);
            }
            if (covering.Count == 0) return state;
            return state.WithReference(call.Site.Operation, new GuardedReference(call.Site.MemberName, call.Site.Location, covering.ToImmutable(), null, null, null));
        }

        private FlowState Release(FlowState state, string key, Location location)
        {
            // Releasing what an untested try-acquire may hold decides for it (MM1002 if not held): nothing is left to leak.
            foreach (var pair in state.Facts)
                if (!pair.Value.Tested && pair.Value.Acquired.Any(h => h.Key == key)) state = Tested(state, pair.Value);
            var held = state.Find(key);
            if (held != null && held.Definite && (held.Flags & ContextFlags.Reentrant) != 0 && held.Count > 1)
                return state.WithHeld(held.With(count: held.Count - 1));
            return state.WithoutHeld(key, location);
        }

        private FlowState Acquire(FlowState state, ContextInstance context, Mode mode, Location location, object? guard)
        {
            var flags = Model.FlagsOf(context.Type);
            if (guard != null && state.Find(DisposedPrefix + context.Key) != null) state = state.WithoutHeld(DisposedPrefix + context.Key, null);
            var existing = state.Find(context.Key);
            if (existing != null && existing.Definite)
            {
                if ((flags & ContextFlags.Reentrant) != 0) return state.WithHeld(Nested(existing));
                return state;
            }
            return state.WithHeld(new Held(context, mode, 1, location, assumed: false, maybe: false, guard, flags));
        }

        /// <summary>
        /// One more level, without a cap: joins keep the lower count (contract §3.1) and a loop head joins with what it had, so no
        /// cycle raises a count; it is bounded by the acquires on one path through the body, and the fixed point is reached anyway.
        /// </summary>
        private static Held Nested(Held held) => held.With(count: held.Count + 1);

        // ---- branches ------------------------------------------------------------------------------

        /// <summary>The state on the path where <paramref name="condition"/> evaluated to <paramref name="value"/>; none when a constant condition never takes it (<c>while (true)</c>).</summary>
        public FlowState AssumeBranch(FlowState state, IOperation condition, bool value) =>
            condition.ConstantValue is { HasValue: true, Value: bool constant } && constant != value ? FlowState.Unreachable
                : Constrain(state, condition, new Constraint(true, value)).WithoutTransient();

        private readonly struct Constraint
        {
            public Constraint(bool equal, object? value)
            {
                Equal = equal;
                Value = value;
            }

            /// <summary>A test of a boolean, with its value boxed once, not at every branch.</summary>
            public Constraint(bool equal, bool value) : this(equal, value ? BoxedTrue : BoxedFalse) { }

            private static readonly object BoxedTrue = true, BoxedFalse = false;

            /// <summary>True: the value equals <see cref="Value"/>; false: it differs.</summary>
            public bool Equal { get; }
            public object? Value { get; }
            public Constraint Negate() => Value is bool b ? new Constraint(Equal, !b) : new Constraint(!Equal, Value);
        }

        /// <param name="chained">Inside an <c>and</c>/<c>or</c> pattern, whose operands may contradict each other on an intermediate value.</param>
        private FlowState Constrain(FlowState state, IOperation operation, Constraint constraint, bool chained = false)
        {
            operation = Paths.Unwrap(operation);
            switch (operation)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not when constraint.Value is bool:
                    return Constrain(state, not.Operand, constraint.Negate(), chained);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } binary when constraint.Value is bool holds:
                {
                    var (other, constant) = binary.RightOperand.ConstantValue.HasValue ? (binary.LeftOperand, binary.RightOperand.ConstantValue.Value)
                        : binary.LeftOperand.ConstantValue.HasValue ? (binary.RightOperand, binary.LeftOperand.ConstantValue.Value) : (null, null);
                    if (other == null) return state;
                    bool equal = (binary.OperatorKind == BinaryOperatorKind.Equals) == holds;
                    return Constrain(state, other, constant is bool b ? new Constraint(true, equal ? b : !b) : new Constraint(equal, constant), chained);
                }
                case IIsNullOperation isNull when constraint.Value is bool holds:
                    return Constrain(state, isNull.Operand, new Constraint(holds, null), chained);
                case IIsPatternOperation pattern when constraint.Value is bool holds:
                    return ConstrainPattern(state, pattern.Value, pattern.Pattern, holds, chained);
                // 'x is object' (a type test, not a pattern): true means non-null; false means null only when every non-null x passes.
                case IIsTypeOperation isType when constraint.Value is bool holds:
                    if (holds) return Constrain(state, isType.ValueOperand, new Constraint(false, null), chained);
                    return isType.ValueOperand.Type is { } operandType && Model.Compilation.ClassifyCommonConversion(operandType, isType.TypeOperand) is { IsImplicit: true, IsReference: true }
                        ? Constrain(state, isType.ValueOperand, new Constraint(true, null), chained)
                        : state;
            }

            object key = ValueKey(operation);
            if (constraint.Equal && constraint.Value == null) state = DropNullGuard(state, key);
            // What is known of an intermediate value (a call's result, 'i < n') is dropped at the branch, before anything could read
            // it: it is recorded only where another operand of a pattern may contradict it.
            if ((constraint.Value is bool || IsInteger(constraint.Value)) && (chained || key is not IOperation))
            {
                // A value already tested: the edge that contradicts it is never taken (case true, then case false, then no match).
                state = state.WithKnown(key, constraint.Equal, constraint.Value);
                if (state.IsUnreachable) return state;
            }
            if (!state.Facts.TryGetValue(key, out var fact)) return state;
            if (fact.Constant != null)
                return fact.Constant is bool || IsInteger(fact.Constant) ? ConstantTakes(fact.Constant, constraint) ? state : FlowState.Unreachable : state;
            state = Tested(state, fact);
            if (!Succeeds(fact.Success, constraint)) return state;
            foreach (var held in fact.Acquired)
            {
                // A reentrant context already held gets one more level on success (contract §3.1).
                if (state.Find(held.Key) is not { Definite: true } existing) state = state.WithHeld(held);
                else if ((existing.Flags & ContextFlags.Reentrant) != 0) state = state.WithHeld(Nested(existing));
            }
            return state;
        }

        /// <summary>A branch on a try-acquire result: every copy of it (negated ones too) is tested on both edges.</summary>
        private static FlowState Tested(FlowState state, TryFact fact)
        {
            foreach (var pair in state.Facts)
                if (!pair.Value.Tested && pair.Value.Acquired == fact.Acquired && !fact.Acquired.IsEmpty) state = state.WithFact(pair.Key, pair.Value.AsTested());
            return state;
        }

        /// <summary>The try-acquire fact a value carries (a local, a capture, or a call's own result).</summary>
        public TryFact? FactOf(IOperation value, FlowState state)
        {
            var source = Paths.Unwrap(value);
            object key = ValueKey(source);
            return state.Facts.TryGetValue(key, out var fact) ? fact : null;
        }

        /// <summary>Whether a stored literal satisfies a test of it.</summary>
        private static bool ConstantTakes(object constant, Constraint constraint)
        {
            bool equal = constant is bool b ? constraint.Value is bool v && b == v : IsInteger(constraint.Value) && System.Convert.ToInt64(constant) == System.Convert.ToInt64(constraint.Value);
            return equal == constraint.Equal;
        }

        /// <summary>The state where <paramref name="value"/> matches <paramref name="pattern"/> (or not): constants, <c>not</c>, <c>and</c>, <c>or</c>, non-null tests.</summary>
        private FlowState ConstrainPattern(FlowState state, IOperation value, IPatternOperation pattern, bool holds, bool chained = false)
        {
            switch (pattern)
            {
                case IConstantPatternOperation { Value.ConstantValue: { HasValue: true } constant }:
                    return Constrain(state, value, constant.Value is bool b ? new Constraint(true, holds ? b : !b) : new Constraint(holds, constant.Value), chained);
                case INegatedPatternOperation negated:
                    return ConstrainPattern(state, value, negated.Pattern, !holds, chained);
                // Every operand of the chain matches ('and') or fails ('or'), left to right; a loop down the left operands, as in VisitChain.
                case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } when holds:
                case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } when !holds:
                {
                    var kind = ((IBinaryPatternOperation)pattern).OperatorKind;
                    var rights = new Stack<IPatternOperation>();
                    var link = pattern;
                    for (; link is IBinaryPatternOperation binary && binary.OperatorKind == kind; link = binary.LeftPattern) rights.Push(binary.RightPattern);
                    state = ConstrainPattern(state, value, link, holds, chained: true);
                    while (rights.Count > 0) state = ConstrainPattern(state, value, rights.Pop(), holds, chained: true);
                    return state;
                }
                case IDeclarationPatternOperation { MatchesNull: true }:
                case IDiscardPatternOperation:
                    return holds ? state : FlowState.Unreachable;
                case IRecursivePatternOperation:
                case ITypePatternOperation:
                case IDeclarationPatternOperation:
                    return Constrain(state, value, new Constraint(!holds, null), chained);
                default:
                    return state;
            }
        }

        /// <summary>
        /// On the path where a scoped guard's local is null (the null check of a class guard's <c>using</c>), the guard
        /// acquired nothing: its contexts are not held there, so the skipped <c>Dispose</c> does not leave them held.
        /// </summary>
        private FlowState DropNullGuard(FlowState state, object key)
        {
            object guard = key is IOperation operation ? GuardOf(operation) ?? key : key is CaptureId capture && Paths.CapturedValue(capture) is ILocalReferenceOperation local ? local.Local : key;
            foreach (var held in state.Held.Values.Where(h => h.Guard != null && Equals(h.Guard, guard)).ToList())
                state = state.WithoutHeld(held.Key, null);
            return state;
        }

        /// <summary>Whether a test of a try-acquire's result passes only on success; integers read as C does (contract §3.1).</summary>
        private static bool Succeeds(object? success, Constraint constraint)
        {
            switch (success)
            {
                case "nonnull":
                    return !constraint.Equal && constraint.Value == null;
                case bool expected:
                    return constraint.Value is bool actual && (actual == expected) == constraint.Equal;
                case null:
                    return false;
                default:
                    if (!IsInteger(success) || !IsInteger(constraint.Value)) return false;
                    bool zeroSucceeds = System.Convert.ToInt64(success) == 0;
                    bool testedZero = System.Convert.ToInt64(constraint.Value) == 0;
                    // Success 0 (*_killable): only "== 0" proves it. Nonzero success: "!= 0", or "== v" for any v other than 0.
                    return zeroSucceeds ? constraint.Equal && testedZero : constraint.Equal != testedZero;
            }
        }

        private static bool IsInteger(object? value) => value is int or long or short or sbyte or byte or uint or ulong or ushort;
    }
}
