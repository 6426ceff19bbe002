using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using MmLock.Analyzers.Contexts;

namespace MmLock.Analyzers.Contracts
{
    internal enum ClauseKind { Requires, RequiresAny, Walker, Lookup, Freer, LeafModifier, LiveRoot, Memmap, Guarded }

    /// <summary>One requirement on callers: at least one alternative must be held (several clauses all apply).</summary>
    internal sealed class Clause
    {
        public Clause(ClauseKind kind, ImmutableArray<ContextTemplate> alternatives, string? space = null, string? freeing = null,
            ImmutableArray<string> via = default, Location? origin = null, string? access = null)
        {
            Kind = kind;
            Access = access;
            Alternatives = alternatives;
            Space = space;
            Freeing = freeing;
            Via = via.IsDefault ? ImmutableArray<string>.Empty : via;
            Origin = origin;
        }

        /// <summary>An inferred clause: the members from the helper's call down to the annotated one that states it (empty when declared).</summary>
        public ImmutableArray<string> Via { get; }
        /// <summary>An inferred access of a guarded member: "reads 'f'" or "writes 'f'".</summary>
        public string? Access { get; }
        /// <summary>An inferred clause: the operation in the innermost helper that needs it.</summary>
        public Location? Origin { get; }

        public ClauseKind Kind { get; }
        public ImmutableArray<ContextTemplate> Alternatives { get; }
        public string? Space { get; }
        public string? Freeing { get; }

        /// <summary>A passed [OnlineCheck] on the path satisfies a memmap read.</summary>
        public bool AcceptsOnlineCheck => Kind == ClauseKind.Memmap;

        public DiagnosticDescriptor Rule => Kind switch
        {
            ClauseKind.Walker => Descriptors.MM2001,
            ClauseKind.Lookup => Descriptors.MM2002,
            ClauseKind.Freer => Descriptors.MM2003,
            ClauseKind.LeafModifier => Descriptors.MM2004,
            ClauseKind.LiveRoot => Descriptors.MM2006,
            ClauseKind.Memmap => Descriptors.MM2007,
            ClauseKind.Guarded => Descriptors.MM1007,
            _ => Descriptors.MM1001,
        };
    }

    internal sealed class TryAcquire
    {
        public TryAcquire(ContextTemplate template, object? success)
        {
            Template = template;
            Success = success;
        }

        public ContextTemplate Template { get; }
        /// <summary><c>true</c>, <c>false</c>, an integer, or the string <c>"nonnull"</c>.</summary>
        public object? Success { get; }
    }

    /// <summary>
    /// An inferred "callers must not hold": the helper calls an [Excludes] member (<see cref="Acquired"/> false, MM1006 at a caller
    /// holding it) or acquires a non-reentrant context (true, MM1003), <see cref="Via"/> the chain to that call at <see cref="Origin"/>.
    /// </summary>
    internal sealed class Exclusion
    {
        public Exclusion(ContextTemplate template, bool acquired, ImmutableArray<string> via, Location origin)
        {
            Template = template;
            Acquired = acquired;
            Via = via;
            Origin = origin;
        }

        public ContextTemplate Template { get; }
        public bool Acquired { get; }
        public ImmutableArray<string> Via { get; }
        public Location Origin { get; }
    }

    /// <summary>What one member acquires, releases and requires, with every condition already evaluated for the compilation.</summary>
    internal sealed class MemberContract
    {
        public static readonly MemberContract Empty = new MemberContract();

        public ImmutableArray<ContextTemplate> Acquires { get; set; } = ImmutableArray<ContextTemplate>.Empty;
        public ImmutableArray<ContextTemplate> Releases { get; set; } = ImmutableArray<ContextTemplate>.Empty;
        public ImmutableArray<ContextTemplate> Downgrades { get; set; } = ImmutableArray<ContextTemplate>.Empty;
        public ImmutableArray<TryAcquire> TryAcquires { get; set; } = ImmutableArray<TryAcquire>.Empty;
        public ImmutableArray<Clause> Clauses { get; set; } = ImmutableArray<Clause>.Empty;
        public ImmutableArray<ContextTemplate> Excludes { get; set; } = ImmutableArray<ContextTemplate>.Empty;
        /// <summary>Inferred only (a summary): contexts the callers must not hold.</summary>
        public ImmutableArray<Exclusion> Exclusions { get; set; } = ImmutableArray<Exclusion>.Empty;
        public ImmutableArray<ContextTemplate> AssertsHeld { get; set; } = ImmutableArray<ContextTemplate>.Empty;
        public ImmutableArray<ContextTemplate> AssertsNotHeld { get; set; } = ImmutableArray<ContextTemplate>.Empty;
        public bool MightSleep { get; set; }
        public bool ReturnsGuarded { get; set; }
        public bool OnlineCheck { get; set; }
        public bool NoLockAnalysis { get; set; }
        /// <summary>Computed from the body (a private helper's summary), not declared: callers check it, the body assumes it.</summary>
        public bool Inferred { get; set; }
        /// <summary>An inferred <see cref="MightSleep"/>: the chain to the sleeping member or acquire, and where it sleeps.</summary>
        public ImmutableArray<string> SleepVia { get; set; } = ImmutableArray<string>.Empty;
        public Location? SleepOrigin { get; set; }

        /// <summary>" (via a -> b)" for an inferred chain, else empty.</summary>
        public static string ViaText(ImmutableArray<string> via) => via.IsDefaultOrEmpty ? "" : " (via " + string.Join(" -> ", via) + ")";

        public bool IsEmpty =>
            Acquires.IsEmpty && Releases.IsEmpty && Downgrades.IsEmpty && TryAcquires.IsEmpty && Clauses.IsEmpty && Excludes.IsEmpty && Exclusions.IsEmpty &&
            AssertsHeld.IsEmpty && AssertsNotHeld.IsEmpty && !MightSleep && !ReturnsGuarded && !OnlineCheck && !NoLockAnalysis;

        /// <summary>Empty but for a [NoLockAnalysis] exemption: such a member inherits the contract it overrides or implements.</summary>
        public bool StatesNothingButExemption =>
            Acquires.IsEmpty && Releases.IsEmpty && Downgrades.IsEmpty && TryAcquires.IsEmpty && Clauses.IsEmpty && Excludes.IsEmpty && Exclusions.IsEmpty &&
            AssertsHeld.IsEmpty && AssertsNotHeld.IsEmpty && !MightSleep && !ReturnsGuarded && !OnlineCheck;

        public MemberContract WithNoLockAnalysis(bool exempt) => new MemberContract
        {
            Acquires = Acquires, Releases = Releases, Downgrades = Downgrades, TryAcquires = TryAcquires, Clauses = Clauses, Excludes = Excludes, Exclusions = Exclusions,
            AssertsHeld = AssertsHeld, AssertsNotHeld = AssertsNotHeld, MightSleep = MightSleep, ReturnsGuarded = ReturnsGuarded,
            OnlineCheck = OnlineCheck, NoLockAnalysis = exempt,
        };

        /// <summary>
        /// What callers are checked against, as text independent of parameter names (roots by ordinal): two members with the same
        /// signature state the same contract. <paramref name="requirementsOnly"/>: the requirements and roles only (MM1011).
        /// </summary>
        public string Signature(bool requirementsOnly = false)
        {
            var parts = new System.Collections.Generic.List<string>();
            parts.AddRange(Clauses.Select(c => c.Kind + "(" + c.Space + "/" + c.Freeing + ":" + string.Join("|", c.Alternatives.Select(Describe).OrderBy(x => x, System.StringComparer.Ordinal)) + ")"));
            // Declared or inferred, a context callers must not hold is one requirement ([Excludes] states either).
            parts.AddRange(Excludes.Concat(Exclusions.Select(e => e.Template)).Select(t => "excludes " + Describe(t)));
            if (!requirementsOnly)
            {
                parts.AddRange(Acquires.Select(t => "acquires " + Describe(t)));
                parts.AddRange(Releases.Select(t => "releases " + Describe(t)));
                parts.AddRange(Downgrades.Select(t => "downgrades " + Describe(t)));
                parts.AddRange(TryAcquires.Select(t => "tries " + Describe(t.Template) + "=" + t.Success));
                parts.AddRange(AssertsHeld.Select(t => "asserts " + Describe(t)));
                parts.AddRange(AssertsNotHeld.Select(t => "asserts not " + Describe(t)));
                if (MightSleep) parts.Add("sleeps");
                if (ReturnsGuarded) parts.Add("guarded");
                if (OnlineCheck) parts.Add("online");
            }
            parts.Sort(System.StringComparer.Ordinal);
            return string.Join(";", parts.Distinct());
        }

        private static string Describe(ContextTemplate template) =>
            template.Mode + " " + (template.Root == RootKind.Parameter ? "#" + template.ParameterOrdinal : template.Root == RootKind.Static || template.Root == RootKind.Existential ? template.RootName
                : template.Root == RootKind.Captured ? "^" + template.RootName : template.Root.ToString())
            + template.PathSuffixKey();

        public bool ChangesContexts => !Acquires.IsEmpty || !Releases.IsEmpty || !Downgrades.IsEmpty || !TryAcquires.IsEmpty;
    }

    /// <summary>A declared page-table space and its ways of freeing tables, active in this configuration.</summary>
    internal sealed class PageTableSpace
    {
        public PageTableSpace(string name, ImmutableArray<string> leafLock)
        {
            Name = name;
            LeafLock = leafLock;
        }

        public string Name { get; }
        public ImmutableArray<string> LeafLock { get; }
        public ImmutableArray<TableFreeing> Freeings { get; set; } = ImmutableArray<TableFreeing>.Empty;
    }

    internal sealed class TableFreeing
    {
        public TableFreeing(string space, string name, ImmutableArray<string> holds, ImmutableArray<string> excludedBy, bool active)
        {
            Space = space;
            Name = name;
            Holds = holds;
            ExcludedBy = excludedBy;
            Active = active;
        }

        public string Space { get; }
        public string Name { get; }
        public ImmutableArray<string> Holds { get; }
        public ImmutableArray<string> ExcludedBy { get; }
        /// <summary>False when the freeing's <c>When</c> is false: it still exists as a name for [TableFreer].</summary>
        public bool Active { get; }

        public override string ToString() => Name;
    }
}
