using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MmLock.Analyzers.Flow
{
    /// <summary>
    /// Which assignments of a reassigned local or parameter reach each of its reads, so that a variable names what it holds
    /// there (<c>l = a; spin_lock(l); l = b; spin_unlock(l);</c> releases <c>b</c>). Only variables written more than once
    /// (a parameter: at all) are tracked; those written in a <c>finally</c> or captured by a lambda or local function are not,
    /// because the graph does not show when those writes happen.
    /// </summary>
    internal sealed class ReachingDefinitions
    {
        /// <summary>A write of a tracked variable: an assignment with its value, another write (no value), or the entry.</summary>
        public sealed class Definition
        {
            public Definition(ISymbol variable, IOperation? value, int position, int index)
            {
                Variable = variable;
                Value = value;
                Position = position;
                Index = index;
            }

            public ISymbol Variable { get; }
            /// <summary>The assigned value; null for the entry and for writes that give no value (compound, <c>out</c>, deconstruction).</summary>
            public IOperation? Value { get; }
            /// <summary>Where the write is; -1 for the entry (a parameter's argument).</summary>
            public int Position { get; }
            public int Index { get; }
        }

        private readonly struct Event
        {
            public Event(IOperation node, ISymbol variable, Definition? definition)
            {
                Node = node;
                Variable = variable;
                Definition = definition;
            }

            public IOperation Node { get; }
            public ISymbol Variable { get; }
            /// <summary>Null for a read.</summary>
            public Definition? Definition { get; }
        }

        private readonly Dictionary<IOperation, Definition[]> _reads = new Dictionary<IOperation, Definition[]>();
        private readonly Dictionary<IOperation, Definition> _writes = new Dictionary<IOperation, Definition>();

        private ReachingDefinitions() { }

        /// <summary>The analysis of a graph, or null when no variable of it is reassigned (most bodies).</summary>
        public static ReachingDefinitions? Of(ControlFlowGraph graph, System.Threading.CancellationToken cancellation)
        {
            var writes = new Dictionary<ISymbol, int>(SymbolEqualityComparer.Default);
            var untracked = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var captured = new HashSet<string>();
            var pending = new Stack<(IOperation Operation, bool ChildrenDone)>();
            // The writes first (and the reads in finally blocks, which make a variable untracked): most bodies reassign no
            // variable that could name a context, and their reads are never stored.
            var blockWrites = new List<Event>();
            foreach (var block in graph.Blocks)
            {
                cancellation.ThrowIfCancellationRequested();
                blockWrites.Clear();
                bool inFinally = InFinally(block);
                foreach (var operation in block.Operations) Collect(operation, blockWrites, captured, pending, reads: inFinally);
                if (block.BranchValue != null) Collect(block.BranchValue, blockWrites, captured, pending, reads: inFinally);
                foreach (var e in blockWrites)
                {
                    if (inFinally) untracked.Add(e.Variable);
                    if (e.Definition != null) writes[e.Variable] = writes.TryGetValue(e.Variable, out var n) ? n + 1 : 1;
                }
            }
            foreach (var function in graph.LocalFunctions)
                foreach (var reference in function.DeclaringSyntaxReferences)
                    Names(reference.GetSyntax(), captured);

            if (writes.Count == 0) return null;
            var tracked = new HashSet<ISymbol>(writes.Where(w => (w.Key is IParameterSymbol || w.Value > 1) && !untracked.Contains(w.Key) && !captured.Contains(w.Key.Name) &&
                                                                 CanNameContext(w.Key))
                .Select(w => w.Key), SymbolEqualityComparer.Default);
            if (tracked.Count == 0) return null;
            var events = new List<Event>[graph.Blocks.Length];
            foreach (var block in graph.Blocks)
            {
                cancellation.ThrowIfCancellationRequested();
                var list = events[block.Ordinal] = new List<Event>();
                foreach (var operation in block.Operations) Collect(operation, list, null, pending, reads: true);
                if (block.BranchValue != null) Collect(block.BranchValue, list, null, pending, reads: true);
            }
            return new ReachingDefinitions().Solve(graph, events, tracked, cancellation);
        }

        /// <summary>
        /// Whether a variable's value can be, or lead to, a context: not a number, bool, char, string or enum (a loop counter
        /// is reassigned in most bodies and names nothing).
        /// </summary>
        private static bool CanNameContext(ISymbol variable)
        {
            var type = variable switch { ILocalSymbol local => local.Type, IParameterSymbol parameter => parameter.Type, _ => null };
            if (type == null) return true;
            return type.TypeKind is not (TypeKind.Enum or TypeKind.Pointer) && (type.SpecialType == SpecialType.None || type.SpecialType == SpecialType.System_Object);
        }

        /// <summary>The definitions reaching a read of a tracked variable (in position order), or null when it is not one.</summary>
        public Definition[]? At(IOperation read) => _reads.TryGetValue(read, out var definitions) ? definitions : null;

        /// <summary>The definition an assignment (or other write) of a tracked variable makes, or null.</summary>
        public Definition? Made(IOperation write) => _writes.TryGetValue(write, out var definition) ? definition : null;

        private ReachingDefinitions Solve(ControlFlowGraph graph, List<Event>[] events, HashSet<ISymbol> tracked, System.Threading.CancellationToken cancellation)
        {
            // Number the definitions: an entry one per variable (a parameter's argument; a local's "unassigned"), then the writes.
            var all = new List<Definition>();
            var byVariable = new Dictionary<ISymbol, List<Definition>>(SymbolEqualityComparer.Default);
            foreach (var variable in tracked)
            {
                var entry = new Definition(variable, null, -1, all.Count);
                all.Add(entry);
                byVariable[variable] = new List<Definition> { entry };
            }
            for (int b = 0; b < events.Length; b++)
                for (int i = 0; i < events[b].Count; i++)
                {
                    var e = events[b][i];
                    if (e.Definition == null || !tracked.Contains(e.Variable)) continue;
                    var numbered = new Definition(e.Variable, e.Definition.Value, e.Definition.Position, all.Count);
                    all.Add(numbered);
                    byVariable[e.Variable].Add(numbered);
                    events[b][i] = new Event(e.Node, e.Variable, numbered);
                    _writes[e.Node] = numbered;
                }

            // Per variable, the definitions a write of it leaves live: all but its own.
            var keep = new Dictionary<ISymbol, BitArray>(SymbolEqualityComparer.Default);
            foreach (var pair in byVariable)
            {
                var bits = new BitArray(all.Count, true);
                foreach (var d in pair.Value) bits[d.Index] = false;
                keep[pair.Key] = bits;
            }

            int count = graph.Blocks.Length;
            var input = new BitArray[count];
            var output = new BitArray[count];
            for (int b = 0; b < count; b++)
            {
                input[b] = new BitArray(all.Count);
                output[b] = new BitArray(all.Count);
            }
            foreach (var list in byVariable.Values) input[0][list[0].Index] = true;

            // Monotone over a finite lattice: sets only grow, so this ends.
            bool changed = true;
            while (changed)
            {
                changed = false;
                for (int b = 0; b < count; b++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var block = graph.Blocks[b];
                    var incoming = new BitArray(input[b]);
                    foreach (var predecessor in block.Predecessors) incoming.Or(output[predecessor.Source.Ordinal]);
                    if (HandlerEntryOf(graph, block) is { } tried)
                        for (int t = tried.FirstBlockOrdinal; t <= tried.LastBlockOrdinal; t++) incoming.Or(input[t]).Or(output[t]);
                    input[b] = incoming;
                    var result = Transfer(incoming, events[b], keep, null);
                    if (!SameBits(result, output[b]))
                    {
                        output[b] = result;
                        changed = true;
                    }
                }
            }

            for (int b = 0; b < count; b++) Transfer(input[b], events[b], keep, (e, live) =>
            {
                _reads[e.Node] = byVariable[e.Variable].Where(d => live[d.Index]).OrderBy(d => d.Position).ToArray();
            });
            return this;
        }

        private static BitArray Transfer(BitArray input, List<Event> events, Dictionary<ISymbol, BitArray> keep, System.Action<Event, BitArray>? read)
        {
            var live = new BitArray(input);
            foreach (var e in events)
            {
                if (!keep.TryGetValue(e.Variable, out var others)) continue;
                if (e.Definition == null)
                {
                    read?.Invoke(e, live);
                    continue;
                }
                live.And(others);
                live[e.Definition.Index] = true;
            }
            return live;
        }

        private static bool SameBits(BitArray a, BitArray b)
        {
            for (int i = 0; i < a.Length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }

        private static bool InFinally(BasicBlock block)
        {
            for (var region = block.EnclosingRegion; region != null; region = region.EnclosingRegion)
                if (region.Kind == ControlFlowRegionKind.Finally) return true;
            return false;
        }

        /// <summary>
        /// For the first block of a catch or filter, the try region it handles: an exception can come from anywhere in it, so
        /// what reaches any of its points reaches the handler.
        /// </summary>
        private static ControlFlowRegion? HandlerEntryOf(ControlFlowGraph graph, BasicBlock block)
        {
            var region = block.EnclosingRegion;
            while (region != null && region.FirstBlockOrdinal == block.Ordinal && region.Kind is not (ControlFlowRegionKind.Catch or ControlFlowRegionKind.Filter))
                region = region.EnclosingRegion;
            if (region == null || region.FirstBlockOrdinal != block.Ordinal) return null;
            var handlers = region.EnclosingRegion;
            if (handlers?.Kind == ControlFlowRegionKind.FilterAndHandler) handlers = handlers.EnclosingRegion;
            return handlers?.Kind == ControlFlowRegionKind.TryAndCatch ? handlers.NestedRegions.FirstOrDefault(r => r.Kind == ControlFlowRegionKind.Try) : null;
        }

        /// <summary>
        /// The reads and writes of locals and parameters in an operation, in evaluation order (operands before the write), and
        /// into <paramref name="captured"/> (when given) the names lambdas use. Post-order on an explicit stack: an expression of 20,000 terms (which Roslyn binds without recursion) overflowed the
        /// thread's stack when walked recursively, and a stack overflow ends the compiler's process.
        /// </summary>
        private static void Collect(IOperation root, List<Event> events, HashSet<string>? captured, Stack<(IOperation Operation, bool ChildrenDone)> pending, bool reads)
        {
            pending.Push((root, false));
            while (pending.Count > 0)
            {
                var (operation, childrenDone) = pending.Pop();
                if (childrenDone)
                {
                    Record(operation, events, reads);
                    continue;
                }
                if (operation is IFlowAnonymousFunctionOperation function)
                {
                    if (captured != null) Names(function.Syntax, captured);
                    continue;
                }
                pending.Push((operation, true));
                foreach (var child in operation.ChildOperations.Reverse()) pending.Push((child, false));
            }
        }

        private static void Record(IOperation operation, List<Event> events, bool reads)
        {
            switch (operation)
            {
                case ILocalReferenceOperation or IParameterReferenceOperation when !reads:
                    break;
                case ILocalReferenceOperation local when !IsWriteTarget(operation):
                    events.Add(new Event(operation, local.Local, null));
                    break;
                case IParameterReferenceOperation parameter when !IsWriteTarget(operation):
                    events.Add(new Event(operation, parameter.Parameter, null));
                    break;
                case ISimpleAssignmentOperation assignment when Variable(assignment.Target) is { } variable:
                    // A ref local names its target; a plain assignment through it writes the target and leaves the name.
                    if (variable is ILocalSymbol { IsRef: true } && !assignment.IsRef) break;
                    if (variable is IParameterSymbol { RefKind: not RefKind.None }) break;
                    events.Add(new Event(operation, variable, new Definition(variable, assignment.Value, operation.Syntax.SpanStart, -1)));
                    break;
                case ICompoundAssignmentOperation compound when Variable(compound.Target) is { } variable:
                    Opaque(operation, variable, events);
                    break;
                case IIncrementOrDecrementOperation increment when Variable(increment.Target) is { } variable:
                    Opaque(operation, variable, events);
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument when Variable(argument.Value) is { } variable:
                    Opaque(operation, variable, events);
                    break;
                case IDeconstructionAssignmentOperation deconstruction:
                    foreach (var target in deconstruction.Target.DescendantsAndSelf())
                        if (IsWriteTarget(target) && Variable(target) is { } variable) Opaque(operation, variable, events);
                    break;
            }
        }

        private static void Opaque(IOperation operation, ISymbol variable, List<Event> events)
        {
            if (variable is ILocalSymbol { IsRef: true } || variable is IParameterSymbol { RefKind: not RefKind.None }) return;
            events.Add(new Event(operation, variable, new Definition(variable, null, operation.Syntax.SpanStart, -1)));
        }

        private static ISymbol? Variable(IOperation operation) => Paths.Unwrap(operation) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };

        /// <summary>A reference that only receives a value (an assignment's target, an <c>out</c> argument, a deconstructed element).</summary>
        private static bool IsWriteTarget(IOperation reference)
        {
            var node = reference;
            var parent = node.Parent;
            while (parent is IConversionOperation or IDeclarationExpressionOperation) { node = parent; parent = parent.Parent; }
            switch (parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == node:
                case IArgumentOperation { Parameter.RefKind: RefKind.Out }:
                    return true;
                case ITupleOperation:
                    for (var up = parent; up != null; up = up.Parent)
                    {
                        if (up is IDeconstructionAssignmentOperation deconstruction) return deconstruction.Target.DescendantsAndSelf().Contains(reference);
                        if (up is not (ITupleOperation or IConversionOperation or IDeclarationExpressionOperation)) return false;
                    }
                    return false;
                default:
                    return false;
            }
        }

        private static void Names(SyntaxNode syntax, HashSet<string> names)
        {
            foreach (var identifier in syntax.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax>())
                names.Add(identifier.Identifier.ValueText);
        }
    }
}
