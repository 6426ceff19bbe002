using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;

namespace MmLock.Analyzers.Flow
{
    /// <summary>A contract instantiated at one call: every template bound to the caller's expressions.</summary>
    internal sealed class CallEvent
    {
        public CallEvent(CallSite site, MemberContract contract, Paths paths)
        {
            Site = site;
            Contract = contract;
            Acquires = Bind(contract.Acquires, site, paths);
            Releases = Bind(contract.Releases, site, paths);
            Downgrades = Bind(contract.Downgrades, site, paths);
            Excludes = Bind(contract.Excludes, site, paths);
            Exclusions = contract.Exclusions.IsEmpty ? ImmutableArray<(ContextInstance, Exclusion)>.Empty
                : contract.Exclusions.Select(e => (paths.Instantiate(e.Template, site), e)).Where(p => p.Item1 != null).Select(p => (p.Item1!, p.e)).ToImmutableArray();
            AssertsHeld = Bind(contract.AssertsHeld, site, paths);
            AssertsNotHeld = Bind(contract.AssertsNotHeld, site, paths);
            TryAcquires = contract.TryAcquires.IsEmpty ? ImmutableArray<(ContextInstance, Mode, object?)>.Empty : contract.TryAcquires
                .Select(t => (paths.Instantiate(t.Template, site), t))
                .Where(p => p.Item1 != null)
                .Select(p => (p.Item1!, p.t.Template.Mode, p.t.Success))
                .ToImmutableArray();
            if (contract.Clauses.IsEmpty) Clauses = ImmutableArray<BoundClause>.Empty;
            else
            {
                var clauses = ImmutableArray.CreateBuilder<BoundClause>(contract.Clauses.Length);
                foreach (var clause in contract.Clauses)
                    clauses.Add(new BoundClause(clause, Bind(clause.Alternatives, site, paths),
                        clause.AcceptsOnlineCheck ? Satisfaction.OnlineKeysOf(site, paths) : ImmutableArray<string>.Empty));
                Clauses = clauses.MoveToImmutable();
            }
        }

        public CallSite Site { get; }
        public MemberContract Contract { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> Acquires { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> Releases { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> Downgrades { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> Excludes { get; }
        public ImmutableArray<(ContextInstance Context, Exclusion Exclusion)> Exclusions { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> AssertsHeld { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> AssertsNotHeld { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode, object? Success)> TryAcquires { get; }
        public ImmutableArray<BoundClause> Clauses { get; }

        // A loop, not LINQ: most calls' lists are empty, and the closure over site and paths was allocated for each.
        private static ImmutableArray<(ContextInstance, Mode)> Bind(ImmutableArray<ContextTemplate> templates, CallSite site, Paths paths)
        {
            if (templates.IsEmpty) return ImmutableArray<(ContextInstance, Mode)>.Empty;
            var bound = ImmutableArray.CreateBuilder<(ContextInstance, Mode)>(templates.Length);
            foreach (var template in templates)
                if (paths.Instantiate(template, site) is { } instance) bound.Add((instance, template.Mode));
            return bound.Count == bound.Capacity ? bound.MoveToImmutable() : bound.ToImmutable();
        }
    }

    internal sealed class BoundClause
    {
        public BoundClause(Clause clause, ImmutableArray<(ContextInstance Context, Mode Mode)> alternatives, ImmutableArray<string> onlineKeys = default)
        {
            Clause = clause;
            Alternatives = alternatives;
            OnlineKeys = onlineKeys.IsDefault ? ImmutableArray<string>.Empty : onlineKeys;
        }

        /// <summary>A memmap read: the passed [OnlineCheck]s that would prove its memory online (see <see cref="Satisfaction.OnlineKeysOf"/>).</summary>
        public ImmutableArray<string> OnlineKeys { get; }

        public Clause Clause { get; }
        public ImmutableArray<(ContextInstance Context, Mode Mode)> Alternatives { get; }
    }

    /// <summary>How the held set satisfies a requirement.</summary>
    internal static class Satisfaction
    {
        public const string OnlineKey = "<online>";

        /// <summary>
        /// An [OnlineCheck] proves online the memory of its own argument only (contract §3.1), by canonical path: what a call names
        /// by its arguments and receiver, and by the arguments of a call among them (<c>page_zone(pfn_to_page(pfn))</c> names
        /// <c>pfn</c>). A checked result stands for its argument's memory, so it is named too.
        /// </summary>
        public static ImmutableArray<string> OnlineKeysOf(CallSite site, Paths paths)
        {
            var keys = ImmutableArray.CreateBuilder<string>();
            var operands = Enumerable.Range(0, site.ArgumentCount).Select(site.Argument).Append(site.Receiver);
            foreach (var operand in operands.Where(o => o != null))
            {
                keys.Add(OnlineKey + paths.PathOf(operand!).Key);
                if (Paths.Unwrap(operand!) is Microsoft.CodeAnalysis.Operations.IInvocationOperation inner)
                    foreach (var argument in inner.Arguments) keys.Add(OnlineKey + paths.PathOf(argument.Value).Key);
            }
            return keys.ToImmutable();
        }

        public static bool ModeFits(Held held, Mode required) =>
            required != Mode.Exclusive || held.Mode == Mode.Exclusive || (held.Flags & (ContextFlags.Reentrant | ContextFlags.Idempotent)) != 0;

        /// <summary>The definitely held context that satisfies one alternative, if any.</summary>
        public static Held? Satisfier(FlowState state, ContextInstance context, Mode mode)
        {
            if (state.Find(context.Key) is { Definite: true } held && ModeFits(held, mode)) return held;
            if (context.Existential)
            {
                // A mode prefix applies to 'any T' too: "exclusive any T" is satisfied by an exclusive holder only.
                foreach (var candidate in state.DefiniteContexts)
                    if (DerivesFrom(candidate.Context.Type, context.Type) && ModeFits(candidate, mode)) return candidate;
            }
            return null;
        }

        public static bool DerivesFrom(ITypeSymbol? type, ITypeSymbol? target)
        {
            for (var current = type; current != null; current = current.BaseType)
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, target?.OriginalDefinition)) return true;
            return false;
        }

        /// <summary>The contexts that satisfy the clause (empty when none), or null when the clause is vacuous.</summary>
        public static List<Held>? Satisfiers(BoundClause clause, FlowState state, IReadOnlyCollection<ImmutableArray<ContextInstance>> assumedDisjunctions)
        {
            var result = new List<Held>();
            foreach (var (context, mode) in clause.Alternatives)
                if (Satisfier(state, context, mode) is { } held) result.Add(held);
            if (clause.Clause.AcceptsOnlineCheck)
                foreach (var key in clause.OnlineKeys)
                    if (state.Find(key) is { Definite: true } online) { result.Add(online); break; }
            if (result.Count == 0 && AssumedCovers(clause, assumedDisjunctions)) return null;
            return result;
        }

        /// <summary>
        /// The body's own contract requires one of some contexts, each of which satisfies the clause: it is satisfied on
        /// entry. An existential alternative ('any T') accepts every assumed context of type T.
        /// </summary>
        public static bool AssumedCovers(BoundClause clause, IReadOnlyCollection<ImmutableArray<ContextInstance>> assumedDisjunctions)
        {
            if (assumedDisjunctions.Count == 0) return false;
            return assumedDisjunctions.Any(d => d.All(assumed => clause.Alternatives.Any(a =>
                a.Context.Key == assumed.Key || a.Context.Existential && DerivesFrom(assumed.Type, a.Context.Type))));
        }
    }
}
